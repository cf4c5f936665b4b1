"""The citation check with the real embedding model: markers, support scores, the threshold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant import Settings, embeddings
from assistant.grounding import Grounding, claims, names, numbers
from assistant.schema import Passage

PAIRS = Path(__file__).parent / "data" / "support_pairs.jsonl"

TREATY = Passage(
    chunk_id="treaty-0",
    source="treaty.md",
    title="The North Atlantic Treaty",
    text="The North Atlantic Treaty › Signing\n\n"
    "The North Atlantic Treaty, the founding treaty of NATO, was signed on 4 April 1949 in "
    "Washington, D.C.\nThe North Atlantic Treaty entered into force on 24 August 1949.",
    score=1.0,
)
TURKEY = Passage(
    chunk_id="turkey-0",
    source="invocation-2003-turkey.md",
    title="Turkey's first Article 4 request",
    text="Turkey's first Article 4 request › The request\n\n"
    "Turkey requested Article 4 consultations in a letter of 10 February 2003.\n"
    "Turkey invoked Article 4 because it feared an attack from Iraq in the coming war.",
    score=0.9,
)


@pytest.fixture(scope="module")
def grounding() -> Grounding:
    model = embeddings.load(Settings().embedding_model)
    return Grounding(model.embed_documents, Settings().support_threshold)


def test_claims_keep_markers_with_their_sentence() -> None:
    parsed = claims("It was signed in 1949.[1] Turkey asked in 2003 [2][3]. Again [1, 2]. [4]")
    assert [c.text for c in parsed] == [
        "It was signed in 1949.",
        "Turkey asked in 2003.",
        "Again.",
    ]
    assert [c.cited for c in parsed] == [(1,), (2, 3), (1, 2, 4)]


def test_claims_remember_list_items() -> None:
    parsed = claims("- First point [1].\n- Second point [2].")
    assert [(c.text, c.prefix, c.line) for c in parsed] == [
        ("First point.", "- ", 0),
        ("Second point.", "- ", 1),
    ]


def test_numbers_and_names_read_digits_words_and_capitals() -> None:
    assert numbers("Nine times, 1,000 troops, in 2003") == {"9", "1000", "2003"}
    assert names("Turkey asked Jens Stoltenberg in Brussels.") == {
        "turkey",
        "jens",
        "stoltenberg",
        "brussels",
    }
    assert names("Following the attack, Poland asked.") == {"poland"}
    assert names("Eventually the allies met.") == names("Nine allies met.") == set()


def test_supported_sentence_is_kept_and_renumbered(grounding: Grounding) -> None:
    checked = grounding.check(
        "Turkey asked for Article 4 consultations by letter on 10 February 2003 [2].",
        [TREATY, TURKEY],
    )
    assert checked.answer == (
        "Turkey asked for Article 4 consultations by letter on 10 February 2003 [1]."
    )
    assert [(c.n, c.passage.chunk_id) for c in checked.citations] == [(1, "turkey-0")]
    assert checked.citations[0].quote == (
        "Turkey requested Article 4 consultations in a letter of 10 February 2003."
    )


def test_invented_marker_and_unsupported_sentence_are_removed(grounding: Grounding) -> None:
    checked = grounding.check(
        "The treaty was signed in Washington on 4 April 1949 [1]. "
        "The treaty was later moved to a secret base on the Moon [1]. "
        "Turkey asked for consultations in February 2003 [7].",
        [TREATY, TURKEY],
    )
    assert checked.answer == "The treaty was signed in Washington on 4 April 1949 [1]."
    assert checked.invented == (7,)
    assert "The treaty was later moved to a secret base on the Moon." in checked.dropped
    assert "Turkey asked for consultations in February 2003." in checked.dropped


def test_sentence_citing_the_wrong_source_is_dropped(grounding: Grounding) -> None:
    checked = grounding.check(
        "Turkey requested consultations by letter on 10 February 2003 [1].", [TREATY, TURKEY]
    )
    assert checked.empty and checked.dropped


def test_changed_number_or_swapped_name_has_no_support(grounding: Grounding) -> None:
    right, date, name = grounding.supports(
        [
            "Turkey requested consultations in a letter of 10 February 2003.",
            "Turkey requested consultations in a letter of 10 February 2004.",
            "Poland requested consultations in a letter of 10 February 2003.",
        ],
        TURKEY,
    )
    assert right.score >= grounding.threshold
    assert date.score == 0.0 and name.score == 0.0


def test_uncited_sentences_are_dropped_but_not_saying_is_kept(grounding: Grounding) -> None:
    checked = grounding.check(
        "NATO is an alliance. The treaty entered into force on 24 August 1949 [1]. "
        "The sources do not say who drafted it.",
        [TREATY],
    )
    assert checked.answer == (
        "The treaty entered into force on 24 August 1949 [1]. "
        "The sources do not say who drafted it."
    )
    assert checked.dropped == ("NATO is an alliance.",)


def test_a_plain_refusal_is_recognised(grounding: Grounding) -> None:
    checked = grounding.check("The sources don't say.", [TREATY])
    assert checked.refused and not checked.citations and not checked.empty


def test_random_text_leaves_nothing(grounding: Grounding) -> None:
    checked = grounding.check("ityria w Atlanticic jo by ter its [1] dron uss", [TREATY])
    assert checked.empty and not checked.refused


def test_threshold_separates_the_calibration_pairs(grounding: Grounding) -> None:
    rows = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]
    kept = {True: 0, False: 0}
    for text in dict.fromkeys(row["passage"] for row in rows):
        group = [row for row in rows if row["passage"] == text]
        passage = Passage("c", "s", group[0]["title"], text, 1.0)
        scores = grounding.supports([row["claim"] for row in group], passage)
        for row, support in zip(group, scores, strict=True):
            kept[row["supported"]] += support.score >= grounding.threshold
    supported = sum(row["supported"] for row in rows)
    unsupported = len(rows) - supported
    # docs/llm.md: 33 of 35 supported claims pass and 31 of 35 unsupported ones are caught.
    assert kept[True] / supported >= 0.9
    assert (unsupported - kept[False]) / unsupported >= 0.85
