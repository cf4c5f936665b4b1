"""Follow-up questions become standalone before retrieval (no language model involved)."""

from __future__ import annotations

import pytest

from assistant.followup import entities, items, needs_context, own_words, rewrite
from assistant.schema import Turn

POLAND_2014 = [
    Turn("user", "Why did Poland request Article 4 consultations in March 2014?"),
    Turn("assistant", "Poland asked because of Russia's moves into Crimea [1]."),
]


def test_a_question_without_history_is_left_alone() -> None:
    assert rewrite("What was the reason?", []) == "What was the reason?"


def test_a_standalone_question_is_left_alone_even_with_history() -> None:
    question = "When did Turkey first invoke Article 4?"
    assert not needs_context(question)
    assert rewrite(question, POLAND_2014) == question


def test_a_vague_follow_up_borrows_the_subject_of_the_last_question() -> None:
    standalone = rewrite(
        "What was the reason?", [Turn("user", "When did Poland invoke Article 4 in 2014?")]
    )
    assert "Poland" in standalone and "2014" in standalone and "reason" in standalone


@pytest.mark.parametrize(
    ("follow_up", "expected"),
    [
        ("What about Estonia?", "Why did Estonia request Article 4 consultations in March 2014?"),
        ("And Turkey?", "Why did Turkey request Article 4 consultations in March 2014?"),
    ],
)
def test_what_about_swaps_the_subject(follow_up: str, expected: str) -> None:
    assert rewrite(follow_up, POLAND_2014) == expected


def test_and_article_5_swaps_the_article() -> None:
    history = [Turn("user", "How many times has Article 4 been invoked?")]
    assert rewrite("And Article 5?", history) == "How many times has Article 5 been invoked?"


def test_a_follow_up_of_a_follow_up_reaches_back_to_the_named_subject() -> None:
    history = [*POLAND_2014, Turn("user", "What was the reason?"), Turn("assistant", "Crimea [1].")]
    assert "Poland" in rewrite("Who was Secretary General then?", history)


def test_entities_stop_at_possessives() -> None:
    found = entities("Which invocation was Estonia's September 2025 request on NATO's count?")
    assert "Estonia's" in found and "September" in found and "2025" in found


def test_a_pronoun_can_point_at_what_the_last_answer_named() -> None:
    history = [
        Turn("user", "What did NATO launch after Poland's 2025 Article 4 request?"),
        Turn("assistant", "NATO launched Eastern Sentry on 12 September 2025 [1]."),
    ]
    assert "Eastern Sentry" in rewrite("Who runs it?", history)


def test_own_words_drops_the_borrowed_context() -> None:
    standalone = rewrite("What was the reason?", POLAND_2014)
    assert own_words(standalone) == "What was the reason?"
    assert own_words("Was it (really) true?") == "Was it (really) true?"


def test_an_ordinal_picks_the_item_of_the_last_answer() -> None:
    history = [
        Turn("user", "Which ally asked the most often?"),
        Turn("assistant", "Denmark, three times: 1994, June 1999 and 2005 [1]."),
    ]
    standalone = rewrite("What caused the second one?", history)
    assert "June 1999" in standalone and "Denmark" in standalone
    assert "1994" not in standalone
    assert "2005" in rewrite("and the last one?", history)


def test_an_ordinal_over_months_alone() -> None:
    history = [
        Turn("user", "Norway asked twice in 1999, right?"),
        Turn("assistant", "Yes: in June after a collision, and in October after a blockade."),
    ]
    standalone = rewrite("how many ships were in the second one?", history)
    assert "October" in standalone and "Norway" in standalone and "June" not in standalone


def test_an_ordinal_over_clauses_takes_the_whole_item_with_its_own_subject() -> None:
    history = [
        Turn("user", "Which requests were made in 1999?"),
        Turn(
            "assistant",
            "Two: Norway on 3 May 1999 after a collision at sea (the Council met that day), "
            "and Denmark on 9 June 1999 after a blockade; the Council met on 10 June [1].",
        ),
    ]
    standalone = rewrite("How long did the second one last?", history)
    assert "Denmark on 9 June 1999 after a blockade" in standalone
    assert "Norway" not in standalone and "Council met" not in standalone
    # Once found, the item's position is no longer asked: "second" would be searched for.
    assert own_words(standalone) == "How long did that one last?"


def test_an_ordinal_in_a_question_that_names_its_own_subject_is_kept() -> None:
    history = [
        Turn("user", "Which ally asked the most often?"),
        Turn("assistant", "Denmark, three times: 1994, June 1999 and 2005 [1]."),
    ]
    assert "the last time" in rewrite("When did Norway ask the last time?", history)


