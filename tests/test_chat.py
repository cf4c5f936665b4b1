"""The chat handlers, called as plain functions: no server, the real assistant."""

from __future__ import annotations

import html
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import gradio as gr
import pytest

from assistant import Assistant, Settings, build_assistant
from assistant.readiness import Readiness
from ui import chat, render
from ui.app import create_app
from ui.feedback import FeedbackStore

QUESTION = "How many times has Article 4 been invoked?"


@pytest.fixture
def readiness(nato: Assistant) -> Readiness:
    return Readiness(nato)


@pytest.fixture
def store(tmp_path: Path) -> FeedbackStore:
    return FeedbackStore(tmp_path / "feedback.sqlite3")


def ask(
    nato: Assistant,
    readiness: Readiness,
    question: str,
    conv: chat.Conversation | None = None,
    options: chat.Options | None = None,
) -> list[chat.Update]:
    return list(chat.respond(nato, readiness, question, conv or chat.Conversation(), options))


def test_answer_arrives_progressively_with_linked_citations(
    nato: Assistant,
    readiness: Readiness,
) -> None:
    updates = ask(nato, readiness, QUESTION)
    partials = [u[0][-1]["content"] for u in updates[:-1]]
    assert len(partials) > 3 and all('class="answer streaming"' in p for p in partials)
    assert len(partials[-1]) > len(partials[1])  # the text grows as it arrives
    assert all(u[3] == "" for u in updates)  # the textbox is cleared at once

    messages, conv, panel, _ = updates[-1]
    assert messages[0] == {"role": "user", "content": render.question_html(QUESTION)}
    final = messages[1]["content"]
    assert 'class="answer"' in final and "nine" in final
    assert '<a class="cite" href="#src-1-1"' in final

    expected = nato.ask(QUESTION)
    assert conv.exchanges[0].answer.answer == expected.answer
    first = expected.citations[0]
    source = re.search(r'<details class="source" id="src-1-1" open>.*?</details>', panel, re.S)
    assert source is not None
    card = source.group(0)
    assert render.text(first.passage.title) in card
    assert render.long_date(first.passage.date) in card
    assert f'href="{first.passage.url}"' in card and 'rel="noopener noreferrer"' in card
    assert f"<mark>{render.text(first.quote)}</mark>" in card


def test_follow_up_reads_the_conversation(nato: Assistant, readiness: Readiness) -> None:
    first = ask(nato, readiness, "When did Poland request consultations in September 2025?")
    conv = first[-1][1]
    second = ask(nato, readiness, "Why?", conv)
    messages, conv, panel, _ = second[-1]
    assert len(messages) == 4 and len(conv.exchanges) == 2
    assert "Poland" in conv.exchanges[1].answer.standalone_question
    assert 'href="#src-2-1"' in messages[3]["content"]
    # Both answers keep their sources; the latest comes first and open.
    assert panel.index('id="src-2-1" open') < panel.index('id="src-1-1"')
    assert 'id="src-1-1" open' not in panel


def test_refusal_looks_different_from_an_answer(nato: Assistant, readiness: Readiness) -> None:
    messages, _, panel, _ = ask(nato, readiness, "Who won the 2018 FIFA World Cup?")[-1]
    reply = messages[-1]["content"]
    assert 'class="refusal"' in reply and "Not in the sources" in reply
    assert 'class="answer"' not in reply and "cite" not in reply
    assert "No passage in the sources answers this question" in panel


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("   ", "The question is empty"),
        ("why " * 400, "the limit is 1,000"),
    ],
)
def test_bad_question_is_a_notice_and_keeps_the_text(
    nato: Assistant,
    readiness: Readiness,
    question: str,
    message: str,
) -> None:
    messages, conv, _, textbox = ask(nato, readiness, question)[-1]
    assert len(messages) == 1 and messages[0]["role"] == "assistant"
    assert message in html.unescape(messages[0]["content"])
    assert 'class="notice"' in messages[0]["content"]
    assert textbox == question  # nothing the user typed is lost
    assert conv.exchanges == []


def test_filters_and_top_k_reach_retrieval(nato: Assistant, readiness: Readiness) -> None:
    options = chat.Options(top_k=3, sources=("treaty.md",))
    _, conv, _, _ = ask(
        nato, readiness, "When was the North Atlantic Treaty signed?", options=options
    )[-1]
    answer = conv.exchanges[0].answer
    assert answer.citations and {c.passage.source for c in answer.citations} == {"treaty.md"}
    assert len(answer.retrieved) <= 3

    bad = chat.Options(date_from="last spring")
    messages, _, _, textbox = ask(nato, readiness, QUESTION, options=bad)[-1]
    assert "YYYY-MM-DD" in html.unescape(messages[-1]["content"]) and textbox == QUESTION


