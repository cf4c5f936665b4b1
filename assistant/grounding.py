"""The citation check: every sentence of a model's answer must rest on the source it cites.

A sentence's support by a passage is

    support = 0.5 * overlap + 0.5 * similarity

where overlap is the share of the sentence's content words (stemmed, stop words left out)
that occur in the passage, and similarity is the highest cosine between the sentence's
embedding and the embeddings of the passage and of each of its sentences. Overlap catches
invented details; similarity lets a paraphrase through. A sentence that states a number,
or names a person, place or body, that the passage does not contain has no support at all:
a changed date or a swapped name keeps both signals high. The threshold
(Settings.support_threshold) is calibrated on tests/data/support_pairs.jsonl, see docs/llm.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant import text
from assistant.chunking import body
from assistant.schema import Citation, Passage

Embed = Callable[[list[str]], list[list[float]]]

# [1], [1, 3] and [1][3]; the numbers are checked against the sources given.
_MARKERS = re.compile(r"\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")
# "It was signed.[1] Then" -> "It was signed [1]. Then", so the marker stays with its sentence.
_AFTER_STOP = re.compile(r"\s*([.!?])((?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+)")
_NAME = re.compile(r"(?:^|(?<=\s))[A-Z][a-zà-ÿ]+")
# Words that are capitalised only because they open a sentence (stop words aside).
_OPENERS = frozenset(
    "after before during since following according although while however unlike despite "
    "because under between among until within without through across against later "
    "finally first second third today instead eventually meanwhile overall together "
    "neither either several thus therefore hence moreover furthermore additionally yes "
    "in on at as".split()
)
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*+•]|\d+[.)])[ \t]+")
# Sentences that say the sources lack something make no claim of their own.
_NO_ANSWER = re.compile(
    r"\b(sources?|documents?|passages?|context)\b[^.]{0,60}?\b(do(?:es)?\s*n[o']?t|never|"
    r"fail to)\s+(say|mention|state|contain|answer|specify|cover|include|provide|give)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Claim:
    """One sentence of an answer, its markers taken out."""

    text: str
    cited: tuple[int, ...]
    line: int
    prefix: str  # a list marker such as "- " when the sentence starts a list item


@dataclass(frozen=True)
class Support:
    """How well a passage backs a sentence, and the passage sentence that backs it best."""

    score: float
    quote: str


@dataclass(frozen=True)
class Checked:
    """A model's answer after the check: what is left, and what was taken out."""

    answer: str
    citations: tuple[Citation, ...]
    refused: bool  # the model said the sources do not contain the answer
    dropped: tuple[str, ...] = ()  # sentences without support
    invented: tuple[int, ...] = ()  # markers naming no source that was given

    @property
    def empty(self) -> bool:
        """True when no supported sentence is left and the model did not refuse."""
        return not self.refused and not self.citations


def claims(answer: str) -> list[Claim]:
    """Splits an answer into sentences with the source numbers each one cites."""
    answer = _AFTER_STOP.sub(lambda m: " " + m.group(2).strip() + m.group(1), answer)
    found: list[Claim] = []
    for start, end in text.sentences(answer):
        sentence = answer[start:end]
        line_start = answer.rfind("\n", 0, start) + 1
        line = answer.count("\n", 0, start)
        cited = tuple(
            int(n) for group in _MARKERS.findall(sentence) for n in re.split(r"[,;]", group)
        )
        clean = " ".join(_MARKERS.sub(" ", sentence).split())
        clean = re.sub(r"\s+([.!?,;:])", r"\1", clean)
        if not re.search(r"\w", clean):
            if found:  # a marker on its own belongs to the sentence before it
                last = found[-1]
                found[-1] = Claim(last.text, last.cited + cited, last.line, last.prefix)
            continue
        item = _LIST_ITEM.match(answer, line_start)
        found.append(Claim(clean, cited, line, item.group() if item else ""))
    return found


def numbers(sentence: str) -> set[str]:
    """The numbers a text states, in digits or words ('1,000', '1000'; 'nine', '9')."""
    digits = set(re.findall(r"\d+", sentence.replace(",", "")))
    return digits | {str(n) for n in text.counts(sentence)}


def names(sentence: str) -> set[str]:
    """Capitalised words: the names of people, places and bodies the sentence mentions."""
    found = set()
    for match in _NAME.finditer(sentence):
        word = match.group().lower()
        opens = match.start() == 0 and (word in _OPENERS or word.endswith("ly"))
        # Number words are left to the check on numbers.
        if word not in text.STOPWORDS and not opens and not text.counts(word):
            found.add(word)
    return found