def test_a_described_item_is_the_one_that_holds_the_word() -> None:
    history = [
        Turn("user", "What did the Council launch in 1999?"),
        Turn(
            "assistant",
            "Operation Northern Watch, which flew patrols over the fjords, and Operation "
            "Harbour Shield, a naval operation [1].",
        ),
    ]
    standalone = rewrite("Where was the naval one based?", history)
    assert "Harbour Shield" in standalone and "Northern Watch" not in standalone


def test_a_name_in_parentheses_is_read_whole() -> None:
    history = [
        Turn("user", "Who chaired the Council in 1999?"),
        Turn("assistant", "Lord (Javier) Solana."),
    ]
    assert "Javier Solana" in rewrite("What did he say?", history)


def test_a_count_that_leaves_out_its_thing_borrows_the_conversation_subject() -> None:
    history = [
        Turn("user", "What's Northern Watch?"),
        Turn("assistant", "A patrol the Council set up in 1999 [1]."),
        Turn("user", "Who sent ships at first?"),
        Turn("assistant", "Norway two frigates, Denmark three corvettes [1]."),
    ]
    standalone = rewrite("How many did the Danes send?", history)
    assert "Northern Watch" in standalone and "What's" not in standalone


def test_what_about_an_article_in_lower_case_swaps_the_article() -> None:
    history = [Turn("user", "What's Article 4 about?"), Turn("assistant", "Consultation.")]
    assert rewrite("what about article 9?", history) == "What's article 9 about?"


def test_that_meeting_takes_the_date_the_last_answer_gave() -> None:
    history = [
        Turn("user", "When did Norway ask for consultations?"),
        Turn("assistant", "On 3 May 1999; the Council met the same day [1]."),
    ]
    assert "3 May 1999" in rewrite("What was decided at that meeting?", history)


def test_a_personal_pronoun_becomes_the_person_the_last_answer_named() -> None:
    history = [
        Turn("user", "Who chaired the Council in 1999?"),
        Turn("assistant", "Secretary General Javier Solana chaired it [1]."),
    ]
    standalone = rewrite("What did he say after the meeting?", history)
    assert own_words(standalone).startswith("What did Javier Solana say")
    assert own_words(rewrite("What was his nationality?", history)) == (
        "What was Javier Solana's nationality?"
    )


def test_it_becomes_what_the_last_answer_introduced() -> None:
    history = [
        Turn("user", "What did the Council set up after Norway's request?"),
        Turn("assistant", "It set up Northern Watch on 5 May 1999 [1]."),
    ]
    assert own_words(rewrite("Who runs it?", history)) == "Who runs Northern Watch?"


def test_the_second_one_of_a_subject_without_a_list_borrows_the_subject() -> None:
    history = [
        Turn("user", "Which ally asked the most often?"),
        Turn("assistant", "Denmark, four times in all."),
    ]
    assert "Denmark" in rewrite("When was the second one?", history)


def test_it_after_a_question_about_a_named_subject_is_not_replaced() -> None:
    # After "When was X invoked?", "it" may be X or what X led to: context is added only.
    history = [
        Turn("user", "When did Norway invoke the clause?"),
        Turn("assistant", "Norway invoked it on 3 May 1999, after the Baltic incident [1]."),
    ]
    standalone = rewrite("Who opposed it?", history)
    assert own_words(standalone) == "Who opposed it?" and "Norway" in standalone


@pytest.mark.parametrize(
    ("earlier", "follow_up", "expected"),
    [
        ("When was the Oslo accord signed?", "Where?", "Where was the Oslo accord signed?"),
        (
            "Did Norway invoke the clause in 1999?",
            "And why?",
            "Why did Norway invoke the clause in 1999?",
        ),
        ("How many times has Denmark asked?", "When exactly?", "When has Denmark asked?"),
        ("In which city did the envoys meet?", "When?", "When did the envoys meet?"),
    ],
)
def test_a_question_word_alone_asks_the_last_question_again(
    earlier: str, follow_up: str, expected: str
) -> None:
    history = [Turn("user", earlier), Turn("assistant", "An answer [1].")]
    assert rewrite(follow_up, history) == expected


def test_which_one_is_one_of_what_the_last_question_counted() -> None:
    history = [
        Turn("user", "How many countries signed the Oslo accord?"),
        Turn("assistant", "Five countries [1]."),
    ]
    assert own_words(rewrite("Which one signed last?", history)) == "Which country signed last?"


