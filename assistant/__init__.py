"""Answers questions about NATO consultations from a cited corpus."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from assistant.errors import (
    AssistantError,
    BadQuestion,
    EvalError,
    GeneratorUnavailable,
    IndexNotReady,
    IngestError,
    ModelMismatch,
    SettingsError,
)
from assistant.settings import Settings

__all__ = [
    "Answer",
    "Assistant",
    "AssistantError",
    "BadQuestion",
    "Citation",
    "EvalError",
    "Filters",
    "GeneratorUnavailable",
    "IndexNotReady",
    "IngestError",
    "IngestReport",
    "ModelMismatch",
    "Passage",
    "Settings",
    "SettingsError",
    "Turn",
    "build_assistant",
]

# Heavy modules (LangChain, Chroma, torch) load on first use, so `--help` stays instant.
_LAZY = {
    "Answer": "assistant.schema",
    "Citation": "assistant.schema",
    "Passage": "assistant.schema",
    "Turn": "assistant.schema",
    "Assistant": "assistant.pipeline",
    "build_assistant": "assistant.pipeline",
    "Filters": "assistant.retrieval",
    "IngestReport": "assistant.index",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
