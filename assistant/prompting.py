"""Prompts for language models: numbered, delimited sources trimmed to the context budget.

The prompt texts live in assistant/prompts/*.txt. Sources go inside one <sources> block,
each in a <source n=".." title=".." date=".."> element, and the system prompt says that
everything inside is data. A document cannot close the block early: tags of that name in
its text are defused before it is quoted.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from functools import cache
from importlib import resources

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder

from assistant import text
from assistant.schema import Passage, Turn

# Below this many characters a cut source says too little to be worth its place.
MIN_SOURCE_CHARS = 300
_TAGS = re.compile(r"<(\s*/?\s*)(sources?)\b", re.IGNORECASE)


@cache
def load(name: str) -> str:
    """The prompt text stored as assistant/prompts/<name>.txt."""
    return (resources.files("assistant") / "prompts" / f"{name}.txt").read_text("utf-8").strip()


@cache
def answer_template() -> ChatPromptTemplate:
    """System rules, the conversation so far, then the sources and the question."""
    return ChatPromptTemplate.from_messages(
        [
            ("system", load("answer_system")),
            MessagesPlaceholder("history", optional=True),
            ("human", load("answer_user")),
        ]
    )


@cache
def condense_template() -> ChatPromptTemplate:
    """Asks for the last question rewritten to stand on its own."""
    return ChatPromptTemplate.from_messages(
        [
            ("system", load("condense_system")),
            ("human", load("condense_user")),
        ]
    )


def quoted(data: str) -> str:
    """Document text made safe to place inside the <sources> block."""
    return _TAGS.sub(lambda m: "‹" + m.group(1) + m.group(2), data)


def source_block(n: int, passage: Passage, body: str | None = None) -> str:
    """One numbered source, with its title and date, its text delimited as data."""
    title = quoted(passage.title).replace('"', "'")
    date = passage.date or "undated"
    data = quoted(body or passage.text)
    return f'<source n="{n}" title="{title}" date="{date}">\n{data}\n</source>'


def fit_sources(passages: Sequence[Passage], budget: int) -> list[Passage]:
    """The passages, best first, that fit in budget characters of source blocks.

    The first passage that does not fit whole is cut at a word boundary when enough room
    is left; the rest are left out. The best passage is always kept, cut if need be.
    """
    kept: list[Passage] = []
    left = budget
    for passage in passages:
        cost = len(source_block(len(kept) + 1, passage)) + 1
        if cost <= left:
            kept.append(passage)
            left -= cost
            continue
        room = left - (cost - len(passage.text)) - 2
        if room >= MIN_SOURCE_CHARS or not kept:
            cut = passage.text[: max(room, MIN_SOURCE_CHARS)].rsplit(" ", 1)[0] + " …"
            kept.append(dataclasses.replace(passage, text=cut))
        break
    return kept


def strip_markers(answer: str) -> str:
    """An earlier answer without its [n] markers, which named other sources."""
    return text.unmarked(answer)


def history_messages(history: Sequence[Turn], budget: int) -> list[BaseMessage]:
    """The latest turns that fit in budget characters, oldest first."""
    kept: list[BaseMessage] = []
    for turn in reversed(history):
        content = strip_markers(turn.content) if turn.role == "assistant" else turn.content
        if len(content) > budget:
            break
        budget -= len(content)
        kept.append(AIMessage(content) if turn.role == "assistant" else HumanMessage(content))
    return kept[::-1]


def answer_messages(
    question: str, passages: Sequence[Passage], history: Sequence[Turn], context_chars: int
) -> tuple[list[BaseMessage], list[Passage]]:
    """The answer prompt and the sources it numbers, within context_chars characters.

    The sources come first: the conversation gets at most a quarter of the budget.
    """
    form = answer_form(question)
    fixed = len(load("answer_system")) + len(load("answer_user")) + len(question) + len(form)
    turns = history_messages(history, min(context_chars // 4, max(0, context_chars - fixed) // 2))
    used = fixed + sum(len(str(m.content)) for m in turns)
    sources = fit_sources(passages, context_chars - used)
    blocks = "\n".join(source_block(n, p) for n, p in enumerate(sources, 1))
    prompt = answer_template().invoke(
        {"sources": blocks, "question": question, "history": turns, "form": form}
    )
    return prompt.to_messages(), sources


def answer_form(question: str) -> str:
    """How the answer should open, by the question's expected answer type."""
    from assistant import analysis

    q = analysis.analyse(question)
    forms = dict(line.split(": ", 1) for line in load("answer_forms").splitlines() if ": " in line)
    return forms.get(q.kind, forms["other"]).replace("{sides}", " and ".join(q.sides))


def condense_messages(
    question: str, history: Sequence[Turn], context_chars: int
) -> list[BaseMessage]:
    """The prompt that turns a follow-up into a standalone question."""
    budget = context_chars - len(load("condense_system")) - len(question)
    turns = history_messages(history, max(0, budget))
    conversation = "\n".join(
        f"{'User' if isinstance(m, HumanMessage) else 'Assistant'}: {m.content}" for m in turns
    )
    prompt = condense_template().invoke({"conversation": conversation, "question": question})
    return prompt.to_messages()
