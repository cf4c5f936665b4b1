"""How the citation check's threshold separates supported claims from unsupported ones.

    .venv/bin/python benchmarks/support_threshold.py [--pairs FILE]

Scores every claim of tests/data/support_pairs.jsonl against its passage and prints, for
a range of thresholds, how many supported claims pass and how many unsupported ones get
through, then the claims nearest the current threshold. docs/llm.md explains the score.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant import Settings, embeddings
from assistant.grounding import Grounding
from assistant.schema import Passage
from assistant.settings import PROJECT_ROOT

PAIRS = PROJECT_ROOT / "tests" / "data" / "support_pairs.jsonl"


def scores(rows: list[dict[str, object]], grounding: Grounding) -> list[float]:
    """The support score of each row's claim by its passage, in row order."""
    out: dict[int, float] = {}
    for passage_text in dict.fromkeys(str(r["passage"]) for r in rows):
        group = [i for i, r in enumerate(rows) if r["passage"] == passage_text]
        passage = Passage("c", "s", str(rows[group[0]]["title"]), passage_text, 1.0)
        found = grounding.supports([str(rows[i]["claim"]) for i in group], passage)
        out.update({i: s.score for i, s in zip(group, found, strict=True)})
    return [out[i] for i in range(len(rows))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    args = parser.parse_args()
    settings = Settings()
    rows = [json.loads(line) for line in args.pairs.read_text(encoding="utf-8").splitlines()]
    grounding = Grounding(
        embeddings.load(settings.embedding_model).embed_documents, settings.support_threshold
    )
    scored = list(zip(scores(rows, grounding), rows, strict=True))
    supported = [s for s, r in scored if r["supported"]]
    unsupported = [s for s, r in scored if not r["supported"]]
    print(f"{len(supported)} supported and {len(unsupported)} unsupported claims\n")
    print("threshold  supported kept  unsupported kept")
    for step in range(8, 17):
        t = step / 20
        mark = "  <- current" if abs(t - settings.support_threshold) < 1e-9 else ""
        kept = sum(s >= t for s in supported)
        leaked = sum(s >= t for s in unsupported)
        print(f"{t:9.2f}  {kept:>8}/{len(supported)}  {leaked:>10}/{len(unsupported)}{mark}")
    print("\nNearest the current threshold:")
    near = sorted(scored, key=lambda sr: abs(sr[0] - settings.support_threshold))[:10]
    for score, row in sorted(near, key=lambda sr: sr[0]):
        label = "supported  " if row["supported"] else "unsupported"
        print(f"  {score:.3f} {label} {row['claim']}")


if __name__ == "__main__":
    main()
