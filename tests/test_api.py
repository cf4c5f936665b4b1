"""The HTTP API against a real server on loopback: answers, OpenAI compatibility, errors."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from webserver import serving

from assistant import Assistant, Settings, build_assistant
from assistant.readiness import Readiness
from ui.feedback import FeedbackStore
from ui.server import create_server

QUESTION = "How many times has Article 4 been invoked?"
VOLATILE = ("timings_ms",)


@pytest.fixture(scope="module")
def api(nato: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    feedback = FeedbackStore(tmp_path_factory.mktemp("feedback") / "feedback.sqlite3")
    server = create_server(nato, feedback=feedback)
    with serving(server) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client


def stable(answer: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in answer.items() if k not in VOLATILE}


def sse(lines: Iterator[str]) -> list[str]:
    """The data fields of a server-sent event stream, in order."""
    return [line[len("data: ") :] for line in lines if line.startswith("data: ")]


def test_ask_returns_the_cli_json_object(api: httpx.Client, nato: Assistant) -> None:
    response = api.post("/api/ask", json={"question": QUESTION})
    assert response.status_code == 200
    body = response.json()
    assert stable(body) == stable(nato.ask(QUESTION).to_dict())
    assert "nine" in body["answer"] and body["refused"] is False
    first = body["citations"][0]
    assert first["n"] == 1 and first["quote"] and first["url"].startswith("https://")


def test_ask_uses_history_and_filters(api: httpx.Client) -> None:
    first = "When did Poland request consultations in September 2025?"
    earlier = api.post("/api/ask", json={"question": first}).json()
    history = [
        {"role": "user", "content": first},
        {"role": "assistant", "content": earlier["answer"]},
    ]
    follow_up = api.post("/api/ask", json={"question": "Why?", "history": history}).json()
    assert "Poland" in follow_up["standalone_question"]

    only_treaty = api.post(
        "/api/ask",
        json={
            "question": "When was the North Atlantic Treaty signed?",
            "filters": {"sources": ["treaty.md"]},
            "top_k": 3,
        },
    ).json()
    assert only_treaty["citations"]
    assert {c["source"] for c in only_treaty["citations"]} == {"treaty.md"}
    assert len(only_treaty["retrieved"]) <= 3


def test_unanswerable_question_is_refused(api: httpx.Client) -> None:
    body = api.post("/api/ask", json={"question": "Who won the 2018 FIFA World Cup?"}).json()
    assert body["refused"] is True and body["citations"] == []


def test_chat_completions(api: httpx.Client, nato: Assistant) -> None:
    response = api.post(
        "/v1/chat/completions",
        json={
            "model": "anything",
            "temperature": 0.2,
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": [{"type": "text", "text": QUESTION}]},
            ],
        },
    )
    assert response.status_code == 200
    body = response.json()
    expected = nato.ask(QUESTION)
    assert body["object"] == "chat.completion"
    assert body["choices"][0]["message"] == {"role": "assistant", "content": expected.answer}
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["citations"] == [c.to_dict() for c in expected.citations]


def test_chat_completions_stream(api: httpx.Client, nato: Assistant) -> None:
    request = {"stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    with api.stream("POST", "/v1/chat/completions", json=request) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse(response.iter_lines())
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    pieces = [c["choices"][0]["delta"].get("content", "") for c in chunks]
    assert len([p for p in pieces if p]) > 3  # progressive, not one block
    expected = nato.ask(QUESTION)
    assert "".join(pieces) == expected.answer
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["citations"] == [c.to_dict() for c in expected.citations]


def test_openai_client_reads_the_api(api: httpx.Client) -> None:
    openai = pytest.importorskip("openai")
    base = str(api.base_url).rstrip("/")
    client = openai.OpenAI(base_url=f"{base}/v1", api_key="unused", max_retries=0)
    completion = client.chat.completions.create(
        model="nato-assistant", messages=[{"role": "user", "content": QUESTION}]
    )
    assert "nine" in completion.choices[0].message.content
    assert completion.model_extra["citations"][0]["n"] == 1
    stream = client.chat.completions.create(
        model="nato-assistant", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert text == completion.choices[0].message.content
    assert [m.id for m in client.models.list()] == ["nato-assistant"]


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/api/ask", {}, "question is required"),
        ("/api/ask", {"question": 5}, "question: Input should be a valid string"),
        ("/api/ask", {"question": "   "}, "The question is empty"),
        ("/api/ask", {"question": "why " * 400}, "the limit is 1,000"),
        ("/api/ask", {"question": "x", "filters": {"date_from": "last year"}}, "YYYY-MM-DD"),
        (
            "/api/ask",
            {"question": "x", "filters": {"country": "PL"}},
            "Unknown field 'filters.country'",
        ),
        (
            "/api/ask",
            {"question": "x", "history": [{"role": "bot", "content": "hi"}]},
            "history.0.role",
        ),
        ("/api/ask", {"question": "x", "top_k": 0}, "top_k"),
        ("/api/ask", {"q": "x"}, "question is required"),
        ("/v1/chat/completions", {"messages": []}, "messages"),
        (
            "/v1/chat/completions",
            {"messages": [{"role": "assistant", "content": "hi"}]},
            "The last message must come from the user",
        ),
    ],
)
def test_bad_input_is_400_with_a_message(
    api: httpx.Client, path: str, body: object, message: str
) -> None:
    response = api.post(path, json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert message in error["message"] and error["code"] == 400


def test_body_that_is_not_json_is_400(api: httpx.Client) -> None:
    response = api.post(
        "/api/ask", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["error"]["message"]
    plain = api.post("/api/ask", content=b"question=hi")
    assert plain.status_code == 400


def test_too_large_body_is_413(api: httpx.Client) -> None:
    huge = {"question": "x", "history": [{"role": "user", "content": "y" * 300_000}]}
    response = api.post("/api/ask", json=huge)
    assert response.status_code == 413
    assert "ASSISTANT_MAX_REQUEST_KB" in response.json()["error"]["message"]

    def chunked() -> Iterator[bytes]:  # no Content-Length: the limit still holds
        yield b'{"question": "x", "history": [{"role": "user", "content": "'
        for _ in range(300):
            yield b"z" * 1024
        yield b'"}]}'

    streamed = api.post(
        "/v1/chat/completions", content=chunked(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413


def test_unknown_routes_and_methods_are_json(api: httpx.Client) -> None:
    missing = api.get("/api/nothing")
    assert missing.status_code == 404 and "openapi.json" in missing.json()["error"]["message"]
    wrong = api.get("/api/ask")
    assert wrong.status_code == 405 and wrong.headers["allow"] == "POST"


def test_health_and_openapi(api: httpx.Client) -> None:
    health = api.get("/api/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    spec = api.get("/openapi.json").json()
    assert {"/api/ask", "/api/health", "/v1/chat/completions"} <= set(spec["paths"])
    assert "question" in spec["components"]["schemas"]["AskRequest"]["properties"]


def test_503_while_the_index_is_built_then_answers(
    make_corpus: Callable[[dict[str, str | bytes]], Settings],
    tmp_path: Path,
) -> None:
    settings = make_corpus(
        {
            "treaty.md": "# The treaty\n\nThe treaty was signed in 1949 in "
            "Washington by twelve founding members of the alliance.\n"
        }
    )
    assistant = build_assistant(settings)
    readiness = Readiness(assistant)
    halfway = threading.Event()
    go_on = threading.Event()

    def hold(done: int, total: int) -> None:
        halfway.set()
        go_on.wait(timeout=120)

    server = create_server(assistant, readiness, FeedbackStore(tmp_path / "f.sqlite3"))
    with serving(server) as url, httpx.Client(base_url=url, timeout=60) as client:
        missing = client.post("/api/ask", json={"question": "When was the treaty signed?"})
        assert missing.status_code == 503
        assert "run `nato-assistant ingest` first" in missing.json()["error"]["message"]

        build = readiness.start(progress=hold)
        assert build is not None and halfway.wait(timeout=120)
        building = client.post("/api/ask", json={"question": "When was the treaty signed?"})
        assert building.status_code == 503
        assert "being built" in building.json()["error"]["message"]
        health = client.get("/api/health")
        assert health.status_code == 503 and health.json()["status"] == "building"

        go_on.set()
        build.join(timeout=120)
        ready = client.post("/api/ask", json={"question": "When was the treaty signed?"})
        assert ready.status_code == 200
        assert "1949" in ready.json()["answer"]
        assert client.get("/api/health").json()["status"] == "ok"
