"""Exports a run for other evaluation tools, chosen by name (`--export ragas FILE`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.errors import EvalError, unknown_name
from assistant.evaluation.records import Evaluation, Result


def ragas_row(result: Result) -> dict[str, Any]:
    """One sample in ragas' single-turn schema (what `EvaluationDataset.from_jsonl` reads).

    user_input is the question as the assistant answered it: a follow-up is made
    standalone first, so a judge reading the row alone sees what was asked.
    reference is the test item's reference answer, else its accepted answers; it is
    left out when the item has neither, as ragas allows.
    """
    o, item = result.outcome, result.outcome.item
    row: dict[str, Any] = {
        "user_input": o.standalone or item.question,
        "retrieved_contexts": [r.text for r in o.retrieved],
        "response": o.answer,
    }
    reference = item.reference or " / ".join(item.answers)
    if reference:
        row["reference"] = reference
    return row


def write_ragas(evaluation: Evaluation, path: Path) -> int:
    """Writes one ragas sample a line, in test-set order; returns how many."""
    lines = [json.dumps(ragas_row(r), ensure_ascii=False) for r in evaluation.results]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return len(lines)


EXPORTERS: dict[str, Callable[[Evaluation, Path], int]] = {"ragas": write_ragas}


def exporter(name: str) -> Callable[[Evaluation, Path], int]:
    """The exporter registered under name. Raises SettingsError listing the valid ones."""
    try:
        return EXPORTERS[name]
    except KeyError:
        raise unknown_name("export format", name, list(EXPORTERS)) from None


def export(name: str, evaluation: Evaluation, path: Path) -> int:
    """Writes the run in the named format; returns how many rows."""
    write = exporter(name)
    try:
        if path.parent != Path():
            path.parent.mkdir(parents=True, exist_ok=True)
        return write(evaluation, path)
    except OSError as exc:
        raise EvalError(
            f"Cannot write the {name} export to {path} ({exc.strerror or exc})."
        ) from None
