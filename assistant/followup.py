"""Rewrites a follow-up question into a standalone one, without a language model."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.schema import Turn

_ANAPHORA = re.compile(
    r"\b(it|its|they|them|their|this|that|these|those|he|she|him|her|his|then|there|"
    r"the same|the reason|the outcome|the result|the request|the meeting|the invocation)\b",
    re.IGNORECASE,
)
_SWAP = re.compile(
    r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(?P<x>.+?)\s*\??\s*$|^\s*and\s+(?P<y>[^?]+?)\s*\?\s*$",
    re.IGNORECASE,
)
# Words that start questions or sentences and are capitalised for that reason alone.
_NOT_NAMES = frozenset(
    """
    what when where why who whom whose which how is are was were did does do can could
    would should will has have had and but or the a an in on at of for to tell give list
    explain describe i please
    """.split()
)
# A name runs over capitalised words ("North Atlantic Council") but stops after a
# possessive ("Estonia's September 2025 request" names Estonia, then September 2025).
_ENTITY = re.compile(
    r"\b(?:Article\s+\d+|(?:1[89]|20)\d\d"
    r"|(?:[A-Z]\.|[A-Z][\w-]*(?:[’'][\w-]+)?)"
    r"(?:(?<![’']s)\s+(?:of\s+)?(?:[A-Z]\.|[A-Z][\w-]*(?:[’'][\w-]+)?))*)"
)


def entities(question: str) -> list[str]:
    """Names, years and 'Article N' mentions: what a question is about."""
    found = []
    for match in _ENTITY.finditer(question):
        value = match.group()
        if value.split()[0].lower() in _NOT_NAMES:
            value = " ".join(value.split()[1:])
        if value and value.lower() not in _NOT_NAMES and value not in found:
            found.append(value)
    return found


def needs_context(question: str) -> bool:
    """True when the question leans on earlier turns to make sense."""
    swap = _SWAP.match(question)
    if (swap and _is_swap(swap.group("x") or swap.group("y") or "")) or _ANAPHORA.search(question):
        return True
    own = [e for e in entities(question) if not e.startswith("Article")]
    return len(question.split()) <= 4 and not own


def rewrite(question: str, history: Sequence[Turn]) -> str:
    """Returns the question made standalone using the latest turns."""
    asked = [t.content.strip() for t in history if t.role == "user" and t.content.strip()]
    if not asked or not needs_context(question):
        return question
    previous = asked[-1]
    # A previous follow-up borrowed its subject too: walk back to one that names it.
    for earlier in reversed(asked):
        if entities(earlier):
            previous = earlier
            break
    swap = _SWAP.match(question)
    if swap and _is_swap(swap.group("x") or swap.group("y") or ""):
        new = (swap.group("x") or swap.group("y") or "").strip()
        old = [
            e for e in entities(previous) if e.startswith("Article") == new.startswith("Article")
        ]
        if old:
            return previous.replace(old[0], new, 1)
        return f"{previous.rstrip(' ?')} {new}?"
    context = [e for e in entities(previous) if e not in question]
    answers = [t.content for t in history if t.role == "assistant"]
    if answers and _ANAPHORA.search(question):
        # "Who runs it?" after "NATO launched Eastern Sentry": the answer named the subject.
        said = re.sub(r"\[\d+\]", "", answers[-1])
        fresh = [e for e in entities(said) if e not in previous and e not in question]
        context += [e for e in fresh if e not in context][:1]
    if not context:
        return f"{question.rstrip(' ?')} ({previous.rstrip(' ?')})?"
    return f"{question.rstrip(' ?')} ({', '.join(context)})?"


_BORROWED = re.compile(r"\s\([^()]*\)\?$")


def own_words(standalone: str) -> str:
    """A rewritten question without the context it borrowed from earlier turns."""
    return _BORROWED.sub("?", standalone)


def _is_swap(subject: str) -> bool:
    """'What about Estonia?' swaps the subject; 'And who was ...?' is a new question."""
    first = subject.split()[0].lower() if subject.split() else ""
    return 0 < len(subject.split()) <= 4 and first not in _NOT_NAMES
