"""Writes a run's files: results.jsonl, summary.json, report.md (+ SVG plots), report.html."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.evaluation import plots
from assistant.evaluation.compare import RESULTS_FILE, SUMMARY_FILE, BaselineDiff
from assistant.evaluation.metrics import BY_NAME, METRICS, source_matches
from assistant.evaluation.records import Evaluation, Result, Summary
from assistant.evaluation.runner import present_groups

# Reports stay readable on large sets (SQuAD has 11,873 questions): past these many,
# items are left to results.jsonl, and the report says how many it left out.
DETAILED_FAILURES = 100
LISTED_FAILURES = 2000
LISTED_PASSES = 500


@dataclass(frozen=True)
class Table:
    """A titled table of plain-text cells, rendered as Markdown or HTML."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()  # columns aligned right


@dataclass(frozen=True)
class Report:
    """Everything a report shows, computed once for both formats."""

    evaluation: Evaluation
    tables: tuple[Table, ...]
    plots: tuple[tuple[str, str], ...]  # (file name, SVG text)
    gates: tuple[str, ...] = ()
    diff: BaselineDiff | None = None


def fmt(metric: str, value: float | None) -> str:
    """A metric's value for people: 3 decimals, or whole milliseconds."""
    if value is None:
        return "–"
    return f"{value:.0f} ms" if BY_NAME[metric].unit == "ms" else f"{value:.3f}"


def build(
    evaluation: Evaluation, diff: BaselineDiff | None = None, gates: Sequence[str] = ()
) -> Report:
    """Computes the tables and plots of a report."""
    s = evaluation.summary
    tables = [
        Table(
            "Summary",
            ("metric", "value", "questions", "what it measures"),
            tuple(
                (
                    m.name,
                    fmt(m.name, s.metrics.get(m.name)),
                    str(s.counts.get(m.name, 0)),
                    m.description + ("" if m.higher_is_better else " (lower is better)"),
                )
                for m in METRICS
            ),
            numeric=(1, 2),
        )
    ]
    groups = list(s.groups)
    if groups:
        tables.append(
            Table(
                "By kind of question",
                ("metric", *groups),
                tuple(
                    (m.name, *(fmt(m.name, s.groups[g].get(m.name)) for g in groups))
                    for m in METRICS
                    if any(s.groups[g].get(m.name) is not None for g in groups)
                ),
                numeric=tuple(range(1, len(groups) + 1)),
            )
        )
    if s.modes:
        names = ("hit@k", "recall@k", "mrr")
        tables.append(
            Table(
                f"Retrieval by mode (k = {s.run.get('k')})",
                ("mode", *names),
                tuple((mode, *(fmt(n, sc.get(n)) for n in names)) for mode, sc in s.modes.items()),
                numeric=(1, 2, 3),
            )
        )
    if diff is not None:
        rows = []
        for c in diff.changes:
            arrow = {True: "better", False: "worse", None: ""}[c.better]
            change = "–" if c.delta is None else f"{c.delta:+.3f} {arrow}".strip()
            rows.append((c.metric, fmt(c.metric, c.before), fmt(c.metric, c.after), change))
        tables.append(
            Table(
                f"Change against the baseline {diff.path}",
                ("metric", "baseline", "this run", "change"),
                tuple(rows),
                numeric=(1, 2, 3),
            )
        )
    figures = [
        (
            "latency.svg",
            plots.latency(
                [r.outcome.latency_ms for r in evaluation.results if not r.outcome.error],
                s.metrics.get("latency_p50_ms"),
                s.metrics.get("latency_p95_ms"),
            ),
        ),
        ("metrics.svg", plots.metric_bars(s, _baseline_summary(diff))),
    ]
    if s.modes:
        figures.append(("modes.svg", plots.modes(s.modes)))
    return Report(evaluation, tuple(tables), tuple(figures), tuple(gates), diff)


def _baseline_summary(diff: BaselineDiff | None) -> Summary | None:
    if diff is None:
        return None
    return Summary({c.metric: c.before for c in diff.changes}, {})


def write(
    evaluation: Evaluation, out: Path, diff: BaselineDiff | None = None, gates: Sequence[str] = ()
) -> list[Path]:
    """Writes every file of the run into out; returns their paths."""
    from assistant.evaluation import html  # imported here: html builds on this module

    out.mkdir(parents=True, exist_ok=True)
    report = build(evaluation, diff, gates)
    files = {
        RESULTS_FILE: "".join(
            json.dumps(r.to_dict(), ensure_ascii=False) + "\n" for r in evaluation.results
        ),
        SUMMARY_FILE: json.dumps(evaluation.summary.to_dict(), ensure_ascii=False, indent=2) + "\n",
        **dict(report.plots),
        "report.md": markdown(report),
        "report.html": html.page(report),
    }
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    return [out / name for name in files]


