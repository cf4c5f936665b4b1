"""Report files, the baseline diff, thresholds and the ragas export, on hand-made runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.errors import EvalError, SettingsError
from assistant.evaluation import compare, export, report, runner
from assistant.evaluation.records import Cited, Evaluation, Outcome, Retrieved, Summary
from assistant.evaluation.testset import TestItem, TestSet
from assistant.schema import Turn

ITEMS = (
    TestItem(
        "q1",
        "When was the treaty signed?",
        answers=("4 April 1949",),
        reference="It was signed on 4 April 1949.",
        sources=("treaty",),
    ),
    TestItem(
        "q2",
        "Who chairs the <script>alert(1)</script> Council?",
        answers=("Secretary General",),
        sources=("consultation-process",),
    ),
    TestItem(
        "q3",
        "And where?",
        answers=("Washington",),
        sources=("treaty",),
        history=(
            Turn("user", "When was the treaty signed?"),
            Turn("assistant", "On 4 April 1949."),
        ),
    ),
    TestItem("u1", "What is the boiling point of water?", answerable=False),
)


def make_run(answers: dict[str, tuple[str, bool]]) -> Evaluation:
    """A run where each item got the given (answer, refused), citing treaty.md."""
    outcomes = []
    for n, item in enumerate(ITEMS):
        text, refused = answers[item.id]
        cites = () if refused else (Cited(1, "treaty.md", text.split(" [")[0] + ".", True),)
        outcomes.append(
            Outcome(
                item=item,
                answer=text,
                refused=refused,
                citations=cites,
                retrieved=(
                    Retrieved("treaty.md", 1.0, "Treaty › Signing\n\nSigned on 4 April 1949."),
                    Retrieved("article-5.md", 0.5, "Article 5 <b>text</b>"),
                ),
                latency_ms=20.0 + 10 * n,
                standalone="Where was the treaty signed?" if item.history else item.question,
            )
        )
    results = tuple(runner.score(o, {"q1": 0.9}) for o in outcomes)
    info = {
        "testset": "t.jsonl",
        "items": len(results),
        "date": "2025-01-01T00:00:00Z",
        "generator": "extractive",
        "embedding_model": "m",
        "k": 5,
    }
    return Evaluation(results, runner.summarise(results, info))


GOOD = {
    "q1": ("It was signed on 4 April 1949 [1].", False),
    "q2": ("The Secretary General chairs it [1].", False),
    "q3": ("The sources don't say.", True),
    "u1": ("The sources don't say.", True),
}
WORSE = {**GOOD, "q1": ("The sources don't say.", True), "q3": ("In Washington [1].", False)}


def test_files_are_written_and_results_have_every_field(tmp_path: Path) -> None:
    files = report.write(make_run(GOOD), tmp_path)
    names = {p.name for p in files}
    assert {"results.jsonl", "summary.json", "report.md", "report.html"} <= names
    rows = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["q1", "q2", "q3", "u1"]
    for key in (
        "id",
        "question",
        "answer",
        "refused",
        "citations",
        "retrieved",
        "latency_ms",
        "metrics",
    ):
        assert key in rows[0]
    assert rows[0]["citations"] == [
        {"n": 1, "source": "treaty.md", "quote": "It was signed on 4 April 1949."}
    ]
    assert rows[0]["retrieved"] == [
        {"source": "treaty.md", "score": 1.0},
        {"source": "article-5.md", "score": 0.5},
    ]
    assert rows[0]["metrics"]["containment"] == 1.0 and rows[0]["metrics"]["similarity"] == 0.9
    assert rows[2]["failures"] == ["refused an answerable question"]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["metrics"]["false_refusal"] == pytest.approx(1 / 3)
    assert summary["metrics"]["refused_unanswerable"] == 1.0
    assert summary["run"]["failed"] == 1


def test_html_is_self_contained_escaped_and_puts_failures_first(tmp_path: Path) -> None:
    report.write(make_run(GOOD), tmp_path)
    page = (tmp_path / "report.html").read_text()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Article 5 &lt;b&gt;text&lt;/b&gt;" in page  # retrieved passages, escaped
    assert page.count("<svg") == 2  # latency and metric bars, inline
    assert not re.search(r"<(link|img|script)\b", page) and "src=" not in page
    assert "<style>" in page
    assert page.index("Failures (1)") < page.index("item-q3") < page.index("Passed (3)")
    md = (tmp_path / "report.md").read_text()
    assert "| containment | 0.667 | 3 |" in md
    assert "![latency.svg](latency.svg)" in md and (tmp_path / "latency.svg").exists()
    assert md.index("## Failures (1)") < md.index("### q3") < md.index("## Passed (3)")
    assert "asked as: Where was the treaty signed?" in md


def test_large_runs_list_what_the_report_leaves_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report, "DETAILED_FAILURES", 0)
    monkeypatch.setattr(report, "LISTED_PASSES", 1)
    report.write(make_run(GOOD), tmp_path)
    md = (tmp_path / "report.md").read_text()
    assert "| q3 | And where? | refused an answerable question |" in md
    assert "_2 more passed questions are in results.jsonl._" in md


def test_baseline_diff_reports_metric_changes_and_items(tmp_path: Path) -> None:
    report.write(make_run(GOOD), tmp_path / "before")
    after = make_run(WORSE)
    diff = compare.diff(compare.load_baseline(tmp_path / "before"), after)
    changes = {c.metric: c for c in diff.changes}
    assert changes["false_refusal"].delta == pytest.approx(0.0)  # one refusal swapped for another
    assert changes["containment"].before == pytest.approx(2 / 3)
    assert changes["containment"].after == pytest.approx(2 / 3)
    assert changes["similarity"].better is False  # q1 refused now: similarity 0.9 -> 0
    assert diff.broken == ("q1",) and diff.fixed == ("q3",)
    report.write(after, tmp_path / "after", diff)
    page = (tmp_path / "after" / "report.html").read_text()
    assert "Change against the baseline" in page and 'class="num worse"' in page
    assert "Failing now, passed in the baseline: q1" in page
    # summary.json alone is a baseline too.
    alone = compare.load_baseline(tmp_path / "before" / "summary.json")
    assert compare.diff(alone, after).broken == ("q1",)


def test_a_missing_or_foreign_baseline_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EvalError, match=r"No summary\.json at"):
        compare.load_baseline(tmp_path)
    (tmp_path / "summary.json").write_text('{"metrics": {"containment": "high"}}')
    with pytest.raises(EvalError, match="not an eval summary"):
        compare.load_baseline(tmp_path)


def test_thresholds_pass_and_fail_on_the_summary() -> None:
    summary = make_run(GOOD).summary
    gates = compare.parse_thresholds(
        ["containment=0.6", "refused_unanswerable=1"], ["latency_p95_ms=1000"]
    )
    assert compare.check(gates, summary) == []
    gates = compare.parse_thresholds(["containment=0.9"], ["false_refusal=0.2"])
    assert compare.check(gates, summary) == [
        "containment = 0.6667 is below 0.9",
        "false_refusal = 0.3333 is above 0.2",
    ]
    empty = Summary({"containment": None}, {})
    assert "has no value" in compare.check(compare.parse_thresholds(["containment=0"]), empty)[0]


@pytest.mark.parametrize(
    ("under", "over", "message"),
    [
        (
            ["accuracy=0.9"],
            [],
            r"Unknown metric 'accuracy' in --fail-under: choose one of hit@k, "
            r"recall@k, mrr, containment",
        ),
        (["containment"], [], "takes METRIC=VALUE"),
        (["containment=high"], [], "is not a number"),
        (["false_refusal=0.1"], [], "use --fail-over false_refusal=0.1"),
        ([], ["containment=0.1"], "use --fail-under containment=0.1"),
    ],
)
def test_bad_thresholds_are_explained(under: list[str], over: list[str], message: str) -> None:
    with pytest.raises(EvalError, match=message):
        compare.parse_thresholds(under, over)


def test_ragas_export_rows(tmp_path: Path) -> None:
    path = tmp_path / "exports" / "ragas.jsonl"
    assert export.export("ragas", make_run(GOOD), path) == 4
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert set(rows[0]) == {"user_input", "retrieved_contexts", "response", "reference"}
    assert rows[0]["user_input"] == "When was the treaty signed?"
    assert rows[0]["retrieved_contexts"][0] == "Treaty › Signing\n\nSigned on 4 April 1949."
    assert rows[0]["response"] == "It was signed on 4 April 1949 [1]."
    assert rows[0]["reference"] == "It was signed on 4 April 1949."
    assert rows[1]["reference"] == "Secretary General"  # accepted answers when no reference
    assert rows[2]["user_input"] == "Where was the treaty signed?"  # follow-ups made standalone
    assert "reference" not in rows[3]


def test_unknown_export_format_lists_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(
        SettingsError, match="Unknown export format 'deepeval': choose one of ragas"
    ):
        export.export("deepeval", make_run(GOOD), tmp_path / "x.jsonl")


def test_limited_runs_say_so_in_the_headline() -> None:
    run = make_run(GOOD)
    assert report.headline(run).startswith("4 questions: 2 single, 1 follow-up, 1 unanswerable.")
    limited = TestSet(Path("t.jsonl"), "jsonl", ITEMS).limited(2)
    assert limited.limit == 2 and len(limited.items) == 2
