"""The offline answerer: picks the sentences that answer the question and cites each one."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from assistant import text
from assistant.chunking import body_offset
from assistant.embeddings import VectorCache
from assistant.followup import entities, own_words
from assistant.schema import REFUSAL, Citation, Passage

QUESTION_TYPES = ("count", "why", "when", "who", "where", "what")
_TYPE_PATTERNS = [
    ("count", r"\bhow (many|often|much)\b|\bnumber of\b|\bwhich time\b|\bhow frequently\b"),
    ("why", r"\bwhy\b|\breasons?\b|\bcause[sd]?\b|\btrigger|\bwhat (led|prompted|caused)\b"),
    (
        "when",
        r"\bwhen\b|\bwhat (date|day|year|month)\b|\bwhich (date|day|year|month)\b"
        r"|\bin what year\b|\bsince when\b|\bhow long\b",
    ),
    (
        "who",
        r"\bwho\b|\bwhom\b|\bwhose\b|\bwhich (countr|all(y|ies)|state|member|person"
        r"|leader|nation|government)",
    ),
    (
        "where",
        r"\bwhere\b|\bwhich (city|place|town|village|island|region)\b|\bin what (city|place)",
    ),
]
_CAUSAL = re.compile(
    r"\b(because|after|following|in response to|due to|over|triggered|prompted|reason|"
    r"caused|killed|attack|shot down|so that|to discuss|response)\b",
    re.IGNORECASE,
)
_NAME = re.compile(
    r"(?<=[a-z,;] )[A-Z][a-zà-ÿ’'-]+|\b(?:Secretary General|Prime Minister|President)\b"
)
_PLACE = re.compile(r"\b(?:in|at|near|from|over|off)\s+(?:the\s+)?[A-Z][a-zà-ÿ]+")


_HEDGES = re.compile(
    r"\b(wrongly|error|erroneous|incorrect(ly)?|falsely|mistaken(ly)?|undercount|"
    r"not confirmed|unconfirmed|no source)\b",
    re.IGNORECASE,
)
_REPORTED = re.compile(
    r"\b(says?|said|wrote|claims?|according to|reports?|reported)\b", re.IGNORECASE
)


def _hedged(sentence: str) -> float:
    """A penalty for sentences that report a claim, or a claim's error, not a fact."""
    if _HEDGES.search(sentence):
        return 0.1
    return 0.04 if _REPORTED.search(sentence) else 0.0


def question_type(question: str) -> str:
    """Classifies a question as count, why, when, who, where or what."""
    lowered = question.lower()
    for name, pattern in _TYPE_PATTERNS:
        if re.search(pattern, lowered):
            return name
    return "what"


def _fits(kind: str, sentence: str, years: set[str]) -> float:
    """How well a sentence has the shape of an answer to this type of question (0 to 1).

    For 'when', a day-precise date is best, and better still in the year the question
    names ('When did Poland invoke Article 4 in 2014?' wants a date in 2014).
    """
    if kind == "count":
        return 1.0 if text.has_number(sentence) else 0.0
    if kind == "when":
        dated = text.full_date_years(sentence)
        if dated:
            return 1.0 if not years or years & dated else 0.5
        return 0.6 if text.has_date(sentence) else 0.0
    if kind == "why":
        return 1.0 if _CAUSAL.search(sentence) else 0.0
    if kind == "who":
        return min(1.0, len(_NAME.findall(sentence)) / 2)
    if kind == "where":
        return 1.0 if _PLACE.search(sentence) else 0.0
    return 0.5


@dataclass(frozen=True)
class Candidate:
    passage: Passage
    quote: str
    overlap: float
    semantic: float
    score: float
    counts: tuple[int, ...]


@dataclass(frozen=True)
class Draft:
    """A generator's answer before timings and retrieval are attached."""

    answer: str
    refused: bool
    citations: tuple[Citation, ...] = ()
    fallback: str = ""


def refusal() -> Draft:
    return Draft(answer=REFUSAL, refused=True)


Search = Callable[[str], Sequence[Passage]]