def test_no_index_is_a_notice(
    make_corpus: Callable[[dict[str, str | bytes]], Settings],
) -> None:
    empty = build_assistant(make_corpus({"a.md": "# A\n\nText."}))
    messages, _, _, textbox = ask(empty, Readiness(empty), QUESTION)[-1]
    assert "run `nato-assistant ingest` first" in html.unescape(messages[-1]["content"])
    assert textbox == QUESTION


def test_document_text_is_escaped(
    make_corpus: Callable[[dict[str, str | bytes]], Settings],
) -> None:
    hostile = (
        "# Consultation <script>alert(1)</script> log\n\n"
        "The liaison office recorded the consultation request at 09:00 with the tag "
        "<script>document.title='pwned'</script> and <img src=x onerror=alert(2)> in it. "
        "The liaison office keeps **bold** and [link](javascript:alert(3)) notes verbatim.\n"
    )
    settings = make_corpus({"log.md": hostile})
    assistant = build_assistant(settings)
    assistant.ingest()
    updates = ask(
        assistant,
        Readiness(assistant),
        "What did the liaison office record with the consultation request?",
    )
    messages, conv, panel, _ = updates[-1]
    assert conv.exchanges and not conv.exchanges[0].answer.refused
    for shown in (messages[-1]["content"], panel):
        assert "<script" not in shown and "<img" not in shown
        assert "&lt;script&gt;" in shown and "&lt;img src=x onerror=alert(2)&gt;" in shown
    assert "**bold**" not in panel and "&#42;&#42;bold&#42;&#42;" in panel


def test_feedback_is_stored_durably(
    nato: Assistant,
    readiness: Readiness,
    store: FeedbackStore,
) -> None:
    _, conv, _, _ = ask(nato, readiness, QUESTION)[-1]
    answer_index = conv.exchanges[0].message
    conv, line = chat.rate(store, conv, answer_index, False, user="ana")
    assert "not helpful" in line and conv.rated == 1
    status, box = chat.comment(store, conv, "  The count should name the 2022 request.  ")
    assert "Comment saved" in status and box == ""

    # A new connection (as after a restart) sees the committed row.
    assert store.path is not None
    with sqlite3.connect(store.path) as db:
        row = db.execute(
            "SELECT user, question, answer, rating, comment, citations FROM feedback"
        ).fetchone()
    assert row[:5] == (
        "ana",
        QUESTION,
        conv.exchanges[0].answer.answer,
        -1,
        "The count should name the 2022 request.",
    )
    assert '"quote"' in row[5]

    conv, line = chat.rate(store, conv, answer_index, True)
    assert [r["rating"] for r in store.rows()] == [1]  # the same row, changed
    conv, line = chat.rate(store, conv, answer_index, None)
    assert line == "Rating withdrawn." and store.rows()[0]["rating"] == 0


def test_feedback_needs_an_answer(
    nato: Assistant, readiness: Readiness, store: FeedbackStore
) -> None:
    _, conv, _, _ = ask(nato, readiness, "   ")[-1]
    conv, line = chat.rate(store, conv, 0, True)
    assert line == "Only answers can be rated." and store.rows() == []
    status, box = chat.comment(store, conv, "great")
    assert "Rate an answer" in status and box == "great"


def test_new_conversation_starts_empty() -> None:
    messages, conv, panel, textbox = chat.new_conversation()
    assert messages == [] and conv.exchanges == [] and textbox == ""
    assert panel == render.EMPTY_SOURCES


def test_source_choices_name_the_documents(nato: Assistant, readiness: Readiness) -> None:
    choices = dict((source, title) for title, source in chat.source_choices(nato, readiness))
    assert "treaty.md" in choices and choices["treaty.md"] != "treaty.md"
    assert len(choices) == len(nato.index.meta()["documents"])


def test_create_app_builds_the_chat(nato: Assistant, store: FeedbackStore) -> None:
    demo = create_app(nato, feedback=store)
    assert isinstance(demo, gr.Blocks)
    ids = {getattr(block, "elem_id", None) for block in demo.blocks.values()}
    assert {
        "chat",
        "question",
        "sources",
        "advanced",
        "new-conversation",
        "feedback",
        "top-k",
        "source-filter",
        "date-from",
        "date-to",
    } <= ids