def test_a_follow_up_that_carries_on_in_time_borrows_the_conversation_subject() -> None:
    history = [
        Turn("user", "Which ally asked for consultations after the ship was seized?"),
        Turn("assistant", "Denmark, on 4 May 1999 [1]."),
        Turn("user", "Did the Council meet the same day?"),
        Turn("assistant", "Yes, it met that evening [1]."),
    ]
    standalone = rewrite("and what did the Council decide a few days later?", history)
    assert needs_context("and what did the Council decide a few days later?")
    assert "Denmark" in standalone


def test_a_pronoun_and_a_described_event_are_both_resolved() -> None:
    # "he" is the person the last answer named; "that decision" is the occasion it dated.
    history = [
        Turn("user", "Which Polish leader announced the Article 4 request?"),
        Turn("assistant", "Prime Minister Donald Tusk announced it on 10 September 2025."),
    ]
    standalone = rewrite("who did he make that decision with?", history)
    assert standalone.startswith("who did Donald Tusk make that decision with")
    assert "10 September 2025" in standalone


def test_at_that_point_is_the_occasion_the_last_answer_dated() -> None:
    history = [
        Turn("user", "Who asked for Article 4 in 2014?"),
        Turn("assistant", "Poland, on 3 March 2014, over Russia's moves in Crimea."),
    ]
    assert "3 March 2014" in rewrite("who was in charge at that point?", history)


def test_they_borrows_the_one_date_the_last_answer_gave() -> None:
    history = [
        Turn("user", "which country asked for article 4 consultations first?"),
        Turn("assistant", "Turkey was the first, with a letter in February 2003."),
    ]
    standalone = rewrite("why did they feel they needed to?", history)
    assert "Turkey" in standalone and "February 2003" in standalone
    # An answer that lists several dates gives none of them to the question.
    listed = [
        Turn("user", "Which country has invoked Article 4 the most?"),
        Turn("assistant", "Turkey, five times: 2003, twice in 2012, 2015 and 2020."),
    ]
    assert "2003" not in rewrite("why did they keep asking?", listed)


def test_what_happened_next_carries_on_from_the_occasion_just_told() -> None:
    history = [
        Turn("user", "When did Poland ask for Article 4 after the drones?"),
        Turn("assistant", "Poland requested Article 4 consultations on 10 September 2025."),
    ]
    question = "ok and what happened next, did nato actually do anything?"
    assert needs_context(question)
    assert "10 September 2025" in rewrite(question, history)


def test_a_state_named_after_its_capital_is_the_question_s_own() -> None:
    assert own_words("Why did Tallinn (Estonia)?") == "Why did Tallinn (Estonia)?"
    assert own_words("why did they (Turkey, 2003)?") == "why did they?"


def test_what_about_x_then_a_question_asks_that_question_of_x() -> None:
    history = [
        Turn("user", "When was NATO founded?"),
        Turn("assistant", "The North Atlantic Treaty was signed on 4 April 1949."),
    ]
    assert rewrite("What about Finland, when did it get in?", history) == (
        "when did Finland get in?"
    )


def test_a_short_question_that_names_nothing_borrows_the_subject() -> None:
    history = [
        Turn("user", "What was Turkey's second Article 4 request in 2012 about?"),
        Turn("assistant", "In October 2012 shells from Syria hit the town of Akçakale."),
    ]
    standalone = rewrite("How many people were killed?", history)
    assert "Turkey" in standalone and "2012" in standalone


@pytest.mark.parametrize(
    ("follow_up", "expected"),
    [
        ("And what about October that year?", "Why did Turkey invoke Article 4 in October 2012?"),
        ("and in October?", "Why did Turkey invoke Article 4 in October 2012?"),
        ("What about 2015?", "Why did Turkey invoke Article 4 in 2015?"),
    ],
)
def test_what_about_a_time_asks_the_last_question_of_that_time(
    follow_up: str, expected: str
) -> None:
    history = [
        Turn("user", "Why did Turkey invoke Article 4 in June 2012?"),
        Turn("assistant", "Because Syria shot down a Turkish jet on 22 June 2012 [1]."),
    ]
    assert rewrite(follow_up, history) == expected


def test_a_follow_up_asked_of_its_own_state_borrows_no_other_state_or_its_dates() -> None:
    history = [
        Turn("user", "When did Turkey first invoke Article 4?"),
        Turn("assistant", "On 10 February 2003, by letter [1]."),
    ]
    standalone = rewrite("And when was the first time Poland did it?", history)
    assert "Poland" in standalone and "Article 4" in standalone
    assert "Turkey" not in standalone and "2003" not in standalone


