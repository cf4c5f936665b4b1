"""SQuAD 2.0 benchmark: retrieval by mode over every question, then the answers.

    python benchmarks/squad.py                       # the test articles' 4,957 questions
    python benchmarks/squad.py --answers 1000        # an even sample of about 1,000
    python benchmarks/squad.py --retrieval 1500      # retrieval on an even sample too
    python benchmarks/squad.py --articles all        # all 11,873 questions

The answerer's weights are fitted on the train articles of split.json (beside the data), so
figures are reported on its test articles; retrieval always searches all 1,204 paragraphs.

Reads the official dev-v2.0.json in place; its 1,204 paragraphs are written as documents
beside the default index (.assistant/squad-dev-v2.0/, not tracked), or under --index-dir.
Writes the eval files (results.jsonl, summary.json, report.md, report.html) and
squad-benchmark.json into --out, and prints the figures as Markdown for docs/evaluation.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import platform
import sys
import time
from pathlib import Path
from typing import Any

from assistant.evaluation import report, runner, squad, testset
from assistant.evaluation.records import Scores
from assistant.pipeline import build_assistant
from assistant.settings import PROJECT_ROOT, Settings
from assistant.terminal import progress, summary

DEFAULT_SQUAD = PROJECT_ROOT.parent / "shared" / "data" / "squad-v2" / "dev-v2.0.json"


def sample(items: tuple[testset.TestItem, ...], n: int | None) -> tuple[testset.TestItem, ...]:
    """Every step-th item, so a sample spans all 35 articles rather than the first few."""
    if n is None or n >= len(items):
        return items
    return items[:: math.ceil(len(items) / n)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad", type=Path, default=DEFAULT_SQUAD, help="dev-v2.0.json")
    parser.add_argument("--index-dir", type=Path, help="index (and documents) for SQuAD")
    parser.add_argument("--answers", default="all", help="questions to answer, or 'all'")
    parser.add_argument(
        "--retrieval", default="all", help="questions to measure retrieval on, or 'all'"
    )
    parser.add_argument("--k", type=int, default=5, help="chunks per query for retrieval")
    parser.add_argument(
        "--articles",
        choices=("test", "train", "all"),
        default="test",
        help="whose questions to ask (split.json beside the data)",
    )
    parser.add_argument("--out", type=Path, default=Path("eval-out/squad"))
    args = parser.parse_args(argv)
    n_answers = None if args.answers == "all" else int(args.answers)

    tests = testset.load(args.squad)
    settings = squad.settings_for(Settings.from_env(index_dir=args.index_dir), tests)
    squad.write_documents(tests, settings)
    if args.articles != "all":
        split = json.loads((args.squad.parent / "split.json").read_text(encoding="utf-8"))
        titles = set(split[args.articles])
        kept = tuple(i for i in tests.items if i.sources[0].rsplit("#", 1)[0] in titles)
        tests = dataclasses.replace(tests, items=kept)
    assistant = build_assistant(settings)
    started = time.perf_counter()
    print(summary(assistant.ingest(progress=progress("embedding"))), file=sys.stderr)
    ingest_s = time.perf_counter() - started

    started = time.perf_counter()
    looked_up = sample(tests.items, None if args.retrieval == "all" else int(args.retrieval))
    rows = runner.retrieval_by_mode(
        assistant, looked_up, progress("retrieval by mode", unit="lookup"), k=args.k
    )
    retrieval_s = time.perf_counter() - started
    retrieval: dict[str, dict[str, Scores]] = {}
    with_gold = [item for item in looked_up if item.sources]
    for mode, scored in rows.items():
        retrieval[mode] = {
            "all": runner.mode_scores(scored),
            "answerable": runner.mode_scores(
                [r for r, item in zip(scored, with_gold, strict=True) if item.answerable]
            ),
        }

    chosen = dataclasses.replace(tests, items=sample(tests.items, n_answers))
    started = time.perf_counter()
    evaluation = runner.run(assistant, chosen, progress("answering", unit="question"))
    answer_s = time.perf_counter() - started
    report.write(evaluation, args.out)

    s = evaluation.summary
    figures: dict[str, Any] = {
        "date": s.run["date"],
        "command": "python benchmarks/squad.py " + " ".join(argv or sys.argv[1:]),
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "articles": args.articles,
        "paragraphs": len(tests.documents),
        "questions": len(tests.items),
        "retrieval_questions": len(looked_up),
        "retrieval_k": args.k,
        "retrieval": retrieval,
        "answered_sample": len(chosen.items),
        "answerable_in_sample": s.counts.get("containment"),
        "unanswerable_in_sample": s.counts.get("refused_unanswerable"),
        "answers": {
            m: s.metrics.get(m)
            for m in (
                "containment",
                "token_f1",
                "refused_unanswerable",
                "false_refusal",
                "answers_cited",
                "quotes_verbatim",
                "latency_p50_ms",
                "latency_p95_ms",
            )
        },
        "assistant_top_k": assistant.settings.top_k,
        "seconds": {
            "ingest": round(ingest_s),
            "retrieval": round(retrieval_s),
            "answers": round(answer_s),
        },
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "squad-benchmark.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(markdown(figures))
    return 0


def markdown(f: dict[str, Any]) -> str:
    """The figures as the tables docs/evaluation.md shows."""
    lines = [
        f"Run {f['date']}: `{f['command'].strip()}`",
        "",
        f"Retrieval, k = {f['retrieval_k']}, over {f['paragraphs']:,} paragraphs "
        f"({f['retrieval_questions']:,} of the {f['questions']:,} questions of the {f['articles']} "
        "articles, an even sample):",
        "",
        "| mode | recall@k (all) | MRR (all) | recall@k (answerable) | MRR (answerable) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for mode, by in f["retrieval"].items():
        lines.append(
            f"| {mode} | {by['all']['recall@k']:.3f} | {by['all']['mrr']:.3f} | "
            f"{by['answerable']['recall@k']:.3f} | {by['answerable']['mrr']:.3f} |"
        )
    a = f["answers"]
    lines += [
        "",
        f"Answers on {f['answered_sample']:,} questions ({f['answerable_in_sample']:,} "
        f"answerable, {f['unanswerable_in_sample']:,} unanswerable), top_k = "
        f"{f['assistant_top_k']}:",
        "",
        "| metric | value |",
        "| --- | ---: |",
        *(f"| {name} | {report.fmt(name, value)} |" for name, value in a.items()),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
