"""Answer generators chosen by name (ASSISTANT_GENERATOR)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Protocol

from assistant.errors import unknown_name
from assistant.extractive import Draft, ExtractiveGenerator
from assistant.schema import Passage, Turn

if TYPE_CHECKING:
    from assistant.pipeline import Assistant


class Generator(Protocol):
    """Turns a question and retrieved passages into a cited draft answer."""

    name: str

    def generate(self, question: str, passages: Sequence[Passage]) -> Draft: ...


class StreamingGenerator(Generator, Protocol):
    """A generator that can also yield text as it is produced, then the checked draft."""

    def stream(
        self, question: str, passages: Sequence[Passage], history: Sequence[Turn]
    ) -> Iterator[str | Draft]: ...


def _extractive(assistant: Assistant) -> Generator:
    return ExtractiveGenerator(
        idf=lambda term: assistant.retriever.lexical.idf(term),
        vectors=assistant.index.vectors,
        min_evidence=assistant.settings.min_evidence,
    )


GENERATORS: dict[str, Callable[[Assistant], Generator]] = {"extractive": _extractive}


def build(name: str, assistant: Assistant) -> Generator:
    """Builds the generator registered under name. Raises SettingsError for unknown names."""
    try:
        factory = GENERATORS[name]
    except KeyError:
        raise unknown_name("generator", name, list(GENERATORS)) from None
    return factory(assistant)
