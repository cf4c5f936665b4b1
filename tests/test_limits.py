"""Limits on every route, Gradio's included, and what reaches the log, on a real server."""

from __future__ import annotations

import io
import json
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest
from webserver import serving

from assistant import Assistant, Settings, build_assistant
from assistant.logs import MAX_MESSAGE, BoundedFormatter, BoundedStream, JsonFormatter, request_id
from ui.feedback import FeedbackStore
from ui.server import create_server

KEY = "k-limits-7d2e"
SECRET = "s3cret-in-the-address"


@pytest.fixture(scope="module")
def url(nato: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    feedback = FeedbackStore(tmp_path_factory.mktemp("limits") / "feedback.sqlite3")
    with serving(create_server(nato, feedback=feedback)) as base:
        yield base


@pytest.fixture(scope="module")
def locked(
    nato_settings: Settings, nato: Assistant, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    settings = nato_settings.replace(api_keys=(KEY,), users=("ana:pw",))
    feedback = FeedbackStore(tmp_path_factory.mktemp("locked") / "feedback.sqlite3")
    with serving(create_server(build_assistant(settings), feedback=feedback)) as base:
        yield base


def chunked(size: int) -> Iterator[bytes]:
    """A JSON body sent without Content-Length, in 64 KB pieces."""
    yield b'{"data": ["'
    for _ in range(size // 65536):
        yield b"x" * 65536
    yield b'"], "fn_index": 0, "session_hash": "abc"}'


def test_gradio_routes_are_held_to_the_body_limit(url: str) -> None:
    with httpx.Client(base_url=url, timeout=60) as client:
        for path in ("/gradio_api/queue/join", "/gradio_api/run/predict", "/login"):
            declared = client.post(path, content=b"x" * (5 * 1024 * 1024))
            assert declared.status_code == 413, path
            assert "ASSISTANT_MAX_REQUEST_KB" in declared.json()["error"]["message"]
            streamed = client.post(
                path, content=chunked(5 * 1024 * 1024), headers={"Content-Type": "application/json"}
            )
            assert streamed.status_code == 413, path
        assert client.get("/api/health").status_code == 200


def test_uploads_and_recordings_are_not_offered(url: str, locked: str) -> None:
    with httpx.Client(base_url=url, timeout=30) as client:
        for path in ("/gradio_api/upload", "/gradio_api/process_recording", "/monitoring"):
            response = client.post(path, files={"files": ("a.txt", b"hello")})
            assert response.status_code == 404, path
            assert "takes no file uploads" in response.json()["error"]["message"]
    with httpx.Client(base_url=locked, timeout=30) as client:
        response = client.post(
            "/gradio_api/upload",
            files={"files": ("a.txt", b"hello")},
            headers={"Authorization": f"Bearer {KEY}"},
        )
        assert response.status_code == 404


def upgrade(url: str, path: str, headers: str = "") -> bytes:
    """A raw WebSocket upgrade request; returns the start of the server's reply."""
    address = urlparse(url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {address.netloc}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            f"Sec-WebSocket-Version: 13\r\n{headers}\r\n".encode()
        )
        return sock.recv(4096)


def test_websocket_upgrades_are_refused_without_a_traceback(
    url: str, locked: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    for base in (url, locked):
        for path in ("/", "/api/ask", "/gradio_api/queue/join"):
            reply = upgrade(base, path, f"Authorization: Bearer {KEY}\r\n")
            assert reply.startswith(b"HTTP/1.1 403"), reply[:100]
    assert not [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    with httpx.Client(base_url=locked, timeout=30) as client:
        assert client.get("/api/health", headers={"Authorization": f"Bearer {KEY}"}).is_success


def test_credentials_in_the_address_are_neither_accepted_nor_logged(
    locked: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="nato_assistant.access")
    with httpx.Client(base_url=locked, timeout=30) as client:
        for query in (f"api_key={KEY}", f"api_key={SECRET}", f"access_token={KEY}"):
            response = client.get(f"/api/health?{query}")
            assert response.status_code == 401
    lines = [r for r in caplog.records if r.name == "nato_assistant.access"]
    assert len(lines) >= 3
    for record in lines:
        logged = record.getMessage() + json.dumps(getattr(record, "fields", {}))
        assert KEY not in logged and SECRET not in logged and "?" not in logged


def test_each_request_is_logged_once_with_its_id(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="nato_assistant.access")
    with httpx.Client(base_url=url, timeout=60) as client:
        given = client.get("/api/health", headers={"X-Request-ID": "trace-42"})
        made_up = client.get("/api/health", headers={"X-Request-ID": "bad id;" * 20})
        asked = client.post("/api/ask", json={"question": "What is Article 4?"})
    assert given.headers["x-request-id"] == "trace-42"
    assert len(made_up.headers["x-request-id"]) == 16
    fields = [r.fields for r in caplog.records if hasattr(r, "fields")]
    assert {f["route"] for f in fields} >= {"/api/health", "/api/ask"}
    ask = next(f for f in fields if f["route"] == "/api/ask")
    assert ask["status"] == 200 and ask["method"] == "POST" and ask["ms"] > 0
    assert asked.headers["x-request-id"]


def test_log_lines_are_bounded_and_json_lines_are_an_option() -> None:
    record = logging.LogRecord(
        "gradio", logging.ERROR, __file__, 1, "Received inputs: %s", ("z" * 300_000,), None
    )
    token = request_id.set("r-1")
    try:
        text = BoundedFormatter("%(message)s").format(record)
        line = JsonFormatter().format(record)
    finally:
        request_id.reset(token)
    assert len(text) < MAX_MESSAGE + 100 and "characters cut" in text and "r-1" in text
    data = json.loads(line)
    assert data["request_id"] == "r-1" and data["level"] == "error"
    assert len(data["message"]) < MAX_MESSAGE + 100

    printed = io.StringIO()
    stream = BoundedStream(printed)
    stream.write("Traceback (most recent call last):\n  inputs: " + "q" * 100_000)
    stream.write("q" * 10_000 + "\nValueError: bad input\n")
    lines = printed.getvalue().splitlines()
    assert lines[-1] == "ValueError: bad input"
    assert max(len(line) for line in lines) < MAX_MESSAGE + 20


def test_metrics_count_requests_and_answers_behind_access_control(
    url: str, locked: str, tmp_path: Path
) -> None:
    with httpx.Client(base_url=locked, timeout=60) as client:
        assert client.get("/metrics").status_code == 401
        auth = {"Authorization": f"Bearer {KEY}"}
        client.post("/api/ask", json={"question": "Who won the 2018 FIFA World Cup?"}, headers=auth)
        client.post("/api/ask", json={"question": "What is Article 4?"}, headers=auth)
        metrics = client.get("/metrics", headers=auth)
    assert metrics.status_code == 200
    text = metrics.text
    assert 'nato_assistant_answers_total{refused="true"} 1.0' in text
    assert 'nato_assistant_answers_total{refused="false"} 1.0' in text
    assert 'route="/api/ask",status="200"' in text and 'route="/metrics",status="401"' in text
    assert 'nato_assistant_request_seconds_bucket{le="0.5",route="/api/ask"}' in text
    chunks = next(
        line for line in text.splitlines() if line.startswith("nato_assistant_index_chunks ")
    )
    assert float(chunks.split()[1]) > 50
    assert "nato_assistant_index_generation 1.0" in text
    assert KEY not in text