# ----- Markdown --------------------------------------------------------------
def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|").replace("<", "&lt;")


def _md_table(table: Table) -> list[str]:
    align = ["---:" if i in table.numeric else "---" for i in range(len(table.header))]
    return [
        f"## {table.title}",
        "",
        "| " + " | ".join(_cell(h) for h in table.header) + " |",
        "| " + " | ".join(align) + " |",
        *("| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows),
        "",
    ]


def headline(evaluation: Evaluation) -> str:
    """One line on what was run and how it went."""
    run = evaluation.summary.run
    kinds = ", ".join(
        f"{sum(r.outcome.item.group == g for r in evaluation.results)} {g}"
        for g in present_groups(evaluation.results)
    )
    limit = f" (--limit {run['limit']})" if run.get("limit") else ""
    return (
        f"{run.get('items')} questions{limit}: {kinds}. Generator {run.get('generator')}, "
        f"{run.get('embedding_model')}, k = {run.get('k')}. {run.get('failed')} failed, "
        f"{run.get('errors')} could not be asked."
    )


def markdown(report: Report) -> str:
    """report.md: tables, links to the plots, failures with their retrieved passages."""
    ev = report.evaluation
    run = ev.summary.run
    lines = [
        f"# Evaluation of {run.get('testset')}",
        "",
        f"Run {run.get('date')}. " + headline(ev),
        "",
    ]
    if report.gates:
        lines += ["## Gates failed", "", *(f"- {_cell(g)}" for g in report.gates), ""]
    for table in report.tables:
        lines += _md_table(table)
    if report.diff is not None:
        d = report.diff
        lines += [
            f"Failing now, passed in the baseline: {', '.join(d.broken) or 'none'}.",
            "",
            f"Passing now, failed in the baseline: {', '.join(d.fixed) or 'none'}.",
            "",
        ]
    lines += ["## Plots", "", *(f"![{name}]({name})" for name, _ in report.plots), ""]
    failed = ev.failed
    lines += [f"## Failures ({len(failed)})", ""]
    for result in failed[:DETAILED_FAILURES]:
        lines += _md_failure(result)
    rest = failed[DETAILED_FAILURES:LISTED_FAILURES]
    if rest:
        lines += [
            "| id | question | why |",
            "| --- | --- | --- |",
            *(
                f"| {_cell(r.outcome.item.id)} | {_cell(r.outcome.item.question)} | "
                f"{_cell('; '.join(r.failures))} |"
                for r in rest
            ),
            "",
        ]
    lines += _left_out(len(failed) - LISTED_FAILURES, "failures")
    passed = [r for r in ev.results if r.passed]
    lines += [
        f"## Passed ({len(passed)})",
        "",
        "| id | question | answer |",
        "| --- | --- | --- |",
        *(
            f"| {_cell(r.outcome.item.id)} | {_cell(r.outcome.item.question)} | "
            f"{_cell(_short(r.outcome.answer))} |"
            for r in passed[:LISTED_PASSES]
        ),
        "",
    ]
    lines += _left_out(len(passed) - LISTED_PASSES, "passed questions")
    return "\n".join(lines)


def _left_out(n: int, what: str) -> list[str]:
    return [f"_{n} more {what} are in {RESULTS_FILE}._", ""] if n > 0 else []


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _md_failure(result: Result) -> list[str]:
    o, item = result.outcome, result.outcome.item
    lines = [f"### {_cell(item.id)}: {_cell(item.question)}", ""]
    for turn in item.history:
        lines.append(f"- earlier ({turn.role}): {_cell(turn.content)}")
    if o.standalone and o.standalone != item.question:
        lines.append(f"- asked as: {_cell(o.standalone)}")
    expected = " / ".join(item.answers) or ("a refusal" if not item.answerable else "–")
    lines += [
        f"- why: {_cell('; '.join(result.failures))}",
        f"- expected: {_cell(expected)}",
        f"- gold sources: {_cell(', '.join(item.sources) or '–')}",
        "",
        *("> " + _cell(line) for line in (o.answer or "(no answer)").splitlines()),
        "",
    ]
    for rank, r in enumerate(o.retrieved, 1):
        gold = " (gold)" if any(source_matches(g, r.source) for g in item.sources) else ""
        lines.append(
            f"{rank}. `{_cell(r.source)}`{gold}, score {r.score:.3f}: {_cell(_short(r.text, 300))}"
        )
    return [*lines, ""]
