"""Real servers on loopback for the web tests: uvicorn in a thread, a static page, Chromium."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import uvicorn

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def loopback_socket() -> socket.socket:
    """A socket bound to a free port on 127.0.0.1, so no other process can take the port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serving(app: Any, root_path: str = "", sock: socket.socket | None = None) -> Iterator[str]:
    """Runs an ASGI app under uvicorn on loopback; yields its base URL (no trailing slash)."""
    sock = sock or loopback_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", root_path=root_path, proxy_headers=True)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


@contextmanager
def static_site(folder: Path, sock: socket.socket | None = None) -> Iterator[str]:
    """Serves a folder over HTTP on loopback (a stand-in intranet portal); yields its URL."""
    sock = sock or loopback_socket()
    host, port = sock.getsockname()
    handler = partial(_QuietHandler, directory=str(folder))
    httpd = ThreadingHTTPServer((host, port), handler, bind_and_activate=False)
    httpd.socket.close()
    httpd.socket = sock  # already bound: nothing can take the port in between
    httpd.server_activate()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def reverse_proxy(prefix: str, backend: str) -> Any:
    """An ASGI reverse proxy like nginx's `location /prefix/ { proxy_pass backend/; }`:
    strips the prefix, keeps Host, adds X-Forwarded-*, and streams responses unbuffered."""
    import httpx
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, StreamingResponse

    client = httpx.AsyncClient(base_url=backend, timeout=None)
    hop_by_hop = {"connection", "keep-alive", "transfer-encoding", "upgrade", "content-length"}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        path = request.url.path
        if not path.startswith(prefix + "/"):
            await PlainTextResponse("not proxied", status_code=404)(scope, receive, send)
            return
        headers = {k: v for k, v in request.headers.items() if k not in hop_by_hop}
        headers["x-forwarded-for"] = request.client.host if request.client else ""
        headers["x-forwarded-proto"] = request.url.scheme
        upstream = client.build_request(
            request.method,
            path[len(prefix) :] + (f"?{request.url.query}" if request.url.query else ""),
            headers=headers,
            content=await request.body(),
        )
        response = await client.send(upstream, stream=True)
        streamed = StreamingResponse(response.aiter_raw(), status_code=response.status_code)
        streamed.raw_headers = [
            (k.encode(), v.encode())
            for k, v in response.headers.multi_items()
            if k not in hop_by_hop
        ]
        try:
            await streamed(scope, receive, send)
        finally:
            await response.aclose()

    return app
