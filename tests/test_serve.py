"""`nato-assistant serve` as a user starts it: what the terminal says, and the server behind it."""

from __future__ import annotations

import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from conftest import CORPUS
from webserver import loopback_socket

from assistant import Settings

pytestmark = pytest.mark.slow


@contextmanager
def serve(settings: Settings) -> Iterator[tuple[str, queue.Queue[str]]]:
    """The real command on a free loopback port; yields its address and its stderr lines."""
    with loopback_socket() as probe:
        port = probe.getsockname()[1]
    where = ["--index-dir", str(settings.index_dir), "--corpus-dir", str(settings.corpus_dir)]
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port), *where],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stderr is not None
    stderr = process.stderr
    threading.Thread(target=lambda: [lines.put(line) for line in stderr], daemon=True).start()
    try:
        yield f"http://127.0.0.1:{port}", lines
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_for(lines: queue.Queue[str], pattern: str, seen: list[str], timeout: float = 180) -> str:
    """The first line matching pattern (a log line may carry a time and level first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1).rstrip("\n")
        except queue.Empty:
            continue
        seen.append(line)
        if re.search(pattern, line):
            return line
    raise AssertionError(f"no line matching {pattern!r} in:\n" + "\n".join(seen))


def test_a_first_start_shows_progress_then_ready_and_answers(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for source in sorted(CORPUS.glob("invocation-*.md")):
        shutil.copy(source, corpus)
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    seen: list[str] = []
    with serve(settings) as (url, lines):
        wait_for(lines, r"Indexing 9 documents from .*: \d+ chunks", seen)
        first = wait_for(lines, r"^Building the index: ", seen)
        ready = wait_for(lines, r"^Ready: ", seen)
        assert ready == f"Ready: {url}"
        assert first.startswith("Building the index: 0/")
        assert any(line.endswith("chunks/s") and "(100%)" in line for line in seen), seen
        with httpx.Client(base_url=url, timeout=60) as client:
            assert client.get("/api/health").status_code == 200
            answer = client.post("/api/ask", json={"question": "When did Estonia ask?"})
            assert answer.status_code == 200 and answer.json()["citations"]


def test_a_failed_build_is_one_line_that_says_what_to_do_and_health_says_so(
    tmp_path: Path,
) -> None:
    (tmp_path / "empty").mkdir()
    settings = Settings(corpus_dir=tmp_path / "empty", index_dir=tmp_path / "index")
    seen: list[str] = []
    with serve(settings) as (url, lines):
        error = wait_for(lines, r"^error: ", seen)
        assert "Building the index failed (Nothing to index in" in error
        assert "add .md, .txt, .html or .pdf files" in error
        with httpx.Client(base_url=url, timeout=60) as client:
            deadline = time.monotonic() + 60
            while True:
                try:
                    health = client.get("/api/health")
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline
                    time.sleep(0.1)
            assert health.status_code == 503
            assert health.json()["message"] == error.removeprefix("error: ")