def test_a_follow_up_with_only_a_year_to_borrow_takes_the_last_question_s_words() -> None:
    # The place is named in lower case, so only the year would be borrowed otherwise.
    history = [
        Turn("user", "what happened in akcakale in 2012?"),
        Turn("assistant", "On 3 October 2012 a shell fired from Syria hit Akçakale [1]."),
    ]
    assert "akcakale" in rewrite("how many ppl died", history)


def test_that_set_beside_another_thing_is_the_last_question_s_subject() -> None:
    history = [
        Turn("user", "Has Article 5 ever been invoked?"),
        Turn("assistant", "Yes, once, after the 11 September 2001 attacks [1]."),
    ]
    assert rewrite("how's that different from article 4?", history) == (
        "how's Article 5 different from article 4?"
    )
    # Without a comparison, "that" is the occasion, with its date.
    assert "2001" in rewrite("When was that?", history)


def test_a_question_word_tacked_onto_a_yes_no_question_asks_it_with_that_word() -> None:
    assert rewrite("Did Norway ask for talks? When?", []) == "When did Norway ask for talks?"
    history = [
        Turn("user", "tell me about the drones over Poland in 2025"),
        Turn("assistant", "Russian drones entered Polish airspace on 9–10 September 2025 [1]."),
    ]
    standalone = rewrite("Was anything damaged on the ground? Where?", history)
    assert (
        standalone.startswith("Where was anything damaged on the ground") and "Poland" in standalone
    )


def test_a_year_that_bounds_the_last_question_is_not_borrowed_as_its_occasion() -> None:
    history = [
        Turn("user", "Has Norway used Article 4 before 2030?"),
        Turn("assistant", "Yes, in March 2014 [1]."),
    ]
    standalone = rewrite("Who was chairing the council back then?", history)
    assert "Norway" in standalone and "2030" not in standalone


def test_a_lower_case_article_is_a_name_and_a_word_opening_a_sentence_is_not() -> None:
    assert entities("when was article 5 invoked") == ["Article 5"]
    said = "Just once, after the attacks: the North Atlantic Council agreed. Only then ..."
    assert entities(said) == ["North Atlantic Council"]
    history = [
        Turn("user", "when was article 5 invoked"),
        Turn("assistant", "Just once, after the 9/11 attacks, in September 2001."),
    ]
    assert "Article 5" in rewrite("What operations came out of that?", history)


def test_she_after_a_who_question_is_the_person_the_answer_gave() -> None:
    history = [
        Turn("user", "Who was Sweden's foreign minister during the cable row in December 2024?"),
        Turn(
            "assistant",
            "Maria Malmer Stenergard. When Peter Hultqvist urged an Article 4 request, she "
            "said nothing was ruled out.",
        ),
    ]
    assert rewrite("did she end up requesting article 4?", history).startswith(
        "did Maria Malmer Stenergard end up"
    )


def test_it_after_what_is_x_is_x_not_a_name_in_the_definition() -> None:
    history = [
        Turn("user", "What is Eastern Sentry?"),
        Turn("assistant", "A NATO military activity announced on 12 September 2025."),
    ]
    standalone = rewrite("which countries were the first to put jets into it?", history)
    assert "into NATO" not in standalone and "Eastern Sentry" in standalone


def test_a_date_borrowed_from_within_a_term_does_not_rule_out_the_term() -> None:
    history = [
        Turn("user", "Who was NATO secretary general when Turkey invoked Article 4 over Idlib?"),
        Turn("assistant", "Jens Stoltenberg. The Council met on 28 February 2020."),
    ]
    standalone = rewrite("how long was he in the job overall?", history)
    assert "Stoltenberg" in standalone


def test_its_after_a_name_in_the_question_itself_stays_that_names() -> None:
    history = [
        Turn("user", "What did the North Atlantic Council do on 24 February 2022?"),
        Turn("assistant", "It held an extraordinary meeting with Article 4 consultations."),
    ]
    standalone = rewrite("and what did the alliance decide at its summit the next day?", history)
    assert "at its summit" in standalone and "Article 4's" not in standalone


def test_a_yes_or_no_is_none_of_the_items_an_answer_lists() -> None:
    said = (
        "Yes. The first request followed the shoot-down on 22 June 2012, and the second came "
        "on 3 October 2012."
    )
    assert items(said)[0].startswith("The first request")
