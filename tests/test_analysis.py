"""Question analysis with spaCy: answer types, names, order, two-step and comparison parts."""

from __future__ import annotations

import pytest

from assistant import analysis
from assistant.analysis import analyse, main_question, speculative


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who signed the letter for Denmark?", "person"),
        ("When did Norway ask for talks?", "date"),
        ("On what day did the Council meet?", "date"),
        ("How many ships took part?", "number"),
        ("How often has Greece asked?", "number"),
        ("How long did the session last?", "duration"),
        ("Why did Latvia ask for consultations?", "reason"),
        ("Where was the summit held?", "place"),
        ("Did Canada send aircraft?", "yes-no"),
        ("Is the Council's decision binding?", "yes-no"),
        ("What is the difference between the two clauses?", "comparison"),
        ("Compare the 1999 and 2004 enlargements.", "comparison"),
        ("Which countries sent ships?", "list"),
        ("Name the founding members of the alliance.", "list"),
        ("Walk me through the consultation process.", "definition"),
        ("What does the preamble say?", "definition"),
        # A clause before the question does not hide what it asks.
        ("If Norway asks for talks, does that oblige the others to act?", "yes-no"),
        ("When Denmark was weighing a request, did Iceland offer support?", "yes-no"),
        ("Once the talks ended, who spoke for the Council?", "person"),
        ("What set off the 1999 request?", "reason"),
        # A question for a name wants a name; "every country" is a list.
        ("What name did the Council give to the new mission?", "name"),
        ("What was the harbour town called?", "name"),
        ("What was the name of the envoy who carried the letter?", "person"),
        ("Name every country that sent a ship.", "list"),
        # "Which was the last country ...?" asks for a place; "what did X announce?" for a
        # step taken.
        ("Which was the last country to sign?", "place"),
        ("Near which island did the ships anchor?", "place"),
        # Two things set apart before the question asks of each.
        ("norway and denmark - what member number did each become?", "comparison"),
        ("What is the state of the talks?", "definition"),
        ("And what did the ministers announce the next day?", "outcome"),
        # One question asked of two things is answered for each.
        ("What prompted the 1999 request, and what prompted the 2004 one?", "comparison"),
        ("Norway and Denmark both joined early. In which year did each join?", "comparison"),
    ],
)
def test_the_expected_answer_type(question: str, kind: str) -> None:
    assert analyse(question).kind == kind


def test_list_items_get_their_own_type() -> None:
    assert analyse("Which countries sent ships?").target == "place"
    assert analyse("Name every Secretary General who chaired a session.").target == "person"
    # A plural the analysis has no type for still lists named things.
    assert analyse("List the signatories of the letter.").target == "name"
    # Kinds, levels or steps are not named things: a sentence that lists them answers.
    assert analyse("What kinds of aid did the allies offer?").unnamed_items
    assert analyse("In which ways can a member leave?").unnamed_items
    assert not analyse("List the signatories of the letter.").unnamed_items


def test_a_capitalised_first_word_is_not_a_name() -> None:
    for question in ("Name the founding members of NATO", "Walk me through Article 4"):
        assert "Name" not in analyse(question).names and "Walk" not in analyse(question).names


def test_a_capital_is_spelled_out_with_its_state_once() -> None:
    assert analysis.spell_out("Why did Oslo ask?") == "Why did Oslo (Norway) ask?"
    assert analysis.spell_out("Why did Oslo (Norway) ask?") == "Why did Oslo (Norway) ask?"


def test_chat_shorthand_is_spelled_out() -> None:
    q = analyse("whos the nato boss rn")
    assert q.text.startswith("who is the Secretary General right now")
    assert q.kind == "person" and q.order == "latest"
    assert analyse("wat is art 4").text == "what is Article 4"
    # A possessive is spelled out with its owner; a contraction is left alone.
    assert analysis.spell_out("the nac's reply r late") == (
        "the North Atlantic Council's reply are late"
    )
    assert analysis.spell_out("u're") == "u're"


