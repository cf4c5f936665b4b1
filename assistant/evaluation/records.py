"""The records evaluation stages hand each other: outcomes, scored results, the summary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assistant.evaluation.testset import TestItem

Scores = Mapping[str, float | None]


@dataclass(frozen=True)
class Retrieved:
    """A retrieved chunk as evaluation sees it: where it came from and its text."""

    source: str
    score: float
    text: str
    chunk_id: str = ""


@dataclass(frozen=True)
class Cited:
    """A citation of the answer, and whether its quote is word for word in its chunk."""

    n: int
    source: str
    quote: str
    verbatim: bool


@dataclass(frozen=True)
class Outcome:
    """What the assistant did with one test item."""

    item: TestItem
    answer: str
    refused: bool
    citations: tuple[Cited, ...] = ()
    retrieved: tuple[Retrieved, ...] = ()  # rank order
    latency_ms: float = 0.0
    standalone: str = ""
    error: str = ""  # the message when the question could not be asked


@dataclass(frozen=True)
class Result:
    """An outcome with its metrics and, when it failed, why."""

    outcome: Outcome
    metrics: Scores
    failures: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        """One line of results.jsonl."""
        o, item = self.outcome, self.outcome.item
        return {
            "id": item.id,
            "question": item.question,
            "group": item.group,
            "answer": o.answer,
            "refused": o.refused,
            "citations": [{"n": c.n, "source": c.source, "quote": c.quote} for c in o.citations],
            "retrieved": [{"source": r.source, "score": r.score} for r in o.retrieved],
            "latency_ms": round(o.latency_ms, 2),
            "metrics": dict(self.metrics),
            "failures": list(self.failures),
            "standalone_question": o.standalone,
            "error": o.error,
        }


@dataclass(frozen=True)
class Summary:
    """Aggregate metrics of one run, how many items each rests on, and how it was run."""

    metrics: Scores
    counts: Mapping[str, int]
    groups: Mapping[str, Scores] = field(default_factory=dict)
    run: Mapping[str, Any] = field(default_factory=dict)
    # Retrieval metrics per retriever mode (hybrid, dense, lexical), when compared.
    modes: Mapping[str, Scores] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """summary.json."""
        return {
            "metrics": dict(self.metrics),
            "counts": dict(self.counts),
            "groups": {g: dict(m) for g, m in self.groups.items()},
            "modes": {m: dict(s) for m, s in self.modes.items()},
            "run": dict(self.run),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Summary:
        """Reads summary.json back (for a baseline). Raises ValueError when it is not one."""
        metrics = data.get("metrics")
        if not isinstance(metrics, Mapping) or not all(
            v is None or isinstance(v, (int, float)) for v in metrics.values()
        ):
            raise ValueError("'metrics' must map metric names to numbers")
        return cls(
            metrics={str(k): None if v is None else float(v) for k, v in metrics.items()},
            counts=dict(data.get("counts") or {}),
            groups=dict(data.get("groups") or {}),
            run=dict(data.get("run") or {}),
            modes=dict(data.get("modes") or {}),
        )


@dataclass(frozen=True)
class Evaluation:
    """Every result, in test-set order, and their summary."""

    results: tuple[Result, ...]
    summary: Summary

    @property
    def failed(self) -> tuple[Result, ...]:
        return tuple(r for r in self.results if not r.passed)
