"""A real HTTP server on loopback that speaks OpenAI's chat-completions API with scripted replies.

It stands in for vLLM, Ollama or llama.cpp's server, which cannot run here. Each request
is recorded; each reply comes from the script (a queue), or else from the `respond`
function, which can read the prompt to decide what to say.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    """What the server answers to one request."""

    text: str = ""
    status: int = 200
    delay: float = 0.0  # seconds before the response starts
    chunk_delay: float = 0.0  # seconds between streamed chunks


class FakeOpenAI:
    """Serves /v1/chat/completions (plain and `stream: true`) and /v1/models."""

    def __init__(self, model: str = "test-model") -> None:
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self.script: deque[Reply] = deque()
        self.respond: Callable[[dict[str, Any]], Reply] = lambda body: Reply("")
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def next_reply(self, body: dict[str, Any]) -> Reply:
        self.requests.append(body)
        return self.script.popleft() if self.script else self.respond(body)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._json(
                        200,
                        {
                            "object": "list",
                            "data": [{"id": fake.model, "object": "model", "owned_by": "test"}],
                        },
                    )
                else:
                    self._json(404, {"error": {"message": "not found", "type": "not_found"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._json(404, {"error": {"message": "not found", "type": "not_found"}})
                    return
                reply = fake.next_reply(body)
                try:
                    time.sleep(reply.delay)
                    if reply.status != 200:
                        self._json(
                            reply.status,
                            {
                                "error": {
                                    "message": f"scripted failure {reply.status}",
                                    "type": "server_error",
                                }
                            },
                        )
                    elif body.get("stream"):
                        self._stream(reply)
                    else:
                        self._json(200, completion(fake.model, reply.text))
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            def _json(self, status: int, data: dict[str, Any]) -> None:
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _stream(self, reply: Reply) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                for chunk in stream_chunks(fake.model, reply.text):
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                    time.sleep(reply.chunk_delay)
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

        return Handler


def completion(model: str, text: str) -> dict[str, Any]:
    """A non-streamed chat.completion object."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def stream_chunks(model: str, text: str) -> Iterator[dict[str, Any]]:
    """chat.completion.chunk objects: the role, then the text a few words at a time."""

    def chunk(delta: dict[str, str], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": "chatcmpl-test",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    yield chunk({"role": "assistant", "content": ""})
    for piece in re.findall(r"\S+\s*|\s+", text):
        yield chunk({"content": piece})
    yield chunk({}, "stop")


def messages(body: dict[str, Any]) -> list[dict[str, str]]:
    """The request's messages as role/content pairs."""
    return [{"role": m["role"], "content": str(m.get("content", ""))} for m in body["messages"]]


def sources(body: dict[str, Any]) -> dict[int, str]:
    """The numbered source texts of an answer request, by number."""
    prompt = messages(body)[-1]["content"]
    return {
        int(n): text
        for n, text in re.findall(r'<source n="(\d+)"[^>]*>\n(.*?)\n</source>', prompt, re.DOTALL)
    }


def is_condense(body: dict[str, Any]) -> bool:
    """True for the request that rewrites a follow-up, not the one that answers."""
    return "Standalone question:" in messages(body)[-1]["content"]