@pytest.mark.parametrize(
    ("question", "plain"),
    [
        ("When did the Danes come on board?", "When did Denmark join?"),
        (
            "What year did Norway become a member of the alliance?",
            "What year did Norway join NATO?",
        ),
        (
            "Where did they put pen to paper on the alliance's founding pact?",
            "Where did they sign the North Atlantic Treaty?",
        ),
        ("Who did the NATO chief meet?", "Who did the Secretary General meet?"),
        ("When did the allies sit down to discuss it?", "When did the allies meet to discuss it?"),
        ("Has anyone triggered Article 5 since?", "Has anyone invoked Article 5 since?"),
        ("has art 5 ever actually been used?", "has Article 5 ever actually been invoked?"),
        ("What did the alliance roll out?", "What did the alliance launch?"),
        ("when did NATO start?", "when was NATO founded?"),
        ("Which states founded NATO?", "Which states founded NATO?"),
        ("Name the countries that set up NATO", "Name the founding members of NATO"),
        ("Who led NATO in 2003?", "Who was Secretary General in 2003?"),
        # How the answer should read is no part of what is asked.
        ("whats article 4 in simple words", "what is Article 4"),
        ("In a nutshell, what is Article 5?", "what is Article 5?"),
        ("Who had the job before Solana?", "Who was the predecessor of Solana?"),
        # Only before an article: "What triggered the request?" asks for a cause.
        ("What triggered the request?", "What triggered the request?"),
    ],
)
def test_everyday_wording_is_read_in_the_sources_words(question: str, plain: str) -> None:
    assert analysis.spell_out(question) == plain


def test_a_sentence_before_the_question_is_a_preamble_unless_the_question_checks_it() -> None:
    assert main_question("Writing on the Oslo talks. Who chaired them?") == "Who chaired them?"
    checked = "I read that Norway asked twice. Is that right?"
    assert main_question(checked) == checked


def test_a_predecessor_is_a_person() -> None:
    assert analyse("Who was the predecessor of Solana?").wanted == frozenset({"PERSON"})


def test_a_count_skips_the_adjective_before_its_noun() -> None:
    assert analyse("How many separate times has Norway asked?").focus == "times"


def test_order_words() -> None:
    assert analyse("Who is the current chair?").order == "latest"
    assert analyse("When did Greece first ask?").order == "first"
    assert analyse("When did Greece ask?").order == ""


def test_a_two_step_question_is_split_at_its_inner_event() -> None:
    q = analyse("Who was chair when Norway first asked for talks?")
    assert q.kind == "person"
    assert q.inner == "Norway first asked for talks"
    assert q.outer == "Who was chair"
    # A when-question is one step: its "when" is what it asks.
    assert analyse("When did Norway ask for talks?").inner == ""


def test_a_leading_when_clause_is_a_two_step_questions_inner_event() -> None:
    q = analyse("When Norway asked in 1999, who chaired the Council?")
    assert q.kind == "person"
    assert q.inner == "Norway asked in 1999" and q.outer == "who chaired the Council"


def test_a_yes_no_question_after_a_clause_asserts_its_main_clause() -> None:
    q = analyse("If Norway asks for talks, does that oblige the others to act?")
    assert q.predicate[0] == "oblig" and "Norway" in q.setting


def test_a_because_clause_is_what_a_yes_no_question_asserts() -> None:
    q = analyse("Was the 2015 meeting held because Norway shelled a Danish town?")
    assert q.predicate[0] == "shell" and q.agent == "Norway" and "2015" in q.setting


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Will Norway ask for talks next year?", "forecast"),
        ("Is the alliance going to admit a new member?", "forecast"),
        ("Who will chair the next summit?", "forecast"),
        ("Should the Council have met sooner?", "opinion"),
        ("Was Denmark right to ask?", "opinion"),
        ("Was it a mistake for Norway to invoke Article 4?", "opinion"),
        ("honestly, do you think the talks achieve anything?", "opinion"),
        # Reported plans and plain facts are neither.
        ("Which minister said his government would ask for talks?", ""),
        ("Was Norway the first to ask?", ""),
        ("Is it right that Article 4 was used nine times?", ""),
    ],
)
def test_forecasts_and_judgements_are_recognised_in_the_main_clause(
    question: str, kind: str
) -> None:
    assert speculative(question) == kind