def missing_specifics(question: str, passages: Sequence[Passage]) -> list[str]:
    """Names and years the question asks about that no passage mentions.

    A question about 2030 or about FIFA is not answered by passages about 2025 and NATO,
    however close they are in meaning.
    """
    # Names a follow-up borrowed from the conversation ("... (Poland, 2014)?") were asked
    # about before; only the question's own names must be found.
    question = own_words(question)
    haystack = text.fold(" ".join(p.text for p in passages))
    present = set(text.words(haystack))
    missing = []
    for name in entities(question):
        name = text.fold(re.sub(r"['’]s$", "", name))
        if name in haystack:
            continue
        parts = text.words(name)
        # A long name may be paraphrased ("Supreme Allied Commander Europe"): half will do.
        if len(parts) > 1 and sum(p in present for p in parts) * 2 >= len(parts):
            continue
        missing.append(name)
    return missing


class ExtractiveGenerator:
    """Composes a short answer from retrieved sentences, each ending with its [n]."""

    name = "extractive"

    def __init__(
        self,
        idf: Callable[[str], float],
        vectors: VectorCache,
        min_evidence: float,
        max_sentences: int = 3,
    ) -> None:
        self.idf = idf
        self.vectors = vectors
        self.min_evidence = min_evidence
        self.max_sentences = max_sentences

    def evidence(self, candidates: Sequence[Candidate], passages: Sequence[Passage]) -> float:
        """How strongly the passages bear on the question (0 to 1): refusal below threshold.

        Sentence overlap catches questions whose key terms the corpus lacks ('cost in euros');
        dense similarity catches paraphrases that share few words.
        """
        best_overlap = max((c.overlap for c in candidates), default=0.0)
        best_semantic = max((c.semantic for c in candidates), default=0.0)
        best_dense = max((p.dense for p in passages), default=0.0)
        return 0.5 * best_overlap + 0.25 * best_semantic + 0.25 * best_dense

    def candidates(
        self,
        question: str,
        passages: Sequence[Passage],
        keep: Callable[[str], bool] | None = None,
    ) -> list[Candidate]:
        """Every sentence of the passages (that `keep` accepts), scored, best first."""
        kind = question_type(question)
        q_terms = set(text.terms(question))
        q_pairs = text.bigrams(question)
        weights = {t: self.idf(t) for t in q_terms}
        total = sum(weights.values()) or 1.0
        top_dense = max((p.dense for p in passages), default=0.0) or 1.0
        spans: list[tuple[int, int, Passage, str]] = []
        seen: set[str] = set()
        for rank, passage in enumerate(passages):
            start = body_offset(passage.text)
            for i, (s, e) in enumerate(text.sentences(passage.text[start:])):
                quote = passage.text[start + s : start + e]
                if quote not in seen and len(quote.split()) >= 4 and (keep is None or keep(quote)):
                    seen.add(quote)
                    spans.append((rank, i, passage, quote))
        if not spans:
            return []
        focus = text.focus_noun(question) if kind == "count" else None
        years = set(text.years(question))
        q_vec = np.asarray(self.vectors.query(question))
        sims = np.asarray(self.vectors.documents([quote for *_, quote in spans])) @ q_vec
        found: list[Candidate] = []
        for (rank, i, passage, quote), semantic in zip(spans, sims.tolist(), strict=True):
            s_terms = set(text.terms(quote))
            overlap = sum(w for t, w in weights.items() if t in s_terms) / total
            phrase = len(q_pairs & text.bigrams(quote)) / max(1, len(q_pairs))
            relevance = 0.5 * passage.dense / top_dense + 0.5 * passage.score
            score = (
                0.35 * overlap
                + 0.1 * phrase
                + 0.25 * semantic
                + 0.1 * relevance
                + 0.2 * _fits(kind, quote, years)
                + (0.03 if i == 0 else 0.0)
                - _hedged(quote)
                - (0.05 if len(quote.split()) > 45 else 0.0)
                - 0.01 * rank
            )
            counts = text.counts_of(focus, quote) if focus else text.counts(quote)
            found.append(Candidate(passage, quote, overlap, semantic, score, tuple(counts)))
        return sorted(found, key=lambda c: -c.score)

    # The pipeline passes `search` (bound to the request's filters) to generators that say so.
    corroborates = True

    def _corroborating(
        self, question: str, focus: str, passages: Sequence[Passage], search: Search
    ) -> list[Candidate]:
        """Sentences elsewhere in the corpus that state a figure for the same thing.

        Sources often disagree on counts, and the one that disagrees may rank low for the
        question itself; a keyword search finds it, and only sentences that give a number
        for the question's focus and share its key terms are kept (and embedded).
        """
        seen = {p.chunk_id for p in passages}
        extra = [p for p in search(question) if p.chunk_id not in seen]
        key = set(text.terms(question))

        def states_figure(sentence: str) -> bool:
            shared = key & set(text.terms(sentence))
            return bool(text.counts_of(focus, sentence)) and len(shared) * 2 >= len(key)

        return [c for c in self.candidates(question, extra, keep=states_figure) if c.overlap]

    def generate(
        self, question: str, passages: Sequence[Passage], search: Search | None = None
    ) -> Draft:
        """Answers from the passages, or refuses when they do not bear on the question.

        For counts, `search` looks for other sources stating the same figure, so that a
        disagreement between sources is found even when only one of them was retrieved.
        """
        if missing_specifics(question, passages):
            return refusal()
        ranked = [c for c in self.candidates(question, passages) if c.overlap > 0]
        if not ranked or self.evidence(ranked, passages) < self.min_evidence:
            return refusal()
        kind = question_type(question)
        lead = ranked[0]
        disagreement = None
        if kind == "count":
            pool = ranked
            focus = text.focus_noun(question)
            if search is not None and focus and ranked[0].counts:
                pool = ranked + self._corroborating(question, focus, passages, search)
            lead, disagreement = _latest_of_disagreeing(pool)
        chosen = [lead]
        limit = 2 if kind in ("count", "when", "who", "where") else self.max_sentences
        for cand in ranked[1:]:
            if len(chosen) >= limit or cand.score < 0.8 * ranked[0].score:
                break
            if cand is disagreement or any(_similar(cand.quote, c.quote) for c in chosen):
                continue
            if kind == "count" and cand.counts[:1] != lead.counts[:1]:
                continue  # a second, different number would muddle a count answer
            chosen.append(cand)
        return _compose(chosen, disagreement)


