"""Intranet embedding in Chromium: a portal on another loopback origin frames the chat and
calls the API when allowed, and is refused when not; the site also works under a sub-path
behind a reverse proxy."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from webserver import chromium, loopback_socket, needs_chromium, reverse_proxy, serving, static_site

from assistant import Assistant, Settings, build_assistant
from ui.feedback import FeedbackStore
from ui.server import create_server

pytestmark = [pytest.mark.browser, needs_chromium]
QUESTION = "How many times has Article 4 been invoked?"
# The snippet docs/web.md gives intranet teams, with the chat's address filled in.
SNIPPET = """<!doctype html>
<html><head><meta charset="utf-8"><title>Intranet portal</title></head>
<body>
<h1>Intranet portal</h1>
<iframe id="nato-assistant" src="{chat}/" title="NATO Consultations Assistant"
        style="width: 100%; height: 760px; border: 0;" allow="clipboard-write"></iframe>
</body></html>
"""
CALL_API = """async (chat) => {
  try {
    const response = await fetch(chat + '/api/ask', {
      method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({question: 'How many times has Article 4 been invoked?'})});
    return {status: response.status, answer: (await response.json()).answer};
  } catch (error) {
    return {error: String(error)};
  }
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def portal_and_chat(settings: Settings, tmp_path: Path, allow: bool) -> tuple[Any, Any]:
    """A socket for the portal's origin, and the chat server allowing that origin or not."""
    portal_sock = loopback_socket()
    if allow:
        portal = f"http://127.0.0.1:{portal_sock.getsockname()[1]}"
        settings = settings.replace(allowed_origins=(portal,))
    server = create_server(build_assistant(settings), feedback=FeedbackStore(tmp_path / "f"))
    return portal_sock, server


@contextmanager
def portal_page(
    browser: Any, folder: Path, chat: str, portal_sock: Any
) -> Iterator[tuple[Any, list[str]]]:
    """Chromium on the portal's page, which embeds the chat; yields it and its console."""
    (folder / "index.html").write_text(SNIPPET.format(chat=chat), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.set_default_timeout(60_000)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    try:
        with static_site(folder, portal_sock) as portal:
            page.goto(portal + "/index.html")
            yield page, console
    finally:
        page.close()


def test_allowed_portal_embeds_the_chat_and_calls_the_api(
    browser: Any,
    nato_settings: Settings,
    nato: Assistant,
    tmp_path: Path,
) -> None:
    sock, server = portal_and_chat(nato_settings, tmp_path, allow=True)
    with serving(server) as chat, portal_page(browser, tmp_path, chat, sock) as (page, _):
        frame = page.frame_locator("#nato-assistant")
        frame.locator("#question textarea").fill(QUESTION)
        frame.locator("#question textarea").press("Enter")
        frame.locator("#chat .answer a.cite").first.click()
        assert frame.locator("#src-1-1[open]").is_visible()
        assert "nine" in frame.locator("#chat .answer").inner_text()

        called = page.evaluate(CALL_API, chat)
        assert called.get("status") == 200, called
        assert "nine" in called["answer"]
        page.screenshot(path=str(tmp_path / "portal.png"))


def test_other_portal_is_refused(
    browser: Any,
    nato_settings: Settings,
    nato: Assistant,
    tmp_path: Path,
) -> None:
    sock, server = portal_and_chat(nato_settings, tmp_path, allow=False)
    with serving(server) as chat, portal_page(browser, tmp_path, chat, sock) as (page, console):
        for _ in range(300):  # Chromium reports the refusal on the console
            if any("frame-ancestors" in line for line in console):
                break
            page.wait_for_timeout(100)
        assert any("frame-ancestors 'self'" in line for line in console), console
        frames = [f for f in page.frames if f != page.main_frame]
        assert frames and all(f.query_selector("#question") is None for f in frames)

        called = page.evaluate(CALL_API, chat)
        assert "error" in called and "Failed to fetch" in called["error"], called


def test_sub_path_behind_a_reverse_proxy(
    browser: Any,
    nato_settings: Settings,
    nato: Assistant,
    tmp_path: Path,
) -> None:
    settings = nato_settings.replace(
        root_path="/assistant", users=("ana:pw-1",), api_keys=("key-1",)
    )
    server = create_server(build_assistant(settings), feedback=FeedbackStore(tmp_path / "f"))
    with (
        serving(server, root_path="/assistant") as backend,
        serving(reverse_proxy("/assistant", backend)) as proxy,
    ):
        site = proxy + "/assistant"
        with httpx.Client(timeout=60) as client:
            refused = client.get(site + "/", headers={"Accept": "text/html"})
            assert refused.status_code == 303
            assert refused.headers["location"] == "/assistant/login?next=/assistant/"
            api = client.post(
                site + "/api/ask",
                json={"question": QUESTION},
                headers={"Authorization": "Bearer key-1"},
            )
            assert api.status_code == 200 and "nine" in api.json()["answer"]
            spec = client.get(site + "/openapi.json", headers={"Authorization": "Bearer key-1"})
            assert spec.json()["servers"] == [{"url": "/assistant"}]

        page = browser.new_page()
        page.set_default_timeout(60_000)
        try:
            page.goto(site + "/")
            assert page.url.startswith(site + "/login")
            page.fill("#username", "ana")
            page.fill("#password", "pw-1")
            page.click("button[type=submit]")
            page.wait_for_selector("#question textarea")
            assert page.url == site + "/"
            page.fill("#question textarea", QUESTION)
            page.keyboard.press("Enter")
            page.locator("#chat .answer a.cite").first.click()
            assert page.locator("#src-1-1[open]").is_visible()
        finally:
            page.close()