@pytest.mark.parametrize(
    ("question", "bridge"),
    [
        # The model may end the clause at its verb; the subject runs up to the main verb.
        (
            "When did the state that filed the sixth Article 4 request join NATO?",
            (
                "the state that filed the sixth Article 4 request",
                "Which state filed the sixth Article 4 request?",
            ),
        ),
        # "that's asked" has asked, and the question's own last verb is not described.
        (
            "What year did the state that's asked for talks the most times join?",
            (
                "the state that has asked for talks the most times",
                "Which state has asked for talks the most times?",
            ),
        ),
    ],
)
def test_a_described_subject_keeps_its_whole_clause(question: str, bridge: tuple[str, str]) -> None:
    assert analyse(question).bridge == bridge


def test_a_described_subject_is_named_by_a_question_of_its_own() -> None:
    q = analyse("The envoy who signed the letter was born in which city?")
    assert q.bridge == ("The envoy who signed the letter", "Which envoy signed the letter?")
    q = analyse("Hansen's successor was previously minister of which department?")
    assert q.bridge == ("Hansen's successor", "Who was Hansen's successor?")
    # A question that asks for the described subject itself has nothing to bridge.
    assert analyse("Who was the envoy who signed the letter?").bridge == ()


def test_before_or_after_an_event_with_last_or_next_places_the_answer_by_it() -> None:
    q = analyse("Before Norway's request in May 1999, when had the clause last been used?")
    assert q.relative == ("before", "Norway's request in May 1999")
    q = analyse("Which request came next after Denmark's 2004 one, and when was it?")
    assert q.relative == ("after", "Denmark's 2004 one") and q.kind != "comparison"
    # Without a word of order it is an ordinary time clause.
    assert analyse("What did Norway do after the meeting?").relative == ()


def test_besides_excludes_a_name_from_what_is_asked() -> None:
    q = analyse("Besides Norway, which countries asked for talks?")
    assert q.kind == "list" and "Norway" in q.excluded and "Norway" not in q.names


def test_comparison_sides_are_two_things_of_one_kind() -> None:
    assert analyse("Compare Denmark's 1999 and 2004 requests.").sides == ("1999", "2004")
    sides = analyse("What is the difference between Article 4 and Article 5?").sides
    assert sides == ("Article 4", "Article 5")
    # "Compare X and Y" names the sides, up to the words that say in what respect.
    # Events told apart by a year or by their place in a series.
    q = analyse("Contrast the cause of Norway's very first request with that of its 2004 one.")
    assert q.kind == "comparison" and q.sides == ("first", "2004")
    q = analyse("Who chaired the first meeting, and who chaired the 2004 one?")
    assert q.kind == "comparison" and q.sides == ("first", "2004")
    # Only the sentence that asks names the sides.
    q = analyse("Norway asked twice in 1999. How did the April and June cases differ?")
    assert q.sides == ("April", "June")
    q = analyse("Compare Anna Berg and Karl Holm as heads of the Council.")
    assert q.sides == ("Anna Berg", "Karl Holm")
    q = analyse(
        "Explain the difference between Article 2 and Article 3 of the North Atlantic Treaty."
    )
    assert q.sides == ("Article 2", "Article 3")


@pytest.mark.parametrize(
    "question",
    [
        "Qui est le secrétaire général de l'OTAN ?",
        "Wie oft wurde Artikel 4 ausgelöst?",
        "¿Cuántas veces se ha invocado el artículo 4?",
        "Ile razy Polska powołała się na artykuł 4?",
    ],
)
def test_questions_in_other_languages_are_recognised(question: str) -> None:
    assert not analysis.is_english(question)


def test_english_questions_with_foreign_names_stay_english() -> None:
    assert analysis.is_english("What happened at Akçakale in October 2012?")
    assert analysis.is_english("Did the Sejm debate the request?")


