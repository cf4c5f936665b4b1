"""The chat handlers: plain functions over a conversation, so tests call them without a server."""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant import storage
from assistant.errors import AssistantError
from assistant.inputs import clean_text
from assistant.pipeline import Assistant
from assistant.readiness import Readiness
from assistant.schema import Answer
from ui import render
from ui.feedback import FeedbackStore

log = logging.getLogger(__name__)

EXAMPLES = (
    "How many times has Article 4 been invoked?",
    "Why did Poland request consultations in September 2025?",
    "How does Article 4 differ from Article 5?",
    "Who can ask for consultations under Article 4?",
)


@dataclass
class Exchange:
    """A question and its answer, and where the answer sits in the chat."""

    turn: int
    question: str
    answer: Answer
    message: int  # index of the answer among the chat's messages
    feedback_id: int | None = None


@dataclass
class Conversation:
    """What one browser session holds: the chat as shown, and the answers behind it."""

    messages: list[dict[str, str]] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    rated: int | None = None  # the turn a comment will be attached to

    def history(self) -> list[dict[str, str]]:
        """Earlier turns as the assistant reads them: plain text, not the chat's HTML."""
        turns = []
        for e in self.exchanges:
            turns += [
                {"role": "user", "content": clean_text(e.question)},
                {"role": "assistant", "content": clean_text(e.answer.answer)},
            ]
        return turns

    def sources(self) -> str:
        return render.sources_html([(e.turn, e.question, e.answer) for e in self.exchanges])

    def at_message(self, index: Any) -> Exchange | None:
        return next((e for e in self.exchanges if e.message == index), None)

    def at_turn(self, turn: int | None) -> Exchange | None:
        return next((e for e in self.exchanges if e.turn == turn), None)


@dataclass(frozen=True)
class Options:
    """The advanced retrieval settings: passages to retrieve, sources, date range."""

    top_k: int | None = None
    sources: Sequence[str] = ()
    date_from: str = ""
    date_to: str = ""

    def filters(self) -> dict[str, Any]:
        return {
            "sources": [clean_text(str(s)) for s in self.sources],
            "date_from": clean_text(str(self.date_from or "")).strip() or None,
            "date_to": clean_text(str(self.date_to or "")).strip() or None,
        }


# What respond yields: the chat's messages, the conversation, the sources panel, the textbox.
Update = tuple[list[dict[str, str]], Conversation, str, str]


def respond(
    assistant: Assistant,
    readiness: Readiness,
    question: str,
    conversation: Conversation,
    options: Options | None = None,
) -> Iterator[Update]:
    """Answers a question in the conversation, yielding the chat as the answer arrives.

    Errors become a notice in the chat, and the question goes back into the textbox.
    """
    conv = copy.deepcopy(conversation)
    options = options or Options()
    panel = conv.sources()
    try:
        readiness.check()
        cleaned = assistant.check_question(question)
        top_k = int(options.top_k) if options.top_k else None
        stream = assistant.stream(
            cleaned, history=conv.history(), filters=options.filters(), top_k=top_k
        )
        asked = {"role": "user", "content": render.question_html(cleaned)}
        so_far = ""
        # Until the answer is complete the conversation itself stays as it was.
        yield [*conv.messages, asked, _reply(render.partial_html(""))], conversation, panel, ""
        for item in stream:
            if isinstance(item, Answer):
                turn = len(conv.exchanges) + 1
                conv.messages += [asked, _reply(render.answer_html(item, turn))]
                conv.exchanges.append(Exchange(turn, cleaned, item, len(conv.messages) - 1))
                yield list(conv.messages), conv, conv.sources(), ""
                return
            so_far += item
            partial = _reply(render.partial_html(so_far))
            yield [*conv.messages, asked, partial], conversation, panel, ""
    except AssistantError as exc:
        message = str(exc)
    except Exception as exc:  # the chat shows a message, the log the details
        explained = storage.explain(exc, assistant.index.dir)
        if explained:
            message = str(explained)
        else:
            log.exception("answering %r failed", str(question)[:200])
            message = (
                f"Something went wrong while answering ({type(exc).__name__}). "
                "The details are in the server log; try again or rephrase the question."
            )
    conv.messages.append(_reply(render.notice_html(message)))
    yield list(conv.messages), conv, panel, question


def _reply(content: str) -> dict[str, str]:
    return {"role": "assistant", "content": content}


def new_conversation() -> tuple[list[dict[str, str]], Conversation, str, str]:
    """An empty chat, sources panel and textbox."""
    return [], Conversation(), render.EMPTY_SOURCES, ""


def rate(
    store: FeedbackStore, conversation: Conversation, message: Any, liked: Any, user: str = ""
) -> tuple[Conversation, str]:
    """Stores a thumbs up (liked True) or down (False) on the answer at a message index.

    liked of None or "" withdraws the rating. Returns the conversation and a status line.
    """
    conv = copy.deepcopy(conversation)
    exchange = conv.at_message(message)
    if exchange is None:
        return conv, "Only answers can be rated."
    rating = 1 if liked is True else -1 if liked is False else 0
    try:
        exchange.feedback_id = store.rate(exchange.answer, rating, user, exchange.feedback_id)
    except AssistantError as exc:
        return conversation, str(exc)
    conv.rated = exchange.turn if rating else None
    if not rating:
        return conv, "Rating withdrawn."
    word = "helpful" if rating > 0 else "not helpful"
    return conv, f"Thanks: answer {exchange.turn} marked {word}. Add a comment if you like."


def comment(store: FeedbackStore, conversation: Conversation, text: str) -> tuple[str, str]:
    """Attaches a comment to the answer last rated; returns (status line, textbox value)."""
    exchange = conversation.at_turn(conversation.rated)
    if exchange is None or exchange.feedback_id is None:
        return "Rate an answer with a thumb first, then add your comment.", text
    if not text.strip():
        return "The comment is empty: type it in the box, then send it.", text
    store.comment(exchange.feedback_id, text)
    return f"Comment saved with your rating of answer {exchange.turn}. Thank you.", ""


def source_choices(assistant: Assistant, readiness: Readiness) -> list[tuple[str, str]]:
    """(title, source) for each indexed document, for the sources filter; none while building."""
    try:
        readiness.check()
        titles = assistant.retriever.lexical.sources()
    except AssistantError:
        return []
    return sorted(((title, source) for source, title in titles.items()), key=lambda c: c[0])
