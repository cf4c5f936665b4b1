"""Hybrid retrieval: dense (Chroma) and lexical (BM25) results fused by reciprocal rank."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from assistant import chunking
from assistant.errors import BadQuestion, unknown_name
from assistant.index import META_FILE, Index
from assistant.lexical import Lexical

MODES = ("hybrid", "dense", "lexical")


@dataclass(frozen=True)
class Filters:
    """Optional limits on what may be retrieved: sources and a date range (inclusive)."""

    sources: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Filters:
        """Builds filters from request data. Raises BadQuestion on bad values."""
        if not data:
            return cls()
        if not isinstance(data, Mapping):
            raise BadQuestion("filters must be an object with sources, date_from and date_to.")
        unknown = set(data) - {"sources", "date_from", "date_to"}
        if unknown:
            raise BadQuestion(
                f"Unknown filter {sorted(unknown)[0]!r}: use sources, date_from, date_to."
            )
        sources = data.get("sources") or ()
        if isinstance(sources, str):
            sources = (sources,)
        if not all(isinstance(s, str) for s in sources):
            raise BadQuestion("filters.sources must be a list of source names.")
        dates: dict[str, str | None] = {}
        for key in ("date_from", "date_to"):
            value = data.get(key)
            if value in (None, ""):
                dates[key] = None
                continue
            try:
                dates[key] = dt.date.fromisoformat(str(value)).isoformat()
            except ValueError:
                raise BadQuestion(f"filters.{key} {value!r} is not a YYYY-MM-DD date.") from None
        return cls(tuple(sources), dates["date_from"], dates["date_to"])

    def __bool__(self) -> bool:
        return bool(self.sources or self.date_from or self.date_to)

    def where(self) -> dict[str, Any] | None:
        """The same limits as a Chroma `where` clause."""
        clauses: list[dict[str, Any]] = []
        if self.sources:
            clauses.append({"source": {"$in": list(self.sources)}})
        if self.date_from:
            clauses.append({"date_ord": {"$gte": chunking.date_ord(self.date_from)}})
        if self.date_to:
            clauses.append({"date_ord": {"$lte": chunking.date_ord(self.date_to)}})
            clauses.append({"date_ord": {"$gt": 0}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def matches(self, meta: Mapping[str, Any]) -> bool:
        if self.sources and meta.get("source") not in self.sources:
            return False
        when = int(meta.get("date_ord") or 0)
        if self.date_from and when < chunking.date_ord(self.date_from):
            return False
        return not (self.date_to and not 0 < when <= chunking.date_ord(self.date_to))


class HybridRetriever(BaseRetriever):
    """Fuses dense and BM25 rankings; each result carries score, dense and lexical."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: Index
    k: int = 5
    fetch_k: int = 20
    mode: str = "hybrid"
    rrf_k: int = 60
    # At most this many chunks of one file before others get a turn, so a question sees
    # more than one source (and disagreements between sources come to light).
    per_source: int = 3
    _lexical: Lexical | None = PrivateAttr(default=None)
    _version: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def model_post_init(self, context: Any) -> None:
        if self.mode not in MODES:
            raise unknown_name("retrieval mode", self.mode, list(MODES))

    @property
    def lexical(self) -> Lexical:
        """The BM25 index of the current generation: an ingest (by this process or another)
        rewrites the index record, and the next question opens the new generation, while
        questions already under way finish on the old one."""
        path = self.index.dir / META_FILE
        try:
            version: Any = path.stat().st_mtime_ns
        except FileNotFoundError:
            version = None
        current = self._lexical
        if current is not None and version == self._version:
            return current
        with self._lock:
            if self._lexical is None or version != self._version:
                generation = int(self.index.meta().get("generation", 0))
                fresh = Lexical(self.index.lexical_path)
                if fresh.generation != generation or (generation and not fresh.n):
                    # Built before lexical indexes were kept, or an ingest stopped between
                    # writing Chroma and writing this: catch up from Chroma.
                    fresh.sync(self.index.store._collection, generation)
                self._lexical = fresh
                self._version = version
            return self._lexical

    @property
    def generation(self) -> int:
        """The index generation questions are answered from."""
        return self.lexical.generation

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        filters: Filters | None = None,
        k: int | None = None,
    ) -> list[Document]:
        filters = filters or Filters()
        k = k or self.k
        fetch = max(self.fetch_k, k)
        dense: list[tuple[Document, float]] = []
        lexical: list[tuple[Document, float]] = []
        if self.mode in ("hybrid", "dense"):
            vector = self.index.vectors.query(query)
            # This call returns cosine distances (lower is closer), whatever its name says;
            # the collection is created with cosine space, so similarity = 1 - distance.
            hits = self.index.store.similarity_search_by_vector_with_relevance_scores(
                vector, k=fetch, filter=filters.where()
            )
            dense = [(doc, 1.0 - distance) for doc, distance in hits]
        if self.mode in ("hybrid", "lexical"):
            lexical = self.lexical.search(query, fetch, filters)
        fused = self._fuse(dense, lexical, k)
        if self.mode == "hybrid":
            self._fill_dense(fused, vector, {doc.id for doc, _ in dense})
        return fused

    def _fill_dense(self, docs: list[Document], vector: list[float], scored: set[Any]) -> None:
        """Gives passages found by BM25 alone their similarity to the question too, so the
        answerer judges every passage alike (and one the dense search missed, or a store
        that has not yet seen another process's ingest, is not taken for unrelated)."""
        missing = [d for d in docs if d.id not in scored]
        if not missing:
            return
        # The store's own vectors (a lookup by id); only a chunk it lacks is embedded again.
        stored = self.index.stored_vectors([d.id for d in missing if d.id])
        others: list[Any] = [stored.get(d.id or "") for d in missing]
        lacking = [i for i, other in enumerate(others) if other is None]
        embedded = self.index.vectors.documents([missing[i].page_content for i in lacking])
        for i, vec in zip(lacking, embedded, strict=True):
            others[i] = vec
        for doc, other in zip(missing, others, strict=True):
            doc.metadata["dense"] = round(float(np.dot(vector, other)), 4)

    def _fuse(
        self, dense: list[tuple[Document, float]], lexical: list[tuple[Document, float]], k: int
    ) -> list[Document]:
        fused: dict[str, float] = {}
        docs: dict[str, Document] = {}
        sims: dict[str, float] = {}
        lex: dict[str, float] = {}
        top_lex = lexical[0][1] if lexical else 1.0
        for ranking, kind in ((dense, "dense"), (lexical, "lexical")):
            for rank, (doc, score) in enumerate(ranking, 1):
                key = doc.id or doc.page_content
                docs.setdefault(key, doc)
                fused[key] = fused.get(key, 0.0) + 1.0 / (self.rrf_k + rank)
                if kind == "dense":
                    sims[key] = score
                else:
                    lex[key] = score / top_lex if top_lex else 0.0
        best = (2 if dense and lexical else 1) / (self.rrf_k + 1)
        picked: list[str] = []
        spare: list[str] = []
        bodies: set[str] = set()
        per_source: Counter[str] = Counter()
        # A wide search (a list's items, a count's figures) may take more of one file: a
        # quarter of what it asks for.
        cap = max(self.per_source, k // 4)
        for key in sorted(fused, key=lambda key: -fused[key]):
            body = chunking.body(docs[key].page_content).strip()
            if body in bodies:
                continue  # the same passage reached through two files or ids
            bodies.add(body)
            source = str(docs[key].metadata.get("source", ""))
            if per_source[source] >= cap:
                spare.append(key)
                continue
            per_source[source] += 1
            picked.append(key)
        ordered = sorted(picked[:k] + spare[: max(0, k - len(picked))], key=lambda key: -fused[key])
        out: list[Document] = []
        for key in ordered:
            doc = docs[key]
            meta = dict(doc.metadata)
            meta.update(
                chunk_id=doc.id or "",
                score=round(fused[key] / best, 4),
                dense=round(sims.get(key, 0.0), 4),
                lexical=round(lex.get(key, 0.0), 4),
            )
            out.append(Document(page_content=doc.page_content, metadata=meta, id=doc.id))
        return out
