"""The index: chunks embedded into Chroma, kept in step with the files incrementally."""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from assistant import chunking, documents, embeddings, storage
from assistant.documents import Skipped
from assistant.embeddings import VectorCache
from assistant.errors import (
    AssistantError,
    IndexNotReady,
    IngestError,
    ModelMismatch,
    SettingsError,
)
from assistant.settings import Settings

if TYPE_CHECKING:
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)

COLLECTION = "nato_assistant"
# Chunks handed to the embedding model at once: large enough that it sorts them by length
# and pads little, small enough that progress moves every few seconds on a laptop CPU.
BATCH_SIZE = 64
META_FILE = "index.json"
LEXICAL_FILE = "lexical.sqlite3"
# What the health check searches for: any query shows the store can answer.
PROBE = "Article 4 consultations"
# Progress callback: (chunks done, chunks in all).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class IngestReport:
    """What one ingestion run changed, by document, and how many chunks it embedded."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    embedded: int = 0
    deleted_chunks: int = 0
    chunks: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (`ingest --json`)."""
        data = asdict(self)
        data["skipped"] = [{"source": s.source, "reason": s.reason} for s in self.skipped]
        return data


class Index:
    """Chroma collection plus the record of which chunks came from which file."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.dir = settings.index_dir
        self._store: Chroma | None = None
        self._folder: int | None = None  # the open Chroma folder's inode
        self._vectors: VectorCache | None = None
        self._lock = threading.RLock()

    # ----- state -------------------------------------------------------------
    def meta(self) -> dict[str, Any]:
        """The index's record of itself: model, chunking and document fingerprints."""
        self._recover()
        try:
            data = json.loads((self.dir / META_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:  # unreadable, not UTF-8, or not JSON
            raise storage.explain(exc, self.dir) or IndexNotReady(
                f"The index record {self.dir / META_FILE} is damaged ({exc}): {storage.REBUILD}."
            ) from None
        if not isinstance(data, dict) or "documents" not in data:
            raise storage.foreign(self.dir, f"{META_FILE} is not this assistant's record")
        return data

    def exists(self) -> bool:
        self._recover()
        return (self.dir / META_FILE).exists()

    def _recover(self) -> None:
        """Finishes a rebuild's swap that was stopped between its two renames."""
        if self.dir.exists() or self.settings.chroma_url:
            return
        fresh = self.dir.with_name(self.dir.name + ".rebuild")
        old = self.dir.with_name(self.dir.name + ".old")
        if (fresh / META_FILE).exists():  # the new index was complete: keep it
            fresh.rename(self.dir)
        elif old.exists():
            old.rename(self.dir)

    def check_ready(self) -> None:
        """Raises unless the index exists and was built with the configured model."""
        meta = self.meta()
        if not meta:
            raise IndexNotReady(f"No index at {self.dir}: run `nato-assistant ingest` first.")
        self._check_model(meta)

    def _check_model(self, meta: dict[str, Any]) -> None:
        built = meta.get("embedding_model")
        wanted = self.settings.embedding_model
        if built and built != wanted:
            raise ModelMismatch(
                f"The index at {self.dir} was built with {built}, but the embedding model is "
                f"now {wanted}: run `nato-assistant ingest --rebuild` to rebuild it with {wanted} "
                f"(or set ASSISTANT_EMBEDDING_MODEL back to {built})."
            )

    def probe(self) -> None:
        """Raises IndexNotReady, naming the fix, unless the store opens and answers a query."""
        self.check_ready()
        try:
            found = self.store.similarity_search_by_vector(self.vectors.query(PROBE), k=1)
        except Exception as exc:
            raise storage.unusable(exc, self.dir) from None
        if not found and self.meta().get("documents"):
            raise IndexNotReady(
                f"The index at {self.dir} lists documents but holds no passages: {storage.REBUILD}."
            )

    @property
    def embeddings(self) -> Embeddings:
        return embeddings.load(self.settings.embedding_model)

    @property
    def vectors(self) -> VectorCache:
        """Cached query and sentence vectors of the index's model."""
        with self._lock:
            if self._vectors is None:
                self._vectors = VectorCache(self.embeddings)
            return self._vectors

    @property
    def store(self) -> Chroma:
        with self._lock:
            if self._store is not None and self._replaced():
                # A rebuild (by this process or another) swapped in a new folder: the
                # client still holds the old one's segments, so it is opened afresh.
                self._store._client.clear_system_cache()
                self._store = None
            if self._store is None:
                self._store = self._open_store()
                self._folder = self._folder_id()
            return self._store

    def _folder_id(self) -> int | None:
        """Which embedded Chroma folder is open: a rebuild renames a new one into place."""
        if self.settings.chroma_url:
            return None
        try:
            return (self.dir / "chroma").stat().st_ino
        except FileNotFoundError:
            return None

    def _replaced(self) -> bool:
        current = self._folder_id()
        return current is not None and self._folder is not None and current != self._folder

    def _open_store(self) -> Chroma:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if self.settings.chroma_url:
            url = urlparse(self.settings.chroma_url)
            if url.scheme not in ("http", "https") or not url.hostname:
                raise SettingsError(
                    f"ASSISTANT_CHROMA_URL={self.settings.chroma_url!r} is not an http(s) URL."
                )
            client: Any = chromadb.HttpClient(
                host=url.hostname,
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
        else:
            self.dir.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(
                path=str(self.dir / "chroma"), settings=chroma_settings
            )
        return Chroma(
            collection_name=COLLECTION,
            embedding_function=self.embeddings,
            client=client,
            collection_metadata={"hnsw:space": "cosine"},
        )

    def _records(self) -> Any:
        from langchain_classic.indexes import SQLRecordManager

        self.dir.mkdir(parents=True, exist_ok=True)
        manager = SQLRecordManager(
            f"chroma/{COLLECTION}", db_url=f"sqlite:///{self.dir / 'records.sqlite3'}"
        )
        manager.create_schema()
        return manager

    # ----- reading -----------------------------------------------------------
    def all_chunks(self) -> list[Document]:
        """Every chunk with its id and metadata (for lexical search)."""
        from langchain_core.documents import Document

        from assistant.lexical import pages

        return [
            Document(page_content=text, metadata=dict(meta or {}), id=cid)
            for data in pages(self.store._collection, ["documents", "metadatas"])
            for cid, text, meta in zip(
                data["ids"], data["documents"], data["metadatas"], strict=False
            )
        ]

    def stored_vectors(self, ids: list[str]) -> dict[str, Any]:
        """The vectors the store holds for these chunk ids (those it has), by id; none when
        the store cannot look them up (it has not yet seen another process's ingest)."""
        from chromadb.errors import ChromaError

        if not ids:
            return {}
        try:
            got = self.store._collection.get(ids=ids, include=["embeddings"])
        except ChromaError:
            return {}
        vectors = got["embeddings"]
        return dict(zip(got["ids"], [] if vectors is None else list(vectors), strict=True))

    @property
    def lexical_path(self) -> Path:
        """The lexical (BM25) index beside the Chroma one."""
        return self.dir / LEXICAL_FILE

    def sync_lexical(self, generation: int) -> None:
        """Brings the lexical index in step with Chroma and stamps it with the generation."""
        from assistant.lexical import Lexical

        lexical = Lexical(self.lexical_path)
        try:
            lexical.sync(self.store._collection, generation)
        finally:
            lexical.close()

    def count(self) -> int:
        return int(self.store._collection.count())

    # ----- writing -----------------------------------------------------------
    def ingest(
        self,
        paths: Iterable[Path] | None = None,
        *,
        strict: bool = False,
        rebuild: bool = False,
        progress: Progress | None = None,
    ) -> IngestReport:
        """Brings the index in step with the files; only new or changed chunks are embedded.

        Raises:
            IngestError: with strict, when any file was skipped (nothing is written).
            ModelMismatch: when the index was built with another model and not rebuild.
        """
        roots = [Path(p).resolve() for p in (paths or [self.settings.corpus_dir])]
        if rebuild:
            return self._rebuild(roots, strict, progress)
        with self._lock:
            return self._ingest(roots, strict, progress)

    def _ingest(
        self, roots: list[Path], strict: bool, progress: Progress | None, after: int = 0
    ) -> IngestReport:
        from langchain_core.indexing import index

        started = time.perf_counter()
        meta = self.meta()
        self._check_model(meta)
        known: dict[str, str] = dict(meta.get("documents", {}))
        loaded = documents.load(
            roots, self.settings.corpus_dir, int(self.settings.max_file_mb * 1_000_000)
        )
        if strict and loaded.skipped:
            reasons = "; ".join(f"{s.source}: {s.reason}" for s in loaded.skipped)
            raise IngestError(f"Not ingested (--strict): {reasons}")
        if not loaded.documents and not known:
            where = ", ".join(str(r) for r in roots)
            raise IngestError(
                f"Nothing to index in {where}: add .md, .txt, .html or .pdf files "
                "(or set ASSISTANT_CORPUS_DIR)."
            )

        seen = {d.source: d.fingerprint for d in loaded.documents}
        kept = {s.source for s in loaded.skipped if self._path(s.source).exists()}
        gone = [
            s
            for s in known
            if s not in seen and s not in kept and (self._under(s, roots) or not self._inside(s))
        ]
        chunks = chunking.split_all(
            loaded.documents, self.settings.chunk_size, self.settings.chunk_overlap
        )

        log.info(
            "Indexing %d documents from %s: %d chunks (unchanged ones are not embedded again).",
            len(loaded.documents),
            ", ".join(str(r) for r in roots),
            len(chunks),
        )
        records = self._records()
        result = index(
            _counted(chunks, progress),
            records,
            self.store,
            cleanup="scoped_full",
            source_id_key="source",
            key_encoder="sha256",
            batch_size=BATCH_SIZE,
        )
        if progress:
            progress(len(chunks), len(chunks))
        deleted = int(result["num_deleted"])
        for source in gone:
            keys = records.list_keys(group_ids=[source])
            if keys:
                self.store.delete(keys)
                records.delete_keys(keys)
                deleted += len(keys)

        report = IngestReport(
            added=sorted(s for s in seen if s not in known),
            updated=sorted(s for s in seen if s in known and known[s] != seen[s]),
            removed=sorted(gone),
            unchanged=sorted(s for s in seen if known.get(s) == seen[s]),
            skipped=loaded.skipped,
            embedded=int(result["num_added"]) + int(result["num_updated"]),
            deleted_chunks=deleted,
            chunks=self.count(),
            seconds=round(time.perf_counter() - started, 3),
        )
        for source in gone:
            known.pop(source, None)
        known.update(seen)
        # The lexical index follows Chroma before the record names the new generation: a
        # crash in between leaves a stamp that differs, and the next reader syncs again.
        generation = int(meta.get("generation", after)) + 1
        self.sync_lexical(generation)
        self._write_meta(known, generation)
        return report

    def _rebuild(self, roots: list[Path], strict: bool, progress: Progress | None) -> IngestReport:
        # Generations keep counting through a rebuild, so replicas see a new number; a
        # damaged or foreign record (what a rebuild is for) starts them again.
        try:
            after = int(self.meta().get("generation", 0))
        except (AssistantError, ValueError, TypeError):
            after = 0
        if self.settings.chroma_url:
            with self._lock:
                self.store.delete_collection()
                self._store = None
                for name in (META_FILE, "records.sqlite3", LEXICAL_FILE, LEXICAL_FILE + "-wal"):
                    (self.dir / name).unlink(missing_ok=True)
                return self._ingest(roots, strict, progress, after)
        # Build beside the old index and swap at the end, so a failed rebuild loses nothing.
        fresh_dir = self.dir.with_name(self.dir.name + ".rebuild")
        shutil.rmtree(fresh_dir, ignore_errors=True)
        fresh = Index(self.settings.replace(index_dir=fresh_dir))
        report = fresh._ingest(roots, strict, progress, after)
        fresh.close()
        with self._lock:
            self.close()
            old_dir = self.dir.with_name(self.dir.name + ".old")
            shutil.rmtree(old_dir, ignore_errors=True)
            if self.dir.exists():
                self.dir.rename(old_dir)
            fresh_dir.rename(self.dir)
            shutil.rmtree(old_dir, ignore_errors=True)
        return report

    def close(self) -> None:
        """Lets go of the Chroma client so the folder can be moved or deleted."""
        with self._lock:
            if self._store is not None and not self.settings.chroma_url:
                self._store._client.clear_system_cache()
            self._store = None

    def _write_meta(self, known: dict[str, str], generation: int) -> None:
        data = {
            "generation": generation,
            "embedding_model": self.settings.embedding_model,
            "chunk_size": self.settings.chunk_size,
            "chunk_overlap": self.settings.chunk_overlap,
            "updated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "documents": dict(sorted(known.items())),
        }
        tmp = self.dir / (META_FILE + ".tmp")
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(tmp, self.dir / META_FILE)

    def _path(self, source: str) -> Path:
        path = Path(source)
        return path if path.is_absolute() else self.settings.corpus_dir / path

    def _inside(self, source: str) -> bool:
        """Whether a recorded source names a file in the corpus (earlier versions also
        recorded files outside it, by absolute path: those are removed)."""
        corpus = self.settings.corpus_dir.resolve()
        path = self._path(source).resolve()
        return not Path(source).is_absolute() and corpus in path.parents

    def _under(self, source: str, roots: list[Path]) -> bool:
        path = self._path(source).resolve()
        return any(path == root or root in path.parents for root in roots)


def _counted(chunks: list[Document], progress: Progress | None) -> Iterator[Document]:
    """The chunks, reporting progress as each batch is taken: index() takes a batch only
    once the one before is embedded and written (the caller reports the end)."""
    for done, chunk in enumerate(chunks):
        if progress and done % BATCH_SIZE == 0:
            progress(done, len(chunks))
        yield chunk
