"""Judging a run: thresholds (--fail-under, --fail-over) and the change against a baseline."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import EvalError
from assistant.evaluation.metrics import BY_NAME, METRICS
from assistant.evaluation.records import Evaluation, Summary

SUMMARY_FILE = "summary.json"
RESULTS_FILE = "results.jsonl"


@dataclass(frozen=True)
class Threshold:
    """A gate on one metric: the run fails when the metric is below (or above) value."""

    metric: str
    value: float
    below: bool = True  # --fail-under; False for --fail-over

    def failure(self, summary: Summary) -> str | None:
        """Why the summary fails this gate, or None when it passes."""
        actual = summary.metrics.get(self.metric)
        flag = "--fail-under" if self.below else "--fail-over"
        if actual is None:
            return (
                f"{self.metric} has no value (no question it applies to), "
                f"so {flag} {self.metric}={self.value:g} cannot pass"
            )
        if (actual < self.value) if self.below else (actual > self.value):
            side = "below" if self.below else "above"
            return f"{self.metric} = {actual:.4g} is {side} {self.value:g}"
        return None


def parse_thresholds(under: Sequence[str] = (), over: Sequence[str] = ()) -> tuple[Threshold, ...]:
    """Reads METRIC=VALUE gates. Raises EvalError naming the valid metrics on a bad one."""
    gates = []
    for specs, below in ((under, True), (over, False)):
        flag = "--fail-under" if below else "--fail-over"
        for spec in specs:
            name, sep, raw = spec.partition("=")
            name = name.strip()
            if not sep:
                raise EvalError(
                    f"{flag} takes METRIC=VALUE, e.g. {flag} containment=0.8; got {spec!r}."
                )
            if name not in BY_NAME:
                valid = ", ".join(m.name for m in METRICS)
                raise EvalError(f"Unknown metric {name!r} in {flag}: choose one of {valid}.")
            try:
                value = float(raw)
            except ValueError:
                raise EvalError(f"{flag} {spec!r}: {raw!r} is not a number.") from None
            metric = BY_NAME[name]
            if below and not metric.higher_is_better:
                raise EvalError(f"Lower {name} is better: use --fail-over {name}={raw} to cap it.")
            if not below and metric.higher_is_better:
                raise EvalError(f"Higher {name} is better: use --fail-under {name}={raw}.")
            gates.append(Threshold(name, value, below))
    return tuple(gates)


def check(thresholds: Sequence[Threshold], summary: Summary) -> list[str]:
    """Every gate the summary fails, as readable lines."""
    return [f for t in thresholds if (f := t.failure(summary)) is not None]


@dataclass(frozen=True)
class Change:
    """One metric before and after; better is None when it did not move or cannot be told."""

    metric: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def better(self) -> bool | None:
        delta = self.delta
        if not delta:
            return None
        return (delta > 0) == BY_NAME[self.metric].higher_is_better


@dataclass(frozen=True)
class BaselineDiff:
    """How a run differs from an earlier one: metrics, and items that changed verdict."""

    path: Path
    changes: tuple[Change, ...]
    broken: tuple[str, ...] = ()  # ids that passed in the baseline and fail now
    fixed: tuple[str, ...] = ()  # ids that failed in the baseline and pass now


@dataclass(frozen=True)
class Baseline:
    """An earlier run: its summary and, when its results.jsonl is there, each item's verdict."""

    path: Path
    summary: Summary
    passed: Mapping[str, bool]


def load_baseline(path: Path) -> Baseline:
    """Reads an earlier run (an --out folder or its summary.json), before it can be overwritten.

    Raises:
        EvalError: there is no readable summary at path.
    """
    folder = path.parent if path.is_file() else path
    summary_path = path if path.is_file() else path / SUMMARY_FILE
    try:
        summary = Summary.from_dict(json.loads(summary_path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise EvalError(
            f"No {SUMMARY_FILE} at {path}: give the --out folder of an "
            "earlier `nato-assistant eval` run."
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, ValueError, AttributeError) as exc:
        raise EvalError(f"The baseline {summary_path} is not an eval summary ({exc}).") from None
    return Baseline(path, summary, _verdicts(folder / RESULTS_FILE))


def diff(baseline: Baseline, evaluation: Evaluation) -> BaselineDiff:
    """How the run differs from the baseline, metric by metric and item by item."""
    before, after = baseline.summary.metrics, evaluation.summary.metrics
    changes = tuple(Change(m.name, before.get(m.name), after.get(m.name)) for m in METRICS)
    now = {r.outcome.item.id: r.passed for r in evaluation.results}
    broken = tuple(i for i, ok in now.items() if not ok and baseline.passed.get(i) is True)
    fixed = tuple(i for i, ok in now.items() if ok and baseline.passed.get(i) is False)
    return BaselineDiff(baseline.path, changes, broken, fixed)


def _verdicts(path: Path) -> dict[str, bool]:
    """Passed or not, by id, from an earlier results.jsonl (empty when there is none)."""
    verdicts: dict[str, bool] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return verdicts
    for line in lines:
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue  # a damaged line only costs that item's comparison
        if isinstance(row, dict) and isinstance(row.get("id"), str):
            verdicts[row["id"]] = not row.get("failures")
    return verdicts
