"""Misspelled words corrected to the indexed corpus's own words: 'sweeden' -> 'sweden'.

Only a word that is neither English nor in the index is corrected, and only to an indexed
term that is itself a word and clearly the closest (most letters in common, the same first
letter, a length within two); everything else is left as typed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence

from assistant import text

# How alike a typo and its correction must be (difflib's ratio: 2 * matches / total length).
CUTOFF = 0.85
_WORD = re.compile(r"[^\W\d_]{5,}")


def correct(
    question: str,
    known: Callable[[str], bool],
    vocabulary: Callable[[], Mapping[int, Sequence[str]]],
    is_word: Callable[[str], bool] = lambda word: True,
) -> str:
    """The question with each unknown word of five letters or more replaced by the one
    indexed term it is clearly a misspelling of; the question itself when there is none.
    `known(word)` says whether a lower-case word stands as typed (English or indexed);
    `is_word(term)` whether an indexed term may be written into a question."""

    def fix(match: re.Match[str]) -> str:
        word = match.group()
        lower = word.lower()
        if lower in text.STOPWORDS or known(lower):
            return word
        found = closest(lower, vocabulary(), is_word)
        if found is None:
            return word
        return found.capitalize() if word[0].isupper() else found

    return _WORD.sub(fix, question)


def closest(
    word: str,
    vocabulary: Mapping[int, Sequence[str]],
    is_word: Callable[[str], bool] = lambda term: True,
) -> str | None:
    """The indexed term the word most resembles, if one stands out above CUTOFF."""
    scored: list[tuple[float, str]] = []
    for size in range(len(word) - 2, len(word) + 3):
        for term in vocabulary.get(size, ()):
            if term[0] != word[0]:
                continue
            if _swapped(word, term):
                scored.append((CUTOFF, term))
                continue
            matcher = difflib.SequenceMatcher(None, word, term)
            if matcher.real_quick_ratio() >= CUTOFF and matcher.quick_ratio() >= CUTOFF:
                ratio = matcher.ratio()
                if ratio >= CUTOFF:
                    scored.append((ratio, term))
    scored.sort(reverse=True)
    if not scored or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    # The index keeps stems ('invok', 'treati'): only a real word goes into a question.
    return scored[0][1] if is_word(scored[0][1]) else None


def _swapped(word: str, term: str) -> bool:
    """True when two neighbouring letters are swapped: 'polnad' for 'poland'."""
    if len(word) != len(term):
        return False
    diff = [i for i, (a, b) in enumerate(zip(word, term, strict=True)) if a != b]
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and word[diff[0]] == term[diff[1]]
        and word[diff[1]] == term[diff[0]]
    )
