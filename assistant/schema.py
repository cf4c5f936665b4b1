"""The small frozen records the stages hand each other: turns, citations, answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from assistant.errors import BadQuestion

if TYPE_CHECKING:
    from assistant.analysis import Entity

REFUSAL = (
    "The sources don't say. I found nothing in the indexed documents that answers this "
    "question, so I won't guess."
)
NOT_ENGLISH = (
    "I answer questions in English only: the sources and the way I read questions are in "
    "English, so I can't reliably understand this one. Please ask it in English."
)

# Questions the sources cannot answer by their nature, whatever is indexed.
SPECULATIVE = {
    "forecast": (
        "The sources report what has happened; they don't say what will happen, so I "
        "can't answer this without guessing. Ask me what has happened so far instead."
    ),
    "opinion": (
        "That asks for a judgement. The sources report what was done and what the people "
        "involved said, not whether it was right, so I won't give an opinion. Ask me what "
        "happened or what was said about it instead."
    ),
}


@dataclass(frozen=True)
class Turn:
    """One message of a conversation."""

    role: str  # "user" or "assistant"
    content: str


def parse_history(raw: Any) -> list[Turn]:
    """Validates a history given as a list of {role, content}. Raises BadQuestion."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, Sequence) or isinstance(raw, (str, bytes)):
        raise BadQuestion("history must be a list of {role, content} objects.")
    turns = []
    for i, item in enumerate(raw):
        if isinstance(item, Turn):
            turns.append(item)
            continue
        if not isinstance(item, Mapping) or not isinstance(item.get("content"), str):
            raise BadQuestion(f"history[{i}] must be an object with a string 'content'.")
        role = item.get("role")
        if role not in ("user", "assistant", "system"):
            raise BadQuestion(f"history[{i}].role must be 'user' or 'assistant', not {role!r}.")
        if role != "system":
            turns.append(Turn(str(role), item["content"]))
    return turns


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk, as answering and the user see it."""

    chunk_id: str
    source: str
    title: str
    text: str  # the whole chunk, context line included
    score: float
    dense: float = 0.0
    date: str | None = None
    heading: str = ""
    url: str = ""
    # Named entities found at ingestion (offsets into text); None when the chunk was not
    # parsed there (an older index), () when it names none.
    entities: tuple[Entity, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "chunk_id": self.chunk_id, "score": self.score}


@dataclass(frozen=True)
class Citation:
    """A numbered pointer from the answer to a sentence inside a retrieved chunk."""

    n: int
    passage: Passage
    quote: str  # verbatim from passage.text

    def to_dict(self) -> dict[str, Any]:
        p = self.passage
        return {
            "n": self.n,
            "source": p.source,
            "title": p.title,
            "date": p.date,
            "quote": self.quote,
            "chunk_id": p.chunk_id,
            "score": p.score,
            "url": p.url,
        }


@dataclass(frozen=True)
class Draft:
    """A generator's answer before timings and retrieval are attached."""

    answer: str
    refused: bool
    citations: tuple[Citation, ...] = ()
    fallback: str = ""  # why an LLM answer was replaced by the extractive one


def refusal(message: str = REFUSAL) -> Draft:
    """The draft that says the sources don't answer (or why the question can't be)."""
    return Draft(answer=message, refused=True)


# Searches the index within the request's filters: (query, k) -> passages, best first.
# Generators use it for a second look: a list's other items, a two-step question's inner
# event, another source's figure for the same count.
Search = Callable[[str, int], Sequence[Passage]]


@dataclass(frozen=True)
class Answer:
    """What the assistant says, the passages it rests on, and how long it took."""

    question: str
    answer: str
    refused: bool
    citations: tuple[Citation, ...] = ()
    retrieved: tuple[Passage, ...] = ()
    timings_ms: Mapping[str, float] = field(default_factory=dict)
    standalone_question: str = ""
    generator: str = "extractive"
    fallback: str = ""  # why an LLM answer was replaced by the extractive one

    def to_dict(self) -> dict[str, Any]:
        """The `ask --json` and `/api/ask` object."""
        return {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "citations": [c.to_dict() for c in self.citations],
            "retrieved": [p.to_dict() for p in self.retrieved],
            "timings_ms": dict(self.timings_ms),
            "standalone_question": self.standalone_question,
            "generator": self.generator,
            "fallback": self.fallback,
        }
