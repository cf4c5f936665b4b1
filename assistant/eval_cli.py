"""The `eval` subcommand: asks a test set's questions, scores the answers, writes a report.

Only argparse work happens at import time; the evaluation modules load when eval runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.errors import EvalError
from assistant.settings import Settings
from assistant.terminal import progress, ready, summary

if TYPE_CHECKING:
    from assistant.evaluation.records import Evaluation
    from assistant.evaluation.testset import TestSet

DEFAULT_OUT = Path("eval-out")


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    """Adds `nato-assistant eval` to the command line."""
    ev = sub.add_parser(
        "eval",
        parents=[common],
        help="score answers against a test set",
        description="Asks every question of a test set (JSONL, or an official SQuAD JSON "
        "file) the way the chat does, scores the answers and writes results.jsonl, "
        "summary.json, report.md and report.html. Metrics: docs/evaluation.md.",
    )
    ev.add_argument("testset", type=Path, help="JSONL test set or SQuAD JSON file")
    ev.add_argument(
        "--corpus",
        type=Path,
        metavar="DIR",
        help="index this folder first (incrementally) and answer from it",
    )
    ev.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"where results and reports go (default: {DEFAULT_OUT})",
    )
    ev.add_argument(
        "--fail-under",
        action="append",
        default=[],
        metavar="METRIC=VALUE",
        help="exit 1 when METRIC is below VALUE (repeatable)",
    )
    ev.add_argument(
        "--fail-over",
        action="append",
        default=[],
        metavar="METRIC=VALUE",
        help="exit 1 when a lower-is-better METRIC (false_refusal, latency_p95_ms, "
        "...) is above VALUE (repeatable)",
    )
    ev.add_argument("--limit", type=int, metavar="N", help="only the first N questions")
    ev.add_argument(
        "--baseline",
        type=Path,
        metavar="DIR",
        help="an earlier --out folder: report the change against it",
    )
    ev.add_argument(
        "--compare-modes",
        action="store_true",
        help="also measure retrieval with hybrid, dense-only and BM25-only",
    )
    ev.add_argument(
        "--export",
        nargs=2,
        metavar=("FORMAT", "FILE"),
        help="also write the run for another tool (FORMAT: ragas)",
    )
    ev.set_defaults(run=cmd_eval)


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from assistant.evaluation import compare, export, report, runner, testset
    from assistant.pipeline import build_assistant

    gates = compare.parse_thresholds(args.fail_under, args.fail_over)
    if args.export:
        export.exporter(args.export[0])  # an unknown format fails before the long run
    baseline = compare.load_baseline(args.baseline) if args.baseline else None
    tests = testset.load(args.testset).limited(args.limit)
    settings, ingest = _corpus(tests, args.corpus, settings)
    assistant = build_assistant(settings)
    if ingest:
        print(summary(assistant.ingest(progress=progress("Embedding"))), file=sys.stderr)
    else:
        ready(assistant)  # a fresh checkout evaluates straight away, as `ask` answers
    evaluation = runner.run(
        assistant,
        tests,
        progress("Evaluating", unit="question"),
        compare_modes=args.compare_modes,
    )
    diff = compare.diff(baseline, evaluation) if baseline else None
    failed_gates = compare.check(gates, evaluation.summary)
    report.write(evaluation, args.out, diff, failed_gates)
    if args.export:
        n = export.export(args.export[0], evaluation, Path(args.export[1]))
        print(f"Wrote {n} {args.export[0]} rows to {args.export[1]}.", file=sys.stderr)
    print(_overview(evaluation, args.out))
    for line in failed_gates:
        print(f"FAILED: {line}", file=sys.stderr)
    return 1 if failed_gates else 0


def _corpus(tests: TestSet, corpus: Path | None, settings: Settings) -> tuple[Settings, bool]:
    """The settings to answer with, and whether a corpus must be indexed first."""
    from assistant.evaluation import squad

    if tests.documents:
        if corpus is not None:
            raise EvalError("A SQuAD file brings its own paragraphs as the corpus: drop --corpus.")
        settings = squad.settings_for(settings, tests)
        changed = squad.write_documents(tests, settings)
        print(
            f"SQuAD: {len(tests.documents):,} paragraphs as documents in {settings.corpus_dir} "
            f"({changed:,} written), indexed in {settings.index_dir}.",
            file=sys.stderr,
        )
        return settings, True
    if corpus is None:
        return settings, False
    if not corpus.is_dir():
        raise EvalError(f"--corpus {corpus} is not a folder of documents.")
    return settings.replace(corpus_dir=corpus.resolve()), True


def _overview(evaluation: Evaluation, out: Path) -> str:
    """What the terminal shows: the headline, the metrics, where the report is."""
    from assistant.evaluation.metrics import METRICS
    from assistant.evaluation.report import fmt, headline

    s = evaluation.summary
    width = max(len(m.name) for m in METRICS)
    lines = [headline(evaluation)]
    lines += [
        f"  {m.name:<{width}}  {fmt(m.name, s.metrics.get(m.name)):>9}  "
        f"({s.counts.get(m.name, 0)} questions)"
        for m in METRICS
    ]
    for mode, scores in s.modes.items():
        lines.append(f"  {mode:<8} " + "  ".join(f"{n} {fmt(n, v)}" for n, v in scores.items()))
    lines.append(f"Report: {out / 'report.html'} (also report.md, results.jsonl, summary.json)")
    return "\n".join(lines)
