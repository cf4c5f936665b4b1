"""LLM answers through the web: /v1/chat/completions on a real server, and the chat handler."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fake_openai import FakeOpenAI, Reply, sources
from webserver import serving

from assistant import Assistant, Settings, build_assistant
from assistant.api import create_api
from assistant.readiness import Readiness
from assistant.schema import REFUSAL
from ui import chat, render

QUESTION = "When was the North Atlantic Treaty signed?"
SIGNED = "The North Atlantic Treaty was signed on 4 April 1949 in Washington"
MOON = "It was later moved to a secret base on the Moon"


def treaty_reply(body: dict[str, Any]) -> Reply:
    n = next(n for n, text in sources(body).items() if "4 April 1949" in text)
    return Reply(f"{SIGNED} [{n}]. {MOON} [{n}]. NATO has 90 members [7].")


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        fake.respond = treaty_reply
        yield fake


@pytest.fixture
def llm(nato: Assistant, nato_settings: Settings, server: FakeOpenAI) -> Assistant:
    return build_assistant(
        nato_settings.replace(
            generator="openai",
            llm_base_url=server.base_url,
            llm_model="test-model",
            llm_timeout=0.5,
            llm_max_retries=0,
        )
    )


@pytest.fixture
def api(llm: Assistant) -> Iterator[httpx.Client]:
    with serving(create_api(llm)) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client


def events(client: httpx.Client, question: str) -> list[dict[str, Any]]:
    body = {
        "model": "nato-assistant",
        "stream": True,
        "messages": [{"role": "user", "content": question}],
    }
    with client.stream("POST", "/v1/chat/completions", json=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        data = [line[6:] for line in response.iter_lines() if line.startswith("data: ")]
    assert data[-1] == "[DONE]"
    return [json.loads(d) for d in data[:-1]]


def test_completions_stream_tokens_then_the_checked_answer(
    api: httpx.Client, server: FakeOpenAI
) -> None:
    chunks = events(api, QUESTION)
    streamed = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert MOON in streamed and "[7]" in streamed  # the model's tokens, as they came
    assert len(chunks) > 10 and server.requests[-1]["stream"] is True
    final = chunks[-1]
    assert final["choices"][0]["finish_reason"] == "stop"
    assert final["answer"] == f"{SIGNED} [1]." and final["fallback"] == ""
    assert [c["n"] for c in final["citations"]] == [1]
    assert "4 April 1949" in final["citations"][0]["quote"]


def test_completions_without_stream_return_the_checked_answer(api: httpx.Client) -> None:
    body = {"messages": [{"role": "user", "content": QUESTION}]}
    reply = api.post("/v1/chat/completions", json=body).json()
    assert reply["choices"][0]["message"]["content"] == f"{SIGNED} [1]."
    assert reply["fallback"] == "" and reply["refused"] is False


def test_completions_stream_says_when_the_model_is_unreachable(
    api: httpx.Client, server: FakeOpenAI, nato: Assistant
) -> None:
    server.script.append(Reply("too late", delay=3.0))
    chunks = events(api, QUESTION)
    final = chunks[-1]
    assert "unreachable" in final["fallback"]
    assert final["answer"] == nato.ask(QUESTION).answer
    # Clients that only read the deltas get the same answer.
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks) == final["answer"]


def test_refusal_is_the_same_in_the_api_and_the_chat(
    api: httpx.Client, llm: Assistant, server: FakeOpenAI
) -> None:
    server.respond = lambda body: Reply("The sources don't say.")
    reply = api.post("/api/ask", json={"question": QUESTION}).json()
    assert reply["refused"] is True and reply["answer"] == REFUSAL
    final = events(api, QUESTION)[-1]
    assert final["refused"] is True and final["answer"] == REFUSAL

    *_, (messages, conv, _, _) = chat.respond(llm, Readiness(llm), QUESTION, chat.Conversation())
    assert conv.exchanges[0].answer.refused
    assert messages[-1]["content"] == render.answer_html(conv.exchanges[0].answer, 1)
    assert 'class="refusal"' in messages[-1]["content"]


def test_chat_streams_the_model_then_shows_the_checked_answer(
    llm: Assistant, server: FakeOpenAI
) -> None:
    updates = list(chat.respond(llm, Readiness(llm), QUESTION, chat.Conversation()))
    partials = [u[0][-1]["content"] for u in updates[:-1]]
    assert any(MOON in p for p in partials)  # the raw tokens showed while they came
    messages, conv, panel, _ = updates[-1]
    final = messages[-1]["content"]
    answer = conv.exchanges[0].answer
    assert answer.answer == f"{SIGNED} [1]." and answer.generator == "openai"
    assert MOON not in final and "[7]" not in final and "Note:" not in final
    assert '<a class="cite" href="#src-1-1"' in final and "4 April 1949" in panel


def test_chat_says_the_model_is_unreachable_and_shows_the_extractive_answer(
    llm: Assistant, server: FakeOpenAI, nato: Assistant
) -> None:
    server.script.append(Reply("too late", delay=3.0))
    *_, (messages, conv, _, _) = chat.respond(llm, Readiness(llm), QUESTION, chat.Conversation())
    final = messages[-1]["content"]
    assert 'class="note"' in final and "The language model is unreachable" in final
    assert conv.exchanges[0].answer.answer == nato.ask(QUESTION).answer
