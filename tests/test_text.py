"""Sentence splitting, stemming and number reading: the ground the answerer stands on."""

from __future__ import annotations

from assistant import text


def spans(value: str) -> list[str]:
    return [value[s:e] for s, e in text.sentences(value)]


def test_sentences_keep_abbreviations_and_initials_inside() -> None:
    value = (
        "Signed in Washington, D.C. on 4 April 1949. The U.S. is the depositary. Mr. Rutte spoke."
    )
    assert spans(value) == [
        "Signed in Washington, D.C. on 4 April 1949.",
        "The U.S. is the depositary.",
        "Mr. Rutte spoke.",
    ]


def test_list_items_and_lines_end_sentences_and_lose_their_markers() -> None:
    value = "Contributions:\n- Denmark sent two F-16s\n- France sent three Rafales."
    assert spans(value) == [
        "Contributions:",
        "Denmark sent two F-16s",
        "France sent three Rafales.",
    ]


def test_spans_are_verbatim_slices() -> None:
    value = "  First one here.  Second “quoted” one!\n\n3 March 2014 was a Monday."
    for s, e in text.sentences(value):
        assert value[s:e].strip() == value[s:e]
        assert value[s:e] in value


def test_stems_meet_across_word_forms() -> None:
    forms = {"invoke", "invoked", "invoking", "invocation", "invocations"}
    assert len({text.stem(w) for w in forms}) == 1
    assert text.stem("times") == text.stem("time")
    assert text.stem("allies") == text.stem("ally") != text.stem("all")
    assert text.stem("denied") == text.stem("deny")
    assert text.stem("decisions") == text.stem("decide")
    assert text.stem("invasion") == text.stem("invaded")
    assert text.stem("session") != text.stem("sessed")


def test_terms_drop_stop_words_and_possessives() -> None:
    assert text.terms("How many times has NATO's Article 4 been invoked?") == [
        "time",
        "nato",
        "articl",
        "4",
        text.stem("invoked"),
    ]


def test_counts_ignore_dates_article_numbers_and_model_names() -> None:
    sentence = "On 19 September 2025 three MiG-31s entered under Article 4, the ninth time."
    assert text.counts(sentence) == [3, 9]


def test_counts_of_the_focus_noun() -> None:
    assert text.focus_noun("How many times has Article 4 been invoked?") == "times"
    assert text.focus_noun("How often did Turkey ask?") == "times"
    assert text.counts_of("times", "invoking Article 4 for the eighth time in 75 years") == [8]
    assert text.counts_of("times", "It has been invoked nine times (9), five times by Turkey") == [
        9,
        5,
    ]
    assert text.counts_of("times", "the 1st (first) of nine Article 4 invocations") == []


def test_dates() -> None:
    assert text.has_full_date("The Council met on 4 March 2014.")
    assert not text.has_full_date("It happened in 2014.")
    assert text.has_date("It happened in 2014.")
    assert text.fold("Akçakale’s") == "akcakale's"


def test_a_month_and_year_is_not_a_full_date() -> None:
    assert not text.has_full_date("from late February to early March 2014")
    assert text.has_full_date("on 3 March 2014") and text.has_full_date("on March 3, 2014")


def test_irregular_past_forms_meet_their_base_verb() -> None:
    assert text.base_terms("The envoys met and held talks") >= {"meet", "hold"}
    assert text.base_term(text.stem("meeting")) == text.base_term(text.stem("met"))
    # Words that are also common in another sense keep their own meaning.
    assert text.base_term("left") == "left"


def test_time_between_dates_is_said_in_the_unit_asked() -> None:
    assert text.elapsed(20030210, 20220224, "years") == "19 years"
    # A year less two weeks is almost a year; order does not matter.
    assert text.elapsed(20140303, 19990312, "years") == "almost 15 years"
    assert text.elapsed(20250910, 20250923, "days") == "13 days"
    assert text.elapsed(20140303, 20250910) == "11 years and 6 months"
    assert text.elapsed(20011000, 20020500) == "7 months"
    # Years alone give years, never days.
    assert text.elapsed(19990000, 20140000, "years") == "15 years"
    assert text.elapsed(19990000, 20140000, "days") is None
    # Nothing in the unit asked, or a day no calendar has, gives no answer.
    assert text.elapsed(20140300, 20140315, "years") is None
    assert text.elapsed(20250231, 20250310) is None


def test_a_year_the_question_sets_as_a_bound_is_not_a_year_it_names() -> None:
    assert not text.date_conflict("Who joined NATO since 2010?", "Montenegro joined in 2017.")
    assert text.date_conflict("Who joined NATO since 2010?", "Spain joined NATO in 1982.")
    assert text.date_conflict("Who chaired it before 2003?", "He took office in 2014.")
    assert text.date_conflict("Who chaired it in 2026?", "He took office in 2014.")


def test_a_stretch_given_by_its_ends_has_its_length_worked_out() -> None:
    assert text.ranges("The mission ran from mid-October 2001 to mid-May 2002.") == [
        ("from mid-October 2001 to mid-May 2002", "7 months")
    ]
    assert text.ranges("It ran from 3 May 2003 to 1 February 2003.") == []  # ends reversed


def test_a_date_that_only_says_how_far_a_count_goes_dates_nothing() -> None:
    assert text.dates_at("The ninth of nine invocations up to 23 September 2025.") == []
    assert [d for d, _ in text.dates_at("The Council met on 4 March 2014.")] == [20140304]


def test_a_count_of_the_harmed_counts_people_when_no_noun_says_so() -> None:
    assert text.focus_noun("how many died?") == "people"
    assert text.focus_noun("How many were injured in the strike?") == "people"
    assert text.focus_noun("How many soldiers died?") == "soldiers"


def test_a_verb_in_ceed_meets_its_forms() -> None:
    assert text.stem("succeed") == text.stem("succeeding") == text.stem("succeeds")


def test_a_span_of_years_that_covers_the_year_asked_is_no_conflict() -> None:
    from assistant.text import date_conflict

    sentence = "Jens Stoltenberg was Secretary General from 2014 until 30 September 2024."
    assert not date_conflict("How long was he in office (28 February 2020)?", sentence)
    assert date_conflict("How long was he in office (2026)?", sentence)
    assert date_conflict("What happened in 2020?", "Poland joined in 1999 and Spain in 1982.")


def test_once_and_twice_count_times_but_once_the_council_met_does_not() -> None:
    from assistant.text import counts_of

    assert counts_of("times", "Article 5 had still been invoked only once") == [1]
    assert counts_of("times", "Poland asked twice, in 2014 and 2025") == [2]
    assert counts_of("times", "once the Council met, it agreed; once again it met") == []
