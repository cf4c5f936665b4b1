"""Any JSON a client can send: a normal answer or a 400 with a message, never a 500.

Property-based (hypothesis) over questions, histories and filters, against a real server on
loopback and the chat handler; plus the cases found by probing, on one kept-alive socket.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from webserver import serving

from assistant import Assistant, Settings, build_assistant
from assistant.readiness import Readiness
from ui import chat
from ui.feedback import FeedbackStore
from ui.server import create_server

QUESTION = "How many times has Article 4 been invoked?"
PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Every code point, lone surrogates and control characters included, and some markup.
characters = st.characters(exclude_categories=[]) | st.sampled_from(
    ["\ud800", "\udfff", "\x00", "\x1b", "\u202e", "<", ">", "&", "\\", '"']
)
hostile = st.sampled_from(["\ud800", "\udc00", "\x00", "<img src=x>", "\x7f"])
texts = (
    st.text(characters, max_size=120)
    | st.tuples(st.text(max_size=40), hostile, st.text(max_size=40)).map("".join)
    | st.sampled_from(
        [
            "<img src=x onerror=alert(1)>",
            "<script>alert(1)</script>",
            "Article 4 \ud800 invoked?",
            "\x00" * 50,
            "{{7*7}} ${7*7} %s %n",
        ]
    )
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
turns = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "assistant", "system", "bot"]) | texts, "content": texts}
)
histories = st.none() | st.lists(turns, max_size=4) | json_values
filters = st.none() | st.fixed_dictionaries(
    {},
    optional={
        "sources": st.lists(texts, max_size=3) | json_values,
        "date_from": st.none() | texts | st.dates().map(str),
        "date_to": st.none() | texts | st.dates().map(str),
    },
)
top_ks = st.none() | st.integers(-5, 60) | json_values


@pytest.fixture(scope="module")
def url(
    nato_settings: Settings, nato: Assistant, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    feedback = FeedbackStore(tmp_path_factory.mktemp("hostile") / "feedback.sqlite3")
    unlimited = build_assistant(nato_settings.replace(rate_limit="off"))  # hypothesis is quick
    with serving(create_server(unlimited, feedback=feedback)) as base:
        yield base


@pytest.fixture(scope="module")
def client(url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=60) as c:
        yield c


def post(client: httpx.Client, path: str, body: Any) -> httpx.Response:
    # json.dumps writes lone surrogates as \\ud800 escapes, as any JSON encoder may.
    data = json.dumps(body).encode()
    return client.post(path, content=data, headers={"Content-Type": "application/json"})


def assert_handled(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 400), (response.status_code, response.text[:300])
    assert "Traceback" not in response.text
    body = response.json()
    if response.status_code == 400:
        assert body["error"]["message"] and body["error"]["code"] == 400
    else:
        assert isinstance(body, dict)
    return dict(body)


@PROPERTY
@given(question=texts | json_values, history=histories, filters=filters, top_k=top_ks)
def test_ask_answers_or_says_what_is_wrong(
    client: httpx.Client, question: Any, history: Any, filters: Any, top_k: Any
) -> None:
    body = {"question": question, "history": history, "filters": filters, "top_k": top_k}
    answer = assert_handled(post(client, "/api/ask", body))
    if "answer" in answer:
        assert answer["answer"] and isinstance(answer["refused"], bool)


@PROPERTY
@given(history=st.lists(turns, max_size=4), question=texts, filters=filters, stream=st.booleans())
def test_chat_completions_answer_or_say_what_is_wrong(
    client: httpx.Client, history: list[Any], question: str, filters: Any, stream: bool
) -> None:
    messages = [*history, {"role": "user", "content": question}]
    body = {"messages": messages, "filters": filters, "stream": stream}
    response = post(client, "/v1/chat/completions", body)
    if not (stream and response.status_code == 200):
        assert_handled(response)
        return
    events = [line for line in response.text.splitlines() if line.startswith("data: ")]
    assert events[-1] == "data: [DONE]"
    last = json.loads(events[-2][len("data: ") :])
    assert "error" not in last and last["choices"][0]["finish_reason"] == "stop"


@PROPERTY
@given(
    question=texts,
    history=st.lists(st.tuples(texts, texts), max_size=3),
    sources=st.lists(texts, max_size=2),
    since=texts,
    top_k=st.none() | st.floats(1, 20),
)
def test_the_chat_handler_answers_or_shows_a_notice(
    nato: Assistant,
    question: str,
    history: list[tuple[str, str]],
    sources: list[str],
    since: str,
    top_k: float | None,
) -> None:
    conversation = chat.Conversation()
    for asked, answered in history:  # earlier turns as a browser session may hold them
        conversation.exchanges.append(
            chat.Exchange(len(conversation.exchanges) + 1, asked, nato.ask(QUESTION), 0)
        )
        conversation.exchanges[-1].question = asked + answered
    options = chat.Options(top_k, tuple(sources), since, "")
    *_, (messages, _, _, kept) = chat.respond(
        nato, Readiness(nato), question, conversation, options
    )
    last = messages[-1]["content"]
    assert "Something went wrong" not in last and "Traceback" not in last
    assert ("notice" in last and kept == question) or ("notice" not in last and kept == "")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/ask", {"question": "Article 4 \ud800 invoked?"}),
        ("/api/ask", {"question": "Why?", "history": [{"role": "user", "content": "\udfff"}]}),
        ("/api/ask", {"question": "x", "filters": {"sources": ["\ud800.md"]}}),
        ("/v1/chat/completions", {"messages": [{"role": "user", "content": "\ud800 why"}]}),
        (
            "/v1/chat/completions",
            {"stream": True, "messages": [{"role": "user", "content": "Article 4 \ud800?"}]},
        ),
        ("/api/ask", {"question": "\x00\x01\x02 Article 4 \x7f\x9f consultations?"}),
        ("/api/ask", {"question": "Article 4 " * 10_000}),  # 100 KB
    ],
)
def test_probed_inputs_keep_the_connection_usable(url: str, path: str, body: Any) -> None:
    address = urlparse(url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=60)
    headers = {"Content-Type": "application/json"}
    try:
        connection.request("POST", path, json.dumps(body), headers)
        first = connection.getresponse()
        text = first.read().decode()
        assert first.status in (200, 400) and "Traceback" not in text
        if first.status == 400:
            assert json.loads(text)["error"]["message"]
        socket = connection.sock
        connection.request("POST", "/api/ask", json.dumps({"question": QUESTION}), headers)
        second = connection.getresponse()
        assert second.status == 200 and "nine" in json.loads(second.read())["answer"]
        assert connection.sock is socket  # the same connection, not a new one
    finally:
        connection.close()


def test_markup_in_a_question_does_not_change_the_answer(client: httpx.Client) -> None:
    plain = client.post("/api/ask", json={"question": QUESTION}).json()
    for prefix in ("<img src=x onerror=alert(1)> ", "<b>", "<script>alert(1)</script> "):
        marked = client.post("/api/ask", json={"question": prefix + QUESTION}).json()
        assert marked["answer"] == plain["answer"] and marked["refused"] is False
        assert marked["question"] == QUESTION
