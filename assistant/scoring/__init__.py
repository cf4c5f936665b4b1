"""Learned scores: how likely a sentence answers a question, and whether to answer at all.

Both are logistic regressions over a handful of features; the weights are fitted by
`python -m assistant.scoring.fit` (SQuAD 2.0 training articles plus the NATO dev set) and
ship beside it in weights.json. Nothing here is hand-set except the feature definitions.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

WEIGHTS = Path(__file__).with_name("weights.json")

# What describes one sentence of a retrieved passage, each in [0, 1].
SENTENCE_FEATURES = (
    "overlap",  # IDF-weighted share of the question's terms the sentence has
    "phrase",  # share of the question's word pairs the sentence has
    "semantic",  # cosine of question and sentence embeddings
    "relevance",  # the passage's fused retrieval score
    "dense",  # the passage's dense similarity, relative to the best passage
    "type_match",  # the sentence holds something of the expected answer type
    "entity_cover",  # share of the question's names the sentence mentions
    "year_match",  # the sentence names a year the question names
    "opening",  # first sentence of its chunk
    "long",  # over 45 words
    "hedged",  # reports a claim or its error rather than stating a fact
    "rank",  # the passage's rank, 0 for the first, 1 for the last
)
# What describes the best evidence for a question as a whole.
ANSWERABLE_FEATURES = (
    "best",  # the best sentence's learned score
    "overlap",  # the best sentence's overlap
    "semantic",  # the best sentence's semantic similarity
    "dense",  # the best passage's dense similarity (absolute)
    "type_found",  # some good sentence holds the expected answer type
    "names_found",  # share of the question's names found in the passages
    "entity_cover",  # the best sentence's share of the question's names
    "margin",  # best minus second-best sentence score
)


@dataclass(frozen=True)
class Model:
    """A logistic regression: weights by feature name and a bias."""

    weights: Mapping[str, float]
    bias: float
    threshold: float = 0.5

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.bias + sum(w * features.get(name, 0.0) for name, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@lru_cache(maxsize=4)
def load(path: Path = WEIGHTS) -> dict[str, Model]:
    """The fitted models by name ('sentence', 'answerable')."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        name: Model(dict(m["weights"]), float(m["bias"]), float(m.get("threshold", 0.5)))
        for name, m in data["models"].items()
    }


def vector(features: Mapping[str, float], names: Sequence[str]) -> list[float]:
    """The features in a fixed order, for fitting."""
    return [float(features.get(n, 0.0)) for n in names]
