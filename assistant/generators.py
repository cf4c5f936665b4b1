"""Answer generators chosen by name (ASSISTANT_GENERATOR), all behind one contract."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from assistant.embeddings import VectorCache
from assistant.errors import unknown_name
from assistant.extractive import ExtractiveGenerator
from assistant.schema import Draft, Passage, Search, Turn
from assistant.settings import Settings


class Generator(Protocol):
    """Turns a question, its passages and the conversation into a cited draft answer."""

    name: str

    def generate(
        self,
        question: str,
        passages: Sequence[Passage],
        history: Sequence[Turn],
        search: Search | None,
    ) -> Draft: ...


@runtime_checkable
class StreamingGenerator(Protocol):
    """A generator that also yields text as it is produced, ending with the checked draft,
    and rewrites follow-ups itself."""

    name: str

    def generate(
        self,
        question: str,
        passages: Sequence[Passage],
        history: Sequence[Turn],
        search: Search | None,
    ) -> Draft: ...

    def stream(
        self,
        question: str,
        passages: Sequence[Passage],
        history: Sequence[Turn],
        search: Search | None,
    ) -> Iterator[str | Draft]: ...

    def condense(self, question: str, history: Sequence[Turn]) -> str: ...


@dataclass(frozen=True)
class Parts:
    """What generators are built from: settings, the corpus's term weights, the vectors."""

    settings: Settings
    idf: Callable[[str], float]
    vectors: VectorCache


def extractive(parts: Parts) -> ExtractiveGenerator:
    """The offline generator, also the fallback of the others."""
    return ExtractiveGenerator(parts.idf, parts.vectors, parts.settings.min_evidence)


def _llm(kind: str) -> Callable[[Parts], Generator]:
    def factory(parts: Parts) -> Generator:
        # Imported here: LangChain's model clients and transformers are slow to import.
        from assistant import llm

        return llm.build(kind, parts.settings, parts.vectors, extractive(parts))

    return factory


GENERATORS: dict[str, Callable[[Parts], Generator]] = {
    "extractive": extractive,
    "openai": _llm("openai"),
    "huggingface": _llm("huggingface"),
}


def build(name: str, parts: Parts) -> Generator:
    """Builds the generator registered under name. Raises SettingsError for unknown names."""
    try:
        factory = GENERATORS[name]
    except KeyError:
        raise unknown_name("generator", name, list(GENERATORS)) from None
    return factory(parts)