def test_passage_entities_round_trip_through_chunk_metadata() -> None:
    chunk = "Title\n\nMark Rutte met Donald Tusk in Warsaw on 10 September 2025."
    found = analysis.entities_of([chunk])[0]
    restored = analysis.load(analysis.dump(found), chunk)
    assert {(e.text, e.label) for e in restored} >= {("Mark Rutte", "PERSON"), ("Warsaw", "GPE")}
    assert analysis.load("not json", chunk) == ()


@pytest.mark.parametrize(
    "question",
    [
        "yo did the council meet that day or nah",
        "I read that the Council voted on it. Is that right?",
        "Norway asked twice in 1999, right?",
    ],
)
def test_chat_openers_and_tag_questions_are_yes_no(question: str) -> None:
    assert analyse(question).kind == "yes-no"


def test_a_yes_no_question_asserts_its_verb_and_object() -> None:
    assert analyse("Did the allies invoke Article 5?").predicate == ("invo", "articl", "5")
    # A reporting verb hands over to the claim it reports.
    q = analyse("I read that Norway invoked Article 4. Is that right?")
    assert q.predicate[:1] == ("invo",)


def test_how_many_counts_the_noun_past_its_adjectives() -> None:
    assert analyse("how many Russian drones were shot down?").focus == "drones"
    assert analyse("How often has Norway asked?").focus == "times"


@pytest.mark.parametrize(
    "question",
    [
        "What did the Council do after Norway's request?",
        "What followed the 1999 consultations?",
        "What was the alliance's response to the blockade?",
        "What happened next, after the ship was seized?",
    ],
)
def test_what_came_of_an_event_asks_for_an_outcome(question: str) -> None:
    assert analyse(question).kind == "outcome"


def test_what_lay_behind_an_event_asks_for_a_reason() -> None:
    assert analyse("What was behind Norway's second request?").kind == "reason"


def test_a_stranded_preposition_asks_about_the_described_person_not_for_them() -> None:
    # "What country is X's successor from?" asks where the successor is from: name them first.
    assert analyse("What country is Javier Solana's successor from?").bridge == (
        "Javier Solana's successor",
        "Who was Javier Solana's successor?",
    )
    assert analyse("Who was Javier Solana's successor?").bridge == ()


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("I'm writing a report on the alliance — on what date did Norway first ask?", "date"),
        ("Quick check — was Norway's request the first one?", "yes-no"),
        ("Could you tell me when Norway first asked?", "date"),
        ("Can you list all the founding signatories of the accord?", "list"),
        ("Do you know who chaired the 1999 meeting?", "person"),
        ("The Oslo accord: what does it say?", "definition"),
    ],
)
def test_a_preamble_or_a_polite_request_does_not_hide_the_question(
    question: str, kind: str
) -> None:
    assert analyse(question).kind == kind


def test_a_caused_act_is_what_a_yes_no_question_asserts() -> None:
    q = analyse("Did the blockade of Norway lead the alliance to invoke Article 9?")
    assert q.predicate[:1] == ("invo",) and "9" in q.predicate
    # The cause is the setting: the answer need not name Norway.
    assert "Norway" in q.setting


def test_what_nationality_asks_for_a_place_of_a_described_person() -> None:
    q = analyse("What nationality is the envoy who signed the letter?")
    assert q.kind == "place"
    assert q.bridge == ("the envoy who signed the letter", "Which envoy signed the letter?")


def test_a_subject_described_before_the_question_is_named_first() -> None:
    q = analyse("The envoy behind the 1999 letter — where was he born?")
    assert q.bridge == (
        "The envoy behind the 1999 letter",
        "Which envoy was behind the 1999 letter?",
    )
    # A statement before the question describes nothing.
    assert analyse("Norway's ship was seized in 1999 — who seized it?").bridge == ()


def test_what_someone_said_is_asked_of_the_speaker() -> None:
    assert analyse("What did Oslo say about the seizure?").kind == "statement"
    assert analysis.speaker("what did oslo say about it?") == "Norway"


