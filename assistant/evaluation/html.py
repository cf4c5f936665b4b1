"""report.html: one self-contained page (inline CSS and SVG), every text escaped."""

from __future__ import annotations

from html import escape
from importlib import resources

from assistant.evaluation.compare import RESULTS_FILE
from assistant.evaluation.metrics import source_matches
from assistant.evaluation.records import Result
from assistant.evaluation.report import (
    DETAILED_FAILURES,
    LISTED_FAILURES,
    LISTED_PASSES,
    Report,
    Table,
    headline,
)


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _css() -> str:
    return resources.files("assistant.evaluation").joinpath("report.css").read_text("utf-8")


def _table(table: Table, heading: bool = True) -> str:
    def cell(i: int, text: str) -> str:
        classes = ["num"] if i in table.numeric else []
        if text.endswith((" better", " worse")):
            classes.append(text.rsplit(" ", 1)[1])
        attr = f' class="{" ".join(classes)}"' if classes else ""
        return f"<td{attr}>{_e(text)}</td>"

    head = f"<h2>{_e(table.title)}</h2>\n" if heading else ""
    header = "".join(f"<th>{_e(h)}</th>" for h in table.header)
    body = "\n".join(
        "<tr>" + "".join(cell(i, c) for i, c in enumerate(row)) + "</tr>" for row in table.rows
    )
    return f"{head}<table>\n<tr>{header}</tr>\n{body}\n</table>\n"


def _passages(result: Result) -> str:
    item = result.outcome.item
    rows = []
    for r in result.outcome.retrieved:
        gold = any(source_matches(g, r.source) for g in item.sources)
        mark = ' <span class="gold">gold source</span>' if gold else ""
        rows.append(
            f"<li><code>{_e(r.source)}</code>{mark}, score {r.score:.3f}"
            f'<pre class="chunk">{_e(r.text)}</pre></li>'
        )
    if not rows:
        return '<p class="note">Nothing was retrieved.</p>'
    return f'<ol class="passages">{"".join(rows)}</ol>'


def _failure(result: Result) -> str:
    o, item = result.outcome, result.outcome.item
    facts = [("why", "; ".join(result.failures))]
    facts += [(f"earlier ({t.role})", t.content) for t in item.history]
    if o.standalone and o.standalone != item.question:
        facts.append(("asked as", o.standalone))
    expected = " / ".join(item.answers) or ("a refusal" if not item.answerable else "–")
    facts += [
        ("expected", expected),
        ("reference", item.reference or "–"),
        ("gold sources", ", ".join(item.sources) or "–"),
        ("time", f"{o.latency_ms:.0f} ms"),
    ]
    dl = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in facts)
    flag = ' <strong class="fail">not verbatim</strong>'
    cites = "".join(
        f"<li>[{c.n}] <code>{_e(c.source)}</code>: “{_e(c.quote)}”{'' if c.verbatim else flag}</li>"
        for c in o.citations
    )
    return (
        f'<section class="item" id="item-{_e(item.id)}">'
        f"<h3>{_e(item.id)}: {_e(item.question)}</h3><dl>{dl}</dl>"
        f'<div class="answer">{_e(o.answer or "(no answer)")}</div>'
        + (f"<ul>{cites}</ul>" if cites else "")
        + f"<details><summary>Retrieved passages ({len(o.retrieved)})</summary>"
        f"{_passages(result)}</details></section>"
    )


def _left_out(n: int, what: str) -> str:
    return f'<p class="note">{n} more {_e(what)} are in {RESULTS_FILE}.</p>' if n > 0 else ""


def page(report: Report) -> str:
    """The whole HTML report."""
    ev = report.evaluation
    run = ev.summary.run
    parts = [
        f"<h1>Evaluation of {_e(run.get('testset'))}</h1>",
        f'<p class="meta">Run {_e(run.get("date"))}. {_e(headline(ev))}</p>',
    ]
    if report.gates:
        parts.append(
            '<h2 class="fail">Gates failed</h2><ul>'
            + "".join(f"<li>{_e(g)}</li>" for g in report.gates)
            + "</ul>"
        )
    for table in report.tables:
        parts.append(_table(table))
    if report.diff is not None:
        d = report.diff
        parts.append(
            f"<p>Failing now, passed in the baseline: {_e(', '.join(d.broken) or 'none')}"
            f".<br>Passing now, failed in the baseline: {_e(', '.join(d.fixed) or 'none')}"
            ".</p>"
        )
    figures = "".join(f'<figure aria-label="{_e(n)}">{svg}</figure>' for n, svg in report.plots)
    parts.append(f'<h2>Plots</h2><div class="plots">{figures}</div>')
    failed = ev.failed
    parts.append(f"<h2>Failures ({len(failed)})</h2>")
    parts += [_failure(r) for r in failed[:DETAILED_FAILURES]]
    rest = failed[DETAILED_FAILURES:LISTED_FAILURES]
    if rest:
        parts.append(
            _table(
                Table(
                    "",
                    ("id", "question", "why"),
                    tuple(
                        (r.outcome.item.id, r.outcome.item.question, "; ".join(r.failures))
                        for r in rest
                    ),
                ),
                heading=False,
            )
        )
    parts.append(_left_out(len(failed) - LISTED_FAILURES, "failures"))
    passed = [r for r in ev.results if r.passed]
    parts.append(f"<h2>Passed ({len(passed)})</h2><details><summary>Show</summary>")
    parts.append(
        _table(
            Table(
                "",
                ("id", "question", "answer"),
                tuple(
                    (r.outcome.item.id, r.outcome.item.question, r.outcome.answer)
                    for r in passed[:LISTED_PASSES]
                ),
            ),
            heading=False,
        )
    )
    parts.append("</details>" + _left_out(len(passed) - LISTED_PASSES, "passed questions"))
    body = "\n".join(parts)
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Evaluation of {_e(run.get('testset'))}</title>\n<style>\n{_css()}</style>\n"
        f"</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
