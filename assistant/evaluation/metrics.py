"""Metrics: answer normalisation, token F1, gold-source matching, per-item scores, aggregates.

Definitions, with the reasons behind them, are in docs/evaluation.md.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from assistant.evaluation.records import Outcome, Result, Scores


@dataclass(frozen=True)
class Metric:
    """An aggregate metric: its name, what it measures, and which way is better."""

    name: str
    description: str
    higher_is_better: bool = True
    unit: str = ""  # "" for shares between 0 and 1, "ms" for latencies


METRICS: tuple[Metric, ...] = (
    Metric("hit@k", "questions with a chunk from a gold source among the k retrieved"),
    Metric("recall@k", "share of a question's gold sources among the k retrieved, averaged"),
    Metric("mrr", "mean reciprocal rank of the first chunk from a gold source"),
    Metric("containment", "answerable questions whose answer contains an accepted answer"),
    Metric("token_f1", "SQuAD token F1 of the answer against the best accepted answer"),
    Metric("similarity", "cosine similarity of the answer and the reference, embedded"),
    Metric("answers_cited", "answered questions with at least one citation"),
    Metric("citation_precision", "citations from a gold source, averaged per question"),
    Metric("quotes_verbatim", "quotes found word for word in the chunk they cite"),
    Metric("refused_unanswerable", "unanswerable questions refused"),
    Metric("false_refusal", "answerable questions refused", higher_is_better=False),
    Metric("latency_p50_ms", "median time to answer", higher_is_better=False, unit="ms"),
    Metric("latency_p95_ms", "95th percentile time to answer", higher_is_better=False, unit="ms"),
)
BY_NAME = {m.name: m for m in METRICS}
RETRIEVAL = ("hit@k", "recall@k", "mrr")

_MARKER = re.compile(r"\s*\[\d+(?:\s*[,;]\s*\d+)*\]")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_MONTH_NAMES = {
    m[:3]: m
    for m in "january february march april may june july august september october november "
    "december".split()
}
_SHORT_MONTHS = re.compile(r"\b(jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b\.?", re.IGNORECASE)


# ----- answers ---------------------------------------------------------------
def strip_markers(answer: str) -> str:
    """The answer without its citation markers, so '[1]' never counts as an answer '1'."""
    return _MARKER.sub("", answer)


def normalize(text: str) -> str:
    """SQuAD's normalisation: lower case, no punctuation, no articles, single spaces.

    Unicode punctuation (curly quotes, dashes) goes too, not only ASCII.
    """
    # Months written short are the same months: "4 Oct" is "4 October".
    text = _SHORT_MONTHS.sub(lambda m: _MONTH_NAMES[m.group(1).lower()[:3]], text)
    # A possessive names the same thing: "Estonia's request" contains the answer "Estonia".
    text = re.sub(r"(?<=\w)['’]s\b", "", text.lower())
    text = "".join(
        ch
        for ch in text
        if ch not in string.punctuation and not unicodedata.category(ch).startswith("P")
    )
    return " ".join(_ARTICLES.sub(" ", text).split())


def contains_answer(answer: str, accepted: Iterable[str], every: bool = False) -> bool:
    """True when an accepted answer (with every, each of them) appears in the answer as
    whole words, normalised. A yes/no answer must say it first: 'No' must open the answer,
    not match 'not' in a sentence that says yes."""
    text = f" {normalize(strip_markers(answer))} "
    accepted = list(accepted)
    if accepted and normalize(accepted[0]) in ("yes", "no"):
        return text.startswith(f" {normalize(accepted[0])} ")
    found = [bool(norm) and f" {norm} " in text for norm in (normalize(a) for a in accepted)]
    return all(found) if every else any(found)


def token_f1(prediction: str, gold: str) -> float:
    """SQuAD's token F1 between two texts (after normalisation)."""
    pred, ref = normalize(prediction).split(), normalize(gold).split()
    if not pred or not ref:
        return float(pred == ref)
    common = sum((Counter(pred) & Counter(ref)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(pred), common / len(ref)
    return 2 * precision * recall / (precision + recall)


def best_f1(answer: str, accepted: Iterable[str]) -> float:
    """The answer's token F1 against its closest accepted answer."""
    prediction = strip_markers(answer)
    return max((token_f1(prediction, a) for a in accepted), default=0.0)


# ----- sources ---------------------------------------------------------------
def source_matches(gold: str, source: str) -> bool:
    """True when gold names the source: its corpus path, file name, or either without extension."""
    if not source:
        return False
    path = PurePosixPath(source)
    return gold in (source, path.name, path.stem, str(path.with_suffix("")))


def retrieval(gold: Sequence[str], ranked: Sequence[str]) -> tuple[float, float, float]:
    """Hit, recall and reciprocal rank of the ranked sources against the gold ones."""
    found = [g for g in gold if any(source_matches(g, s) for s in ranked)]
    rank = next(
        (i for i, s in enumerate(ranked, 1) if any(source_matches(g, s) for g in gold)), None
    )
    return float(bool(found)), len(found) / len(gold), 1.0 / rank if rank else 0.0


# ----- one item --------------------------------------------------------------
def score(outcome: Outcome, similarity: float | None = None) -> Scores:
    """The item's metrics; None where a metric does not apply to it."""
    item = outcome.item
    scores: dict[str, float | None] = dict.fromkeys(
        (
            "hit@k",
            "recall@k",
            "reciprocal_rank",
            "containment",
            "token_f1",
            "similarity",
            "cited",
            "citation_precision",
            "quotes_verbatim",
        )
    )
    if item.sources:
        hit, recall, rr = retrieval(item.sources, [r.source for r in outcome.retrieved])
        scores.update({"hit@k": hit, "recall@k": recall, "reciprocal_rank": rr})
    answered = not outcome.refused
    if item.answerable and item.answers:
        scores["containment"] = float(
            answered and contains_answer(outcome.answer, item.answers, item.all_answers)
        )
        scores["token_f1"] = best_f1(outcome.answer, item.answers) if answered else 0.0
    if item.answerable and item.reference and similarity is not None:
        scores["similarity"] = similarity if answered and outcome.answer else 0.0
    if answered:
        cites = outcome.citations
        scores["cited"] = float(bool(cites))
        if cites:
            scores["quotes_verbatim"] = sum(c.verbatim for c in cites) / len(cites)
            if item.sources:
                gold = [c for c in cites if any(source_matches(g, c.source) for g in item.sources)]
                scores["citation_precision"] = len(gold) / len(cites)
    return scores


def failures(outcome: Outcome, scores: Scores) -> tuple[str, ...]:
    """Why the answer would disappoint a user; empty when it would not."""
    item = outcome.item
    if outcome.error:
        return (f"error: {outcome.error}",)
    found: list[str] = []
    if item.answerable and outcome.refused:
        found.append("refused an answerable question")
    elif scores.get("containment") == 0.0:
        found.append("no accepted answer in the answer")
    if not item.answerable and not outcome.refused:
        found.append("answered an unanswerable question")
    if scores.get("cited") == 0.0:
        found.append("answered without a citation")
    if (scores.get("quotes_verbatim") or 1.0) < 1.0:
        found.append("a quote is not word for word in its chunk")
    return tuple(found)


# ----- aggregates ------------------------------------------------------------
def aggregate(results: Sequence[Result]) -> tuple[dict[str, float | None], dict[str, int]]:
    """The METRICS over a set of results, and how many results each one rests on."""
    values: dict[str, float | None] = {}
    counts: dict[str, int] = {}

    def mean(name: str, xs: list[float]) -> None:
        values[name] = sum(xs) / len(xs) if xs else None
        counts[name] = len(xs)

    def per_item(key: str) -> list[float]:
        return [v for r in results if (v := r.metrics.get(key)) is not None]

    for name, key in (
        ("hit@k", "hit@k"),
        ("recall@k", "recall@k"),
        ("mrr", "reciprocal_rank"),
        ("containment", "containment"),
        ("token_f1", "token_f1"),
        ("similarity", "similarity"),
        ("answers_cited", "cited"),
        ("citation_precision", "citation_precision"),
        ("quotes_verbatim", "quotes_verbatim"),
    ):
        mean(name, per_item(key))
    outcomes = [r.outcome for r in results]
    mean("refused_unanswerable", [float(o.refused) for o in outcomes if not o.item.answerable])
    mean("false_refusal", [float(o.refused) for o in outcomes if o.item.answerable])
    latencies = [o.latency_ms for o in outcomes if not o.error]
    for q, name in ((50, "latency_p50_ms"), (95, "latency_p95_ms")):
        values[name] = percentile(latencies, q)
        counts[name] = len(latencies)
    return values, counts


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile, interpolating between the nearest ranks; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    at = (len(ordered) - 1) * q / 100
    low = int(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)