def _mentions(passage_words: set[str], name: str) -> bool:
    # A shared stem of four letters lets 'Syrian' match 'Syria' and 'Turkish' 'Turkey'.
    return any(word.startswith(name[:4]) for word in passage_words)


class Grounding:
    """Checks a model's answer against the numbered sources it was given."""

    def __init__(self, embed: Embed, threshold: float) -> None:
        self.embed = embed
        self.threshold = threshold

    def supports(self, sentences: Sequence[str], passage: Passage) -> list[Support]:
        """The support the passage gives each sentence."""
        units = [passage.text] + [
            quote for quote in _sentences(body(passage.text)) if len(quote.split()) >= 3
        ]
        vectors = np.asarray(self.embed([*sentences, *units]), dtype=float)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True).clip(min=1e-12)
        sims = vectors[: len(sentences)] @ vectors[len(sentences) :].T
        known = set(text.terms(passage.text))
        stated = numbers(passage.text)
        words = set(text.words(passage.text))
        out = []
        for i, sentence in enumerate(sentences):
            terms = set(text.terms(sentence))
            overlap = len(terms & known) / len(terms) if terms else 0.0
            score = 0.5 * overlap + 0.5 * max(0.0, float(sims[i].max()))
            if not numbers(sentence) <= stated or not all(
                _mentions(words, name) for name in names(sentence)
            ):
                score = 0.0
            # The quote is the passage sentence closest to the claim (the whole passage
            # only when it has no sentence of its own).
            best = int(sims[i, 1:].argmax()) + 1 if len(units) > 1 else 0
            out.append(Support(round(score, 4), body(units[best]) if best == 0 else units[best]))
        return out

    def check(self, answer: str, sources: Sequence[Passage]) -> Checked:
        """Keeps the sentences their cited source supports, renumbering the sources kept."""
        parsed = claims(answer)
        invented = sorted({n for c in parsed for n in c.cited if not 1 <= n <= len(sources)})
        support: dict[tuple[int, int], Support] = {}
        for n in sorted({n for c in parsed for n in c.cited if 1 <= n <= len(sources)}):
            citing = [i for i, c in enumerate(parsed) if n in c.cited]
            scores = self.supports([parsed[i].text for i in citing], sources[n - 1])
            support.update({(i, n): s for i, s in zip(citing, scores, strict=True)})

        kept: list[tuple[int, Claim, list[int]]] = []
        dropped: list[str] = []
        said_no = False
        for i, claim in enumerate(parsed):
            backed = [
                n
                for n in dict.fromkeys(claim.cited)
                if (i, n) in support and support[i, n].score >= self.threshold
            ]
            if backed:
                kept.append((i, claim, backed))
            elif not claim.cited and _NO_ANSWER.search(claim.text):
                said_no = True
                kept.append((i, claim, []))
            else:
                dropped.append(claim.text)

        numbering: dict[int, int] = {}
        best: dict[int, Support] = {}
        lines: dict[int, tuple[str, list[str]]] = {}
        for i, claim, backed in kept:
            for n in backed:
                numbering.setdefault(n, len(numbering) + 1)
                if n not in best or support[i, n].score > best[n].score:
                    best[n] = support[i, n]
            _, parts = lines.setdefault(claim.line, (claim.prefix, []))
            parts.append(_cite(claim.text, [numbering[n] for n in backed]))
        citations = tuple(Citation(numbering[n], sources[n - 1], best[n].quote) for n in numbering)
        rendered = "\n".join(prefix + " ".join(parts) for prefix, parts in lines.values())
        return Checked(
            answer=rendered if citations else "",
            citations=citations,
            refused=said_no and not citations,
            dropped=tuple(dropped),
            invented=tuple(invented),
        )


def _sentences(passage_body: str) -> list[str]:
    return [passage_body[s:e] for s, e in text.sentences(passage_body)]


def _cite(sentence: str, ns: Sequence[int]) -> str:
    """Puts the markers before the sentence's final punctuation: 'It was signed [1].'"""
    if not ns:
        return sentence
    markers = "".join(f"[{n}]" for n in ns)
    stripped = sentence.rstrip()
    if stripped and stripped[-1] in ".!?":
        return f"{stripped[:-1].rstrip()} {markers}{stripped[-1]}"
    return f"{stripped} {markers}."