def test_the_time_between_two_events_names_both_events() -> None:
    asked = analyse(
        "How many days were there between Poland's 2025 request and the Estonia meeting?"
    )
    assert asked.interval == ("days", "Poland's 2025 request", "the Estonia meeting", False)
    # "after joining NATO did Poland ...": the joining is Poland's, and came first.
    later = analyse("how many years after joining nato did poland first invoke article 4")
    assert later.interval == (
        "years",
        "poland joining NATO",
        "poland first invoke Article 4",
        True,
    )
    assert analyse("How long did Operation Eagle Assist last?").interval == ()
    # "from ... to ..." pairs; "the request to NATO" is one event.
    assert analyse("How many years from the signing to the first request?").interval[1:3] == (
        "the signing",
        "the first request",
    )
    assert analyse("How many days between the request to NATO and the meeting?").interval[1:3] == (
        "the request to NATO",
        "the meeting",
    )
    # "its" belongs to the first event's subject.
    owned = analyse("How many years between Poland joining NATO and its first request?")
    assert owned.interval[2] == "Poland's first request"


def test_chat_words_and_everyday_verbs_are_read_in_the_sources_words() -> None:
    assert analysis.spell_out("wheres nato hq") == "where is NATO headquarters"
    assert (
        analysis.spell_out("articles in the nato treaty") == "articles in the North Atlantic Treaty"
    )
    assert analysis.spell_out("how many ppl died") == "how many people died"
    assert analysis.spell_out("who was running nato then") == "who was Secretary General then"
    assert analysis.spell_out("when did he take over?") == "when did he take office?"
    assert analysis.spell_out("after the 9/11 attacks?") == "after the 11 September 2001 attacks?"
    assert analysis.spell_out("since 9/11") == "since the 11 September 2001 attacks"
    assert (
        analysis.spell_out("When did Russia take over Crimea?")
        == "When did Russia take over Crimea?"
    )
    assert analysis.spell_out("who did Rutte replace?") == "who was the predecessor of Rutte?"
    assert analysis.spell_out("who took over from Rutte?") == "who succeeded Rutte?"


def test_a_question_set_against_another_occasion_compares_them() -> None:
    asked = analyse("Who was Secretary General in 2012 compared with 2020?")
    assert asked.kind == "comparison" and asked.sides == ("2012", "2020")
    assert analysis.spell_out("what crossed into Estonia") == "what entered Estonia"


def test_a_described_subject_ends_where_the_question_s_own_verb_begins() -> None:
    asked = analyse("What job did the Secretary General who announced Eastern Sentry hold?")
    assert asked.bridge == (
        "the Secretary General who announced Eastern Sentry",
        "Which Secretary General announced Eastern Sentry?",
    )
    assert analyse("Who would have chaired the meeting?").past


def test_the_act_asked_about_is_read_with_the_verbs_that_tell_it() -> None:
    assert analyse("Who briefed the Council at that meeting?").act == ("brief",)
    # A misparsed "did" still leads to the act, which a request also tells.
    invoked = analyse("When did Poland first invoke Article 4?").act
    assert "request" in invoked and "ask" in invoked
    # Asking and linking verbs name no act.
    assert analyse("nato members count 2025?").act == ()
    assert analyse("Who was Secretary General in 2014?").act == ()


def test_how_a_thing_is_done_reads_the_act_and_its_object() -> None:
    assert analyse("And how does it make decisions?").manner == ("decid",)
    assert analyse("How does the veto work in the UN Security Council?").manner == ()
    # The verb "how" asks of, not the one of a question tacked on.
    assert analyse("how do they decide things, do they vote?").manner[0] == "decid"
    assert analyse("What is Article 4?").manner == ()


def test_a_count_as_a_noun_does_not_make_a_question_a_count() -> None:
    assert analyse("Which invocation was Norway's request on NATO's count?").kind != "number"
    assert analyse("alliance members count 2030?").kind == "number"


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("He said the decision was joint with whom?", "person"),
        ("And the council met when?", "date"),
        ("The jets entered where?", "place"),
    ],
)
def test_a_wh_word_left_at_the_end_sets_the_answer_type(question: str, kind: str) -> None:
    assert analysis.analyse(question).kind == kind