def _latest_of_disagreeing(ranked: list[Candidate]) -> tuple[Candidate, Candidate | None]:
    """For counts: when sources of different dates give different figures for the question's
    focus ('nine times' against 'for the eighth time'), lead with the latest source and keep
    the best older one to mention. Sentences that report or correct a claim do not count."""
    best = ranked[0]
    strong = sorted(
        (c for c in ranked if c.counts and c.score >= 0.6 * best.score and not _hedged(c.quote)),
        key=lambda c: -c.score,
    )
    if not strong:
        return best, None
    newest = max(c.passage.date or "" for c in strong)
    latest = next(c for c in strong if (c.passage.date or "") == newest)
    lead = latest if latest.score >= 0.9 * best.score else best
    for other in strong:
        if (
            other.passage.source != lead.passage.source
            and (other.passage.date or "") < (lead.passage.date or "")
            and other.counts[0] not in lead.counts
        ):
            return lead, other
    return lead, None


def _similar(a: str, b: str) -> bool:
    ta, tb = set(text.terms(a)), set(text.terms(b))
    return len(ta & tb) / max(1, min(len(ta), len(tb))) > 0.7


def _cite(sentence: str, n: int | str) -> str:
    """Puts the marker before the sentence's final punctuation: 'It was signed [1].'"""
    stripped = sentence.rstrip()
    closing = ""
    while stripped and stripped[-1] in '"”’)':
        closing = stripped[-1] + closing
        stripped = stripped[:-1]
    end = stripped[-1] if stripped and stripped[-1] in ".!?" else "."
    body = stripped[:-1] if stripped and stripped[-1] in ".!?" else stripped
    return f"{body}{closing} [{n}]{end}"


def _long_date(iso: str | None) -> str:
    if not iso:
        return "undated"
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def _compose(chosen: list[Candidate], disagreement: Candidate | None) -> Draft:
    numbers: dict[str, int] = {}
    citations: list[Citation] = []

    def number(cand: Candidate) -> int:
        key = cand.passage.chunk_id + "\x00" + cand.quote
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            citations.append(Citation(numbers[key], cand.passage, cand.quote))
        return numbers[key]

    parts = [_cite(c.quote, number(c)) for c in chosen]
    if disagreement is not None:
        lead = chosen[0]
        older, newer = disagreement.passage, lead.passage
        parts.append(
            f"The sources disagree: “{older.title}” ({_long_date(older.date)}) says "
            f"“{disagreement.quote.rstrip('.')}” [{number(disagreement)}]; this answer follows "
            f"the latest source, dated {_long_date(newer.date)} [{number(lead)}]."
        )
    return Draft(answer=" ".join(parts), refused=False, citations=tuple(citations))
