"""Sweeps the refusal threshold (ASSISTANT_MIN_EVIDENCE) over the NATO dev set.

    .venv/bin/python benchmarks/calibrate_refusal.py [--testset tests/data/nato_dev.jsonl]

For each question it computes the evidence score the offline answerer compares with the
threshold, then prints, per candidate threshold, how many answerable questions would be
answered and how many unanswerable ones refused. Questions whose names or years no
passage mentions are refused whatever the threshold; they are counted apart.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from assistant import Settings, build_assistant
from assistant.extractive import ExtractiveGenerator, missing_specifics
from assistant.settings import PROJECT_ROOT


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--testset", type=Path, default=PROJECT_ROOT / "tests" / "data" / "nato_dev.jsonl"
    )
    args = parser.parse_args()
    items = [json.loads(line) for line in args.testset.read_text().splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        assistant = build_assistant(Settings(index_dir=Path(tmp) / "index"))
        assistant.ingest()
        generator = assistant.generator
        assert isinstance(generator, ExtractiveGenerator)
        scores: list[tuple[float, bool]] = []
        always_refused = {True: 0, False: 0}
        for item in items:
            answerable = bool(item.get("answerable", True))
            answer = assistant.ask(item["question"], history=item.get("history"))
            question, passages = answer.standalone_question, list(answer.retrieved)
            if missing_specifics(question, passages):
                always_refused[answerable] += 1
                continue
            ranked = [c for c in generator.candidates(question, passages) if c.overlap > 0]
            scores.append((generator.evidence(ranked, passages), answerable))
    answerable_total = sum(1 for i in items if i.get("answerable", True))
    unanswerable_total = len(items) - answerable_total
    print(
        f"{answerable_total} answerable, {unanswerable_total} unanswerable questions; "
        f"refused for a missing name or year: {always_refused[True]} answerable, "
        f"{always_refused[False]} unanswerable\n"
    )
    print(f"{'threshold':>9} {'answered (of answerable)':>25} {'refused (of unanswerable)':>26}")
    for step in range(20, 71, 5):
        threshold = step / 100
        kept = sum(1 for score, ok in scores if ok and score >= threshold)
        refused = always_refused[False] + sum(
            1 for score, ok in scores if not ok and score < threshold
        )
        print(
            f"{threshold:>9.2f} {kept:>17} ({kept / answerable_total:.0%}) "
            f"{refused:>18} ({refused / unanswerable_total:.0%})"
        )


if __name__ == "__main__":
    main()
