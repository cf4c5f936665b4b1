"""Runs every test item through the assistant's chat chain and scores what comes back."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from assistant.errors import BadQuestion
from assistant.evaluation import metrics
from assistant.evaluation.records import (
    Cited,
    Evaluation,
    Outcome,
    Result,
    Retrieved,
    Scores,
    Summary,
)
from assistant.evaluation.testset import TestItem, TestSet

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from assistant.pipeline import Assistant

# Progress callback: (items done, items in all).
Progress = Callable[[int, int], None]
GROUPS = ("single", "follow-up", "unanswerable")
# Per item: hit, recall and reciprocal rank.
RetrievalRow = tuple[float, float, float]


def ask(assistant: Assistant, item: TestItem) -> Outcome:
    """Asks one item's question, with its history, as the chat would."""
    started = time.perf_counter()
    try:
        answer = assistant.ask(item.question, history=list(item.history))
    except BadQuestion as exc:
        # Scored as a wrong answer, never dropped: the item stays in every count.
        return Outcome(
            item,
            answer="",
            refused=False,
            error=str(exc),
            latency_ms=(time.perf_counter() - started) * 1000,
        )
    latency = (time.perf_counter() - started) * 1000
    return Outcome(
        item=item,
        answer=answer.answer,
        refused=answer.refused,
        citations=tuple(
            Cited(c.n, c.passage.source, c.quote, c.quote in c.passage.text)
            for c in answer.citations
        ),
        retrieved=tuple(Retrieved(p.source, p.score, p.text, p.chunk_id) for p in answer.retrieved),
        latency_ms=latency,
        standalone=answer.standalone_question,
    )


def similarities(embeddings: Embeddings, outcomes: Sequence[Outcome]) -> dict[str, float]:
    """Cosine similarity of each answered item's answer and its reference, by item id."""
    pairs = [
        (o.item.id, metrics.strip_markers(o.answer), o.item.reference)
        for o in outcomes
        if o.item.answerable and o.item.reference and o.answer and not o.refused
    ]
    if not pairs:
        return {}
    vectors = embeddings.embed_documents([a for _, a, _ in pairs] + [r for _, _, r in pairs])
    answers, references = vectors[: len(pairs)], vectors[len(pairs) :]
    return {p[0]: _cosine(a, r) for p, a, r in zip(pairs, answers, references, strict=True)}


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return sum(x * y for x, y in zip(a, b, strict=True)) / norm if norm else 0.0


def run(
    assistant: Assistant,
    testset: TestSet,
    progress: Progress | None = None,
    *,
    compare_modes: bool = False,
) -> Evaluation:
    """Asks every item, scores the answers and sums them up.

    With compare_modes, retrieval is also measured for each retriever mode on its own.

    Raises:
        IndexNotReady: there is no index to answer from.
    """
    assistant.index.check_ready()
    outcomes: list[Outcome] = []
    for done, item in enumerate(testset.items, 1):
        outcomes.append(ask(assistant, item))
        if progress:
            progress(done, len(testset.items))
    sims = similarities(assistant.index.embeddings, outcomes)
    results = tuple(score(o, sims) for o in outcomes)
    modes: dict[str, Scores] = {}
    if compare_modes:
        rows = retrieval_by_mode(assistant, testset.items)
        modes = {mode: mode_scores(r) for mode, r in rows.items()}
    return Evaluation(results, summarise(results, run_info(assistant, testset), modes))


def score(outcome: Outcome, sims: Mapping[str, float]) -> Result:
    """Scores one outcome; sims holds the answer-reference similarities by item id."""
    item = outcome.item
    similarity = sims.get(item.id, 0.0) if item.answerable and item.reference else None
    scores = metrics.score(outcome, similarity)
    return Result(outcome, scores, metrics.failures(outcome, scores))


def summarise(
    results: Sequence[Result], run: Mapping[str, Any], modes: Mapping[str, Scores] | None = None
) -> Summary:
    """The metrics over all results and over each group of questions."""
    values, counts = metrics.aggregate(results)
    groups = {}
    for group in present_groups(results):
        members = [r for r in results if r.outcome.item.group == group]
        if members:
            groups[group] = metrics.aggregate(members)[0]
    failed = sum(not r.passed for r in results)
    errors = sum(bool(r.outcome.error) for r in results)
    return Summary(
        values, counts, groups, {**run, "failed": failed, "errors": errors}, dict(modes or {})
    )


def present_groups(results: Sequence[Result]) -> list[str]:
    """The kinds of question among the results: the classic three first, then classes."""
    found = dict.fromkeys(r.outcome.item.group for r in results)
    return [g for g in GROUPS if g in found] + sorted(g for g in found if g not in GROUPS)


def run_info(assistant: Assistant, testset: TestSet) -> dict[str, Any]:
    """How the run was made, so two summaries can be told apart."""
    s = assistant.settings
    return {
        "testset": str(testset.path),
        "kind": testset.kind,
        "items": len(testset.items),
        "limit": testset.limit,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "generator": s.generator,
        "embedding_model": s.embedding_model,
        "k": s.top_k,
        "min_evidence": s.min_evidence,
        "corpus_dir": str(s.corpus_dir),
        "index_dir": str(s.index_dir),
    }


def retrieval_by_mode(
    assistant: Assistant,
    items: Sequence[TestItem],
    progress: Progress | None = None,
    k: int | None = None,
) -> dict[str, list[RetrievalRow]]:
    """Hit, recall and reciprocal rank per item with gold sources, for every retriever mode.

    Each mode retrieves k chunks (the assistant's top_k by default) for the question
    made standalone the way the chat makes it. Items without gold sources are left out.
    """
    from assistant.retrieval import MODES

    scored = [i for i in items if i.sources]
    queries = [assistant.standalone(i.question, list(i.history)) for i in scored]
    k = k or assistant.settings.top_k
    rows: dict[str, list[RetrievalRow]] = {}
    total = len(MODES) * len(scored)
    for m, mode in enumerate(MODES):
        retriever = assistant.retriever.model_copy(update={"mode": mode})
        rows[mode] = []
        for i, (item, query) in enumerate(zip(scored, queries, strict=True), 1):
            docs = retriever.invoke(query, k=k)
            ranked = [str(d.metadata.get("source", "")) for d in docs]
            rows[mode].append(metrics.retrieval(item.sources, ranked))
            if progress:
                progress(m * len(scored) + i, total)
    return rows


def mode_scores(rows: Sequence[RetrievalRow]) -> Scores:
    """hit@k, recall@k and MRR over the rows of one mode."""
    if not rows:
        return dict.fromkeys(metrics.RETRIEVAL)
    return {name: sum(r[i] for r in rows) / len(rows) for i, name in enumerate(metrics.RETRIEVAL)}
