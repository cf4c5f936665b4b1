"""End to end in headless Chromium: ask, watch the answer arrive, open the cited source.

Set SCREENSHOT_DIR (e.g. to docs/) to keep the screenshots; scripts/screenshot does that.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from webserver import chromium, needs_chromium, serving

from assistant import Assistant, Settings, build_assistant
from ui.feedback import FeedbackStore
from ui.server import create_server

pytestmark = [pytest.mark.browser, needs_chromium]
QUESTION = "How many times has Article 4 been invoked?"
HOSTILE = (
    "# Liaison log\n\nThe liaison office recorded the consultation request with the tag "
    '<script>window.pwned = true</script> and <img src=x onerror="window.pwned = true"> '
    "in the message body.\n"
)
# Records every state the answer bubble goes through, to see it arrive in pieces.
WATCH = """() => {
  window.answerStates = new Set();
  new MutationObserver(() => {
    const el = document.querySelector('#chat .answer');
    if (el) window.answerStates.add(el.className + ':' + el.textContent.length);
  }).observe(document.body, {subtree: true, childList: true, characterData: true});
}"""


IN_VIEW = """async (id) => {
  const top = () => document.getElementById(id).getBoundingClientRect().top;
  const before = top();
  await new Promise((resolve) => setTimeout(resolve, 250));  // still scrolling?
  return top() === before && before >= 0 && before < innerHeight - 40;
}"""


def keep(shot: Path, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        shutil.copyfile(shot, Path(folder) / name)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> FeedbackStore:
    return FeedbackStore(tmp_path_factory.mktemp("browser") / "feedback.sqlite3")


@pytest.fixture(scope="module")
def site(nato: Assistant, store: FeedbackStore) -> Iterator[str]:
    with serving(create_server(nato, feedback=store)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def ask(page: Any, question: str) -> None:
    page.fill("#question textarea", question)
    page.keyboard.press("Enter")


def test_ask_see_the_cited_answer_and_open_its_source(
    page: Any,
    site: str,
    nato: Assistant,
    tmp_path: Path,
) -> None:
    page.goto(site + "/")
    page.wait_for_selector("#question textarea")
    page.evaluate(WATCH)
    ask(page, QUESTION)
    page.wait_for_selector("#chat .answer a.cite")
    states = page.evaluate("() => [...window.answerStates]")
    assert len([s for s in states if s.startswith("answer streaming")]) >= 3, states
    assert "nine" in page.inner_text("#chat .answer")

    expected = nato.ask(QUESTION).citations[0]
    source = page.locator("#src-1-1")
    page.locator("#chat a.cite").first.click()
    assert source.get_attribute("open") is not None
    assert "focused" in (source.get_attribute("class") or "")
    assert source.is_visible()
    assert expected.passage.title in source.locator(".title").inner_text()
    assert " ".join(source.locator("mark").inner_text().split()) == expected.quote
    assert source.locator("a.original").get_attribute("href") == expected.passage.url

    ask(page, "What was the reason for the Polish request in September 2025?")
    page.wait_for_selector("#src-2-1")
    last = page.locator("#chat .answer a.cite").last
    target = (last.get_attribute("href") or "").lstrip("#")
    assert target.startswith("src-2-")
    last.click()
    # The panel scrolls the cited passage into view (smoothly, so wait for it).
    page.wait_for_function(IN_VIEW, arg=target)
    assert "focused" in (page.locator(f"#{target}").get_attribute("class") or "")
    shot = tmp_path / "screenshot.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    keep(shot, "screenshot.png")


def test_usable_at_phone_width(browser: Any, site: str, tmp_path: Path) -> None:
    context = browser.new_context(
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(site + "/")
        page.wait_for_selector("#question textarea")
        ask(page, QUESTION)
        page.wait_for_selector("#chat .answer a.cite")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 375, f"the page is {width}px wide"
        chat_box = page.locator("#chat").bounding_box()
        sources_box = page.locator("#sources").bounding_box()
        assert sources_box["y"] >= chat_box["y"] + chat_box["height"]  # stacked, not squeezed
        page.locator("#chat a.cite").first.tap()
        page.wait_for_function(IN_VIEW, arg="src-1-1")
        shot = tmp_path / "screenshot-phone.png"
        page.screenshot(path=str(shot))
        keep(shot, "screenshot-phone.png")
    finally:
        context.close()


def test_refusal_example_and_new_conversation(page: Any, site: str) -> None:
    page.goto(site + "/")
    page.get_by_text("How does Article 4 differ from Article 5?").click()
    page.wait_for_selector("#chat .answer a.cite")
    ask(page, "Who won the 2018 FIFA World Cup?")
    refusal = page.locator("#chat .refusal")
    refusal.wait_for()
    assert "not in the sources" in refusal.inner_text().lower()
    assert "No passage in the sources answers this question" in page.inner_text("#sources")

    page.click("#new-conversation")
    page.wait_for_function("() => !document.querySelector('#chat .answer, #chat .refusal')")
    assert "Sources appear here" in page.inner_text("#sources")


def test_bad_input_is_shown_and_kept(page: Any, site: str) -> None:
    page.goto(site + "/")
    page.wait_for_selector("#question textarea")
    page.click("#advanced")
    page.fill("#date-from textarea, #date-from input", "last spring")
    ask(page, QUESTION)
    notice = page.locator("#chat .notice")
    notice.wait_for()
    assert "YYYY-MM-DD" in notice.inner_text()
    assert page.input_value("#question textarea") == QUESTION


def test_feedback_from_the_browser_is_stored(page: Any, site: str, store: FeedbackStore) -> None:
    before = len(store.rows())
    page.goto(site + "/")
    page.wait_for_selector("#question textarea")
    ask(page, QUESTION)
    page.wait_for_selector("#chat .answer a.cite")
    page.click("#chat button[aria-label=Dislike]")
    page.wait_for_selector("#comment textarea")
    page.fill("#comment textarea", "Please list the nine requests.")
    page.click("#send-comment")
    page.get_by_text("Comment saved").wait_for()
    rows = store.rows()[before:]
    assert len(rows) == 1
    assert rows[0]["question"] == QUESTION and rows[0]["rating"] == -1
    assert rows[0]["comment"] == "Please list the nine requests."
    assert rows[0]["citations"][0]["n"] == 1


def test_script_in_a_document_shows_as_text(
    browser: Any,
    make_corpus: Callable[[dict[str, str | bytes]], Settings],
) -> None:
    settings = make_corpus({"log.md": HOSTILE})
    assistant = build_assistant(settings)
    assistant.ingest()
    page = browser.new_page()
    page.set_default_timeout(60_000)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        with serving(
            create_server(assistant, feedback=FeedbackStore(settings.index_dir / "f"))
        ) as url:
            page.goto(url + "/")
            ask(page, "What did the liaison office record with the consultation request?")
            page.wait_for_selector("#chat .answer a.cite")
            page.locator("#chat a.cite").first.click()
            assert "<script>window.pwned = true</script>" in page.inner_text("#chat .answer")
            assert "<img src=x" in page.inner_text("#src-1-1")
            assert page.evaluate("() => window.pwned") is None
            assert page.locator("#chat script, #sources script, #sources img").count() == 0
            assert dialogs == []
    finally:
        page.close()


def test_sign_in_then_chat(
    browser: Any, nato_settings: Settings, nato: Assistant, tmp_path: Path
) -> None:
    settings = nato_settings.replace(users=("ana:correct horse",))
    server = create_server(build_assistant(settings), feedback=FeedbackStore(tmp_path / "f"))
    page = browser.new_page()
    page.set_default_timeout(60_000)
    try:
        with serving(server) as url:
            page.goto(url + "/")
            assert "/login" in page.url
            page.fill("#username", "ana")
            page.fill("#password", "wrong")
            page.click("button[type=submit]")
            assert "Wrong username or password" in page.inner_text("body")
            page.fill("#password", "correct horse")
            page.click("button[type=submit]")
            page.wait_for_selector("#question textarea")
            ask(page, QUESTION)
            page.wait_for_selector("#chat .answer a.cite")
            page.click("#sign-out")
            page.wait_for_selector("#password")
    finally:
        page.close()


def test_the_chat_runs_under_its_content_security_policy(page: Any, site: str) -> None:
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    response = page.goto(site + "/")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    ask(page, QUESTION)
    page.wait_for_selector("#chat .answer a.cite")
    page.locator("#chat a.cite").first.click()
    assert page.locator("#src-1-1").is_visible()
    assert violations == [], violations
