"""Fits the answerer's two logistic regressions and writes weights.json beside this file.

    python -m assistant.scoring.fit                  # SQuAD train articles + NATO dev set
    python -m assistant.scoring.fit --questions 1000 # fewer SQuAD questions, faster

Training rows come from the real answering path: each question is retrieved over its
whole corpus (all 1,204 SQuAD paragraphs, or the NATO corpus) and every sentence of the
retrieved passages is described by `ExtractiveGenerator.candidates`. A sentence is a
positive when it contains an accepted answer; a question is answerable when the SQuAD
label (or the NATO set) says so and an accepted answer was retrieved. Only SQuAD's train
articles (split.json) are used; its test articles are left for reporting. The refusal
threshold is the highest that keeps false refusals of answerable NATO dev questions at or
below --max-false-refusal.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant import analysis, scoring
from assistant.evaluation import metrics, squad, testset
from assistant.evaluation.testset import TestItem
from assistant.extractive import Candidate, ExtractiveGenerator
from assistant.followup import own_words
from assistant.pipeline import Assistant, build_assistant
from assistant.scoring import ANSWERABLE_FEATURES, SENTENCE_FEATURES, Model
from assistant.settings import PROJECT_ROOT, Settings

SHARED = PROJECT_ROOT.parent / "shared" / "data" / "squad-v2"
NATO_DEV = PROJECT_ROOT / "tests" / "data" / "nato_dev.jsonl"
# NATO rows count this many times a SQuAD row: they are fewer, and they are the product.
NATO_WEIGHT = 4.0

Row = tuple[list[float], int, float]


def contains(sentence: str, answers: Sequence[str]) -> bool:
    return metrics.contains_answer(sentence, [a for a in answers if a.lower() not in ("yes", "no")])


def collect(
    assistant: Assistant, items: Sequence[TestItem], weight: float, label: str
) -> list[tuple[TestItem, list[Candidate], str, float]]:
    """Each item's analysed question, its scored sentences and its weight."""
    gen = assistant.generator
    assert isinstance(gen, ExtractiveGenerator)
    out = []
    started = time.perf_counter()
    for i, item in enumerate(items, 1):
        question = assistant.standalone(item.question, list(item.history))
        if not analysis.is_english(question):
            continue
        passages = assistant.retrieve(question)
        cands = gen.candidates(analysis.analyse(question), passages)
        if cands:
            out.append((item, cands, question, weight))
        if i % 250 == 0:
            print(
                f"{label}: {i}/{len(items)} ({time.perf_counter() - started:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
    return out


def sentence_rows(data: Sequence[tuple[TestItem, list[Candidate], str, float]]) -> list[Row]:
    rows = []
    for item, cands, _, weight in data:
        if not item.answerable or not item.answers:
            continue
        for c in cands:
            rows.append(
                (
                    scoring.vector(c.features, SENTENCE_FEATURES),
                    int(contains(c.quote, item.answers)),
                    weight,
                )
            )
    return rows


def answerable_rows(
    gen: ExtractiveGenerator, data: Sequence[tuple[TestItem, list[Candidate], str, float]]
) -> list[Row]:
    rows = []
    for item, cands, question, weight in data:
        rescored = sorted(
            (dataclasses.replace(c, score=gen.sentence.probability(c.features)) for c in cands),
            key=lambda c: -c.score,
        )
        q = analysis.analyse(question)
        features = gen.evidence_features(q, rescored, own_words(question))
        found = item.answerable and (
            not item.answers
            or any(contains(c.quote, item.answers) for c in cands)
            or item.answers[0].lower() in ("yes", "no")
        )
        rows.append((scoring.vector(features, ANSWERABLE_FEATURES), int(found), weight))
    return rows


def fit(rows: Sequence[Row], names: Sequence[str]) -> Model:
    from sklearn.linear_model import LogisticRegression

    x = [r[0] for r in rows]
    y = [r[1] for r in rows]
    w = [r[2] for r in rows]
    model = LogisticRegression(C=1.0, max_iter=2000)
    model.fit(x, y, sample_weight=w)
    weights = {n: round(float(c), 4) for n, c in zip(names, model.coef_[0], strict=True)}
    return Model(weights, round(float(model.intercept_[0]), 4))


def threshold(model: Model, rows: Sequence[Row], names: Sequence[str], most: float) -> float:
    """The highest threshold whose false refusals of answerable rows stay at or below most."""
    probs = [(model.probability(dict(zip(names, r[0], strict=True))), r[1]) for r in rows]
    positives = sorted(p for p, y in probs if y)
    allowed = int(most * len(positives))
    return round(positives[allowed] - 1e-4, 4) if positives else 0.5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad", type=Path, default=SHARED / "dev-v2.0.json")
    parser.add_argument("--split", type=Path, default=SHARED / "split.json")
    parser.add_argument("--nato", type=Path, default=NATO_DEV)
    parser.add_argument("--questions", type=int, default=2500, help="SQuAD train questions")
    parser.add_argument("--max-false-refusal", type=float, default=0.02)
    parser.add_argument("--out", type=Path, default=scoring.WEIGHTS)
    args = parser.parse_args(argv)

    train_titles = set(json.loads(args.split.read_text(encoding="utf-8"))["train"])
    squad_set = testset.load(args.squad)
    train = [i for i in squad_set.items if i.sources[0].rsplit("#", 1)[0] in train_titles]
    step = max(1, len(train) // args.questions)
    train = train[::step][: args.questions]
    squad_settings = squad.settings_for(Settings(), squad_set)
    squad.write_documents(squad_set, squad_settings)
    squad_assistant = build_assistant(squad_settings)
    squad_assistant.ingest()
    nato_assistant = build_assistant(Settings())
    nato_assistant.ingest()
    nato = list(testset.load(args.nato).items)

    data = collect(squad_assistant, train, 1.0, "squad") + collect(
        nato_assistant, nato, NATO_WEIGHT, "nato"
    )
    sentence = fit(sentence_rows(data), SENTENCE_FEATURES)
    gen = nato_assistant.generator
    assert isinstance(gen, ExtractiveGenerator)
    gen.sentence = sentence
    rows = answerable_rows(gen, data)
    answerable = fit(rows, ANSWERABLE_FEATURES)
    nato_rows = [r for r in rows if r[2] == NATO_WEIGHT]
    cut = threshold(answerable, nato_rows, ANSWERABLE_FEATURES, args.max_false_refusal)
    payload: dict[str, Any] = {
        "note": "fitted by `python -m assistant.scoring.fit`; do not edit by hand",
        "trained_on": {
            "squad_train_questions": len(train),
            "nato_dev_questions": len(nato),
            "sentence_rows": len(sentence_rows(data)),
            "answerable_rows": len(rows),
        },
        "models": {
            "sentence": {
                "bias": sentence.bias,
                "threshold": 0.5,
                "weights": dict(sentence.weights),
            },
            "answerable": {
                "bias": answerable.bias,
                "threshold": cut,
                "weights": dict(answerable.weights),
            },
        },
    }
    args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(payload, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