def test_a_state_and_its_adjective_are_one_name() -> None:
    assert "poland" in analysis.nation_forms("polish")
    assert "turkish" in analysis.nation_forms("turkey")
    assert analysis.nation_forms("sejm") == ("sejm",)


@pytest.mark.parametrize(
    ("question", "occasions"),
    [
        ("How did the triggers for Turkey's two 2012 Article 4 requests differ?", True),
        ("Turkey went to Article 4 twice in 2012, what set off each?", True),
        ("How did the reasons for Poland's 2014 and 2025 requests differ?", False),
        ("Why did Turkey request consultations in 2012?", False),
    ],
)
def test_a_comparison_of_one_subject_s_occasions_leaves_its_sides_to_be_dated(
    question: str, occasions: bool
) -> None:
    q = analysis.analyse(question)
    assert q.occasions is occasions
    if occasions:
        assert q.kind == "comparison" and q.sides == ()


def test_saceur_is_an_office_so_who_held_it_is_a_person() -> None:
    assert analysis.analyse("Who was SACEUR in 2025?").wanted == frozenset({"PERSON"})


def test_a_borrowed_context_run_into_one_name_gives_its_names_not_its_dates() -> None:
    names = analysis.analyse("did anything come out of it (Article 5, 2001)?").names
    assert "Article 5" in names and not any("2001" in n for n in names)


def test_a_choice_between_two_names_by_time_is_read_with_the_event_each_is_dated_by() -> None:
    q = analysis.analyse("Which country joined NATO earlier, Greece or Spain?")
    assert q.options == (("Greece", "Greece joined NATO"), ("Spain", "Spain joined NATO"))
    assert q.order == "first"
    assert analysis.analyse("Who invoked Article 4 more recently: Turkey or Estonia?").order == (
        "latest"
    )
    # No time to choose by: a plain yes/no question about two states.
    assert not analysis.analyse("Did Estonia or Latvia invoke Article 4 in 2025?").options


def test_a_statement_put_as_a_question_asks_yes_or_no() -> None:
    assert analysis.analyse("NATO has 32 members?").kind == "yes-no"
    assert analysis.analyse("eastern sentry = article 5?? thats what i read").kind == "yes-no"
    # A wh-word or a choice asks something else.
    assert analysis.analyse("Poland invoked Article 4 in 2025, why?").kind == "reason"
    assert analysis.analyse("Article 4 meaning?").kind != "yes-no"


def test_a_verb_the_model_let_into_a_name_is_left_out() -> None:
    assert analysis.analyse("What does Article 5 say?").names == ["Article 5"]


def test_a_subject_described_by_whose_is_asked_for_by_its_own_question() -> None:
    q = analysis.analyse(
        "Who was prime minister of the country whose airspace Russian drones violated?"
    )
    assert q.bridge == (
        "the country whose airspace Russian drones violated",
        "Which country's airspace Russian drones violated?",
    )


def test_what_was_done_because_of_an_event_asks_for_the_outcome() -> None:
    assert analysis.analyse("What did NATO end up deploying because of that?").kind == "outcome"
    assert analysis.analyse("What did the allies do because of it?").kind == "outcome"


def test_a_time_clause_about_the_questions_own_subject_is_no_inner_event() -> None:
    asked = "Which commander stood next to Rutte when it was announced?"
    assert not analysis.analyse(asked).inner
    assert analysis.analyse("Who was Secretary General when Poland first invoked it?").inner


def test_who_was_an_office_of_a_described_subject_names_the_subject_first() -> None:
    q = analysis.analyse("Who was president of the country that made the eighth request?")
    assert q.bridge == (
        "the country that made the eighth request",
        "Which country made the eighth request?",
    )
    # "Who was the official who ...?" asks for the described subject itself.
    assert not analysis.analyse("Who was the official who announced Eastern Sentry?").bridge


def test_a_noun_phrase_with_a_clause_is_no_statement_put_as_a_question() -> None:
    assert analysis.analyse("And the one that joined before it?").kind != "yes-no"


