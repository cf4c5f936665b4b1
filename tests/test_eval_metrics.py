"""Metrics on known examples: normalisation, token F1, gold sources, MRR, refusal, latency."""

from __future__ import annotations

import pytest

from assistant.evaluation import metrics
from assistant.evaluation.records import Cited, Outcome, Result, Retrieved
from assistant.evaluation.testset import TestItem


def outcome(
    item: TestItem,
    answer: str,
    *,
    refused: bool = False,
    cites: tuple[tuple[str, str, bool], ...] = (),
    retrieved: tuple[str, ...] = (),
    latency: float = 10.0,
    error: str = "",
) -> Outcome:
    return Outcome(
        item=item,
        answer=answer,
        refused=refused,
        citations=tuple(Cited(n, src, quote, ok) for n, (src, quote, ok) in enumerate(cites, 1)),
        retrieved=tuple(
            Retrieved(src, 1.0 / (i + 1), f"text of {src}") for i, src in enumerate(retrieved)
        ),
        latency_ms=latency,
        error=error,
    )


def result(o: Outcome) -> Result:
    scores = metrics.score(o)
    return Result(o, scores, metrics.failures(o, scores))


# ----- normalisation and answers ---------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Treaty of Washington.", "treaty of washington"),
        ("An F-35, a MiG-31!", "f35 mig31"),
        ("“Eastern Sentry” – launched", "eastern sentry launched"),
        ("  Twelve\u00a0states  ", "twelve states"),
    ],
)
def test_normalize_follows_squad_with_unicode_punctuation(text: str, expected: str) -> None:
    assert metrics.normalize(text) == expected


def test_citation_markers_never_count_as_answers() -> None:
    answer = "Article 5 has been invoked once, after 9/11 [1]."
    assert metrics.contains_answer(answer, ["once"])
    assert not metrics.contains_answer("It was invoked twice [1].", ["1"])
    assert metrics.strip_markers("A [1]. B [2, 3].") == "A. B."


def test_containment_needs_whole_words() -> None:
    assert not metrics.contains_answer("Tusk reported 19 violations [1].", ["9"])
    assert metrics.contains_answer("Tusk reported 19 violations [1].", ["nineteen", "19"])
    assert metrics.contains_answer("It was signed in Washington, D.C. [1].", ["washington"])
    assert not metrics.contains_answer("anything", [])


def test_token_f1_on_known_examples() -> None:
    # pred {cat, sat}, gold {cat, sat, on, mat}: precision 1, recall 1/2.
    assert metrics.token_f1("the cat sat", "a cat sat on the mat") == pytest.approx(2 / 3)
    assert metrics.token_f1("Denmark, Iceland and Norway", "Denmark, Iceland and Norway") == 1.0
    assert metrics.token_f1("France", "Normandy") == 0.0
    assert metrics.token_f1("", "") == 1.0
    assert metrics.token_f1("the", "France") == 0.0  # only an article: empty after normalising
    # Repeated tokens count once per occurrence on each side.
    assert metrics.token_f1("nine nine nine", "nine times") == pytest.approx(
        2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2)
    )
    assert metrics.best_f1("The answer is France [1].", ["Italy", "France"]) == pytest.approx(
        2 * (1 / 3) * 1 / (1 / 3 + 1)
    )


# ----- sources and retrieval ---------------------------------------------------
@pytest.mark.parametrize(
    "gold", ["invocations/treaty.md", "treaty.md", "treaty", "invocations/treaty"]
)
def test_gold_source_matches_path_file_name_or_stem(gold: str) -> None:
    assert metrics.source_matches(gold, "invocations/treaty.md")


@pytest.mark.parametrize("gold", ["treat", "other/treaty.md", "treaty.txt", "Treaty", ""])
def test_gold_source_does_not_match_other_names(gold: str) -> None:
    assert not metrics.source_matches(gold, "invocations/treaty.md")


def test_squad_passage_ids_match_their_files() -> None:
    assert metrics.source_matches("Normans#0", "Normans#0.txt")
    assert not metrics.source_matches("Normans#0", "Normans#10.txt")


def test_retrieval_hit_recall_and_reciprocal_rank() -> None:
    ranked = ["x.md", "b.md", "a.md", "b.md"]
    assert metrics.retrieval(["a", "b"], ranked) == (1.0, 1.0, 0.5)
    assert metrics.retrieval(["a", "z"], ranked) == (1.0, 0.5, pytest.approx(1 / 3))
    assert metrics.retrieval(["z"], ranked) == (0.0, 0.0, 0.0)
    assert metrics.retrieval(["x"], ranked) == (1.0, 1.0, 1.0)


