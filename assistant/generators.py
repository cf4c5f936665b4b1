"""Answer generators chosen by name (ASSISTANT_GENERATOR)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Protocol, cast

from assistant.errors import unknown_name
from assistant.extractive import Draft, ExtractiveGenerator, Search
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
        self,
        question: str,
        passages: Sequence[Passage],
        history: Sequence[Turn],
        search: Search | None = None,
    ) -> Iterator[str | Draft]: ...


class ConversationalGenerator(Generator, Protocol):
    """A generator whose prompt also carries the earlier turns (uses_history = True)."""

    uses_history: bool

    def generate(
        self,
        question: str,
        passages: Sequence[Passage],
        history: Sequence[Turn] = (),
        search: Search | None = None,
    ) -> Draft: ...


def draft(
    generator: Generator,
    question: str,
    passages: Sequence[Passage],
    history: Sequence[Turn],
    search: Search | None = None,
) -> Draft:
    """The generator's draft; generators that use the conversation also get the history,
    and those that corroborate figures get a search within the question's filters."""
    if getattr(generator, "uses_history", False):
        return cast("ConversationalGenerator", generator).generate(
            question, passages, history, search
        )
    if search is not None and getattr(generator, "corroborates", False):
        return cast("ExtractiveGenerator", generator).generate(question, passages, search)
    return generator.generate(question, passages)


def _extractive(assistant: Assistant) -> Generator:
    return ExtractiveGenerator(
        idf=lambda term: assistant.retriever.lexical.idf(term),
        vectors=assistant.index.vectors,
        min_evidence=assistant.settings.min_evidence,
    )


def _llm(kind: str) -> Callable[[Assistant], Generator]:
    def factory(assistant: Assistant) -> Generator:
        # Imported here: LangChain's model clients and transformers are slow to import.
        from assistant import llm

        return llm.build(kind, assistant)

    return factory


GENERATORS: dict[str, Callable[[Assistant], Generator]] = {
    "extractive": _extractive,
    "openai": _llm("openai"),
    "huggingface": _llm("huggingface"),
}


def build(name: str, assistant: Assistant) -> Generator:
    """Builds the generator registered under name. Raises SettingsError for unknown names."""
    try:
        factory = GENERATORS[name]
    except KeyError:
        raise unknown_name("generator", name, list(GENERATORS)) from None
    return factory(assistant)
