"""kill -9 during ingestion and rebuilds, and ingestion while serving: the old index answers,
a re-run completes, and questions asked meanwhile never fail."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from webserver import serving

from assistant import Settings, build_assistant
from assistant.index import Index
from assistant.readiness import Readiness
from ui.feedback import FeedbackStore
from ui.server import create_server

pytestmark = pytest.mark.slow
SEED = {
    "treaty.md": "# The treaty\n\nThe North Atlantic Treaty was signed in 1949 in Washington "
    "by twelve founding members.\n",
}
QUESTION = "When was the North Atlantic Treaty signed?"


def many(corpus: Path, count: int, tag: str) -> None:
    """Documents enough for an ingestion run of several seconds."""
    for i in range(count):
        body = " ".join(
            f"Note {i} of {tag} records that allies met on day {j} to consult about airspace."
            for j in range(12)
        )
        (corpus / f"{tag}-{i:03}.md").write_text(f"# {tag} note {i}\n\n{body}\n")


def ingest_process(settings: Settings, *args: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
        "ASSISTANT_INDEX_DIR": str(settings.index_dir),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "assistant", "ingest", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_mid_run(process: subprocess.Popen[bytes], written: Path, after: float = 2.0) -> None:
    """Waits until the run is writing, then kills it with SIGKILL while it still runs."""
    deadline = time.monotonic() + 240
    while not written.exists():
        assert process.poll() is None, "the run ended before it was killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(after)
    assert process.poll() is None, "the run ended before it was killed"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


@pytest.fixture
def seeded(make_corpus: Callable[..., Settings]) -> Settings:
    settings = make_corpus(SEED)
    build_assistant(settings).ingest()
    many(settings.corpus_dir, 250, "latvia")
    return settings


def test_kill_during_ingestion_then_old_index_answers_and_rerun_completes(
    seeded: Settings,
) -> None:
    process = ingest_process(seeded)
    kill_mid_run(process, seeded.index_dir / "records.sqlite3")
    assistant = build_assistant(seeded)
    Readiness(assistant).check()
    assert "1949" in assistant.ask(QUESTION).answer
    report = assistant.ingest()
    assert len(report.added) == 250 and report.unchanged == ["treaty.md"]
    again = assistant.ingest()
    assert again.embedded == 0 and again.chunks == report.chunks
    assert Index(seeded).count() == report.chunks


def test_kill_during_rebuild_then_old_index_answers_and_rerun_completes(
    seeded: Settings,
) -> None:
    fresh = seeded.index_dir.with_name("index.rebuild")
    process = ingest_process(seeded, "--rebuild")
    kill_mid_run(process, fresh / "records.sqlite3")
    assistant = build_assistant(seeded)
    Readiness(assistant).check()
    assert "1949" in assistant.ask(QUESTION).answer
    report = build_assistant(seeded).ingest(rebuild=True)
    assert len(report.added) == 251 and not fresh.exists()
    rebuilt = build_assistant(seeded)
    Readiness(rebuilt).check()
    assert "1949" in rebuilt.ask(QUESTION).answer


def test_a_swap_stopped_between_its_renames_is_finished(seeded: Settings) -> None:
    index = seeded.index_dir
    index.rename(index.with_name("index.old"))  # stopped after the first rename
    assistant = build_assistant(seeded)
    Readiness(assistant).check()
    assert index.exists() and "1949" in assistant.ask(QUESTION).answer


def test_questions_during_ingestion_see_the_old_or_new_index_never_an_error(
    seeded: Settings, tmp_path: Path
) -> None:
    assistant = build_assistant(seeded.replace(rate_limit="off"))
    server = create_server(assistant, feedback=FeedbackStore(tmp_path / "f.sqlite3"))
    statuses: list[int] = []
    answers: list[str] = []
    stop = threading.Event()

    def ask(url: str) -> None:
        with httpx.Client(base_url=url, timeout=120) as client:
            while not stop.is_set():
                reply = client.post("/api/ask", json={"question": QUESTION})
                statuses.append(reply.status_code)
                answers.append(reply.json().get("answer", reply.text))
                statuses.append(client.get("/api/health").status_code)

    with serving(server) as url:
        askers = [threading.Thread(target=ask, args=(url,)) for _ in range(2)]
        for thread in askers:
            thread.start()
        process = ingest_process(seeded)
        try:
            assert process.wait(timeout=600) == 0
        finally:
            stop.set()
            for thread in askers:
                thread.join(timeout=120)
        with httpx.Client(base_url=url, timeout=120) as client:
            after = client.post("/api/ask", json={"question": "What did note 7 of latvia record?"})
    assert len(statuses) > 10 and set(statuses) == {200}, sorted(set(statuses))
    assert all("1949" in answer for answer in answers)
    assert after.status_code == 200 and "latvia-007.md" in {
        c["source"] for c in after.json()["citations"]
    }