def test_mrr_is_the_mean_of_reciprocal_ranks() -> None:
    items = [TestItem(f"q{i}", "?", answers=("a",), sources=("gold",)) for i in range(3)]
    results = [
        result(outcome(items[0], "a [1].", retrieved=("gold.md",))),
        result(outcome(items[1], "a [1].", retrieved=("x.md", "y.md", "gold.md"))),
        result(outcome(items[2], "a [1].", retrieved=("x.md",))),
    ]
    values, counts = metrics.aggregate(results)
    assert values["mrr"] == pytest.approx((1 + 1 / 3 + 0) / 3)
    assert values["hit@k"] == pytest.approx(2 / 3)
    assert counts["mrr"] == 3


# ----- one item ---------------------------------------------------------------
def test_refusing_an_answerable_question_scores_zero_and_fails() -> None:
    item = TestItem("q1", "When?", answers=("4 April 1949",), reference="On 4 April 1949.")
    o = outcome(item, "The sources don't say.", refused=True)
    scores = metrics.score(o, similarity=0.4)
    assert scores["containment"] == 0.0
    assert scores["token_f1"] == 0.0
    assert scores["similarity"] == 0.0
    assert scores["cited"] is None  # refusals are not "answered"
    assert metrics.failures(o, scores) == ("refused an answerable question",)


def test_citation_precision_and_verbatim_quotes() -> None:
    item = TestItem("q1", "Who?", answers=("Rutte",), sources=("secretaries-general",))
    o = outcome(
        item,
        "Mark Rutte [1]. Poland asked [2].",
        cites=(
            ("secretaries-general.md", "Mark Rutte.", True),
            ("poland.md", "Poland asked.", False),
        ),
    )
    scores = metrics.score(o)
    assert scores["citation_precision"] == 0.5
    assert scores["quotes_verbatim"] == 0.5
    assert scores["cited"] == 1.0
    assert "a quote is not word for word in its chunk" in metrics.failures(o, scores)


def test_unanswerable_items_count_towards_refusal_only() -> None:
    unanswerable = TestItem("u1", "Boiling point of water?", answerable=False)
    answerable = TestItem("a1", "When?", answers=("1949",))
    results = [
        result(outcome(unanswerable, "The sources don't say.", refused=True)),
        result(
            outcome(
                TestItem("u2", "?", answerable=False),
                "100 degrees [1].",
                cites=(("x.md", "100 degrees.", True),),
            )
        ),
        result(outcome(answerable, "The sources don't say.", refused=True)),
    ]
    values, counts = metrics.aggregate(results)
    assert values["refused_unanswerable"] == 0.5
    assert values["false_refusal"] == 1.0
    assert counts["refused_unanswerable"] == 2 and counts["false_refusal"] == 1
    assert values["containment"] == 0.0 and counts["containment"] == 1
    assert results[1].failures == ("answered an unanswerable question",)
    assert results[0].passed


def test_an_item_that_could_not_be_asked_counts_as_a_wrong_answer() -> None:
    item = TestItem("q1", "x" * 2000, answers=("x",), sources=("treaty",))
    r = result(outcome(item, "", error="The question is too long."))
    assert r.failures == ("error: The question is too long.",)
    assert r.metrics["containment"] == 0.0 and r.metrics["hit@k"] == 0.0
    values, counts = metrics.aggregate([r])
    assert values["latency_p50_ms"] is None and counts["latency_p50_ms"] == 0


def test_latency_percentiles_interpolate() -> None:
    assert metrics.percentile([float(x) for x in range(1, 11)], 50) == pytest.approx(5.5)
    assert metrics.percentile([float(x) for x in range(1, 11)], 95) == pytest.approx(9.55)
    assert metrics.percentile([7.0], 95) == 7.0
    assert metrics.percentile([], 50) is None


def test_every_metric_is_listed_with_a_direction() -> None:
    names = [m.name for m in metrics.METRICS]
    assert len(names) == len(set(names))
    values, _ = metrics.aggregate([])
    assert set(values) == set(names)
    assert not metrics.BY_NAME["false_refusal"].higher_is_better