def test_whether_one_is_among_a_group_is_asked_through_the_groups_list() -> None:
    from assistant.analysis import membership

    assert membership("Was Turkey one of the countries in the 2022 request?") == (
        "Turkey",
        "List the countries in the 2022 request.",
    )
    assert membership("Was Sweden among NATO's founding members?") == (
        "Sweden",
        "List NATO's founding members.",
    )
    assert membership("Was Turkey in NATO in 2003?") == ()


def test_the_current_holder_of_an_office_is_a_described_subject() -> None:
    q = analyse("What nationality is the current Secretary General?")
    assert q.bridge == ("the current Secretary General", "Who is the current Secretary General?")
    assert analyse("Who is the current Secretary General?").bridge == ()


def test_an_occasion_told_by_its_place_in_the_count_is_a_described_subject() -> None:
    q = analyse("Near which island did the incursion behind the ninth Article 4 invocation happen?")
    assert q.bridge == (
        "the incursion behind the ninth Article 4 invocation",
        "Which incursion was behind the ninth Article 4 invocation?",
    )
    # The model hangs the subject on "did": the description still runs to the verb.
    q = analyse("In what year did the country that made the fourth Article 4 request join NATO?")
    assert q.bridge[0] == "the country that made the fourth Article 4 request"


def test_a_phrasal_verb_that_frames_the_act_hands_over_to_it() -> None:
    assert analyse("Did Sweden end up requesting Article 4?").predicate[:1] == ("request",)
    assert analyse("Did Sweden go on to request Article 4?").predicate[:1] == ("request",)


def test_the_one_before_or_after_a_named_person_is_the_predecessor_or_successor() -> None:
    from assistant.analysis import spell_out

    assert spell_out("Who came before Stoltenberg?") == "Who was Stoltenberg's predecessor?"
    assert spell_out("how long did the guy before Mark Rutte serve?") == (
        "how long did Mark Rutte's predecessor serve?"
    )
    assert spell_out("What happened before Poland asked?") == "What happened before Poland asked?"


def test_a_follow_ups_borrowed_names_are_not_what_a_yes_no_question_asserts() -> None:
    q = analyse("so does invoking article 4 force them to take action (NAC)?")
    assert q.predicate == ("take", "action")


def test_what_was_a_named_operation_is_a_definition_which_operation_a_name() -> None:
    assert analyse("What was Operation Display Deterrence?").kind == "definition"
    assert analyse("Which NATO operation followed Turkey's 2003 request?").kind == "name"


@pytest.mark.parametrize(
    ("question", "bound"),
    [
        ("Which countries have joined NATO since 2010?", ("since", 20100000)),
        ("Which allies asked for Article 4 after 2014?", ("after", 20140000)),
        ("Which states joined NATO before 1990?", ("before", 19900000)),
        ("List the requests made until 10 September 2025.", ("until", 20250910)),
        # A span is two years the evidence gives, not a bound.
        ("List the requests from 2012 to 2015.", ()),
        ("Which countries asked in 2022?", ()),
    ],
)
def test_a_list_bound_is_read_with_its_date(question: str, bound: tuple[str, int]) -> None:
    q = analyse(question)
    assert q.bound == bound
    if bound:
        assert str(bound[1] // 10000) not in q.years  # no year the evidence must give


def test_a_date_falls_within_a_bound_at_the_precision_both_give() -> None:
    assert analysis.within(("since", 20100000), 20100000)
    assert not analysis.within(("after", 20100000), 20100615)  # 2010 is not after 2010
    assert analysis.within(("after", 20250910), 20250919)
    assert not analysis.within(("before", 19900000), 19900000)
    assert analysis.within(("until", 20250910), 20250910)


def test_did_they_do_anything_is_asked_as_what_they_did() -> None:
    assert analysis.did_anything("Did NATO do anything after the drones?") == (
        "What did NATO do after the drones?"
    )
    assert analysis.did_anything("Did the allies take any action about it?") == (
        "What did the allies do about it?"
    )
    assert analysis.did_anything("Did NATO invoke Article 5 after the drones?") == ""
