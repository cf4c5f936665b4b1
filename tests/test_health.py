"""Health tells the truth: ready only when a question can be answered, else 503 and the fix."""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from webserver import serving

from assistant import Settings, build_assistant, storage
from assistant.readiness import Readiness
from ui import chat
from ui.feedback import FeedbackStore
from ui.server import create_server

DOCS = {
    "treaty.md": "# The treaty\n\nThe North Atlantic Treaty was signed in 1949 in Washington "
    "by twelve founding members.\n",
    "poland.md": "# Poland 2014\n\nPoland requested Article 4 consultations on 3 March 2014.\n",
}
QUESTION = "When was the North Atlantic Treaty signed?"


def damage_chroma(index: Path) -> None:
    (index / "chroma" / "chroma.sqlite3").write_bytes(os.urandom(64 * 1024))


def damage_record(index: Path) -> None:
    (index / "index.json").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(512))


def foreign_record(index: Path) -> None:
    (index / "index.json").write_text('{"name": "another tool", "version": 3}')


def foreign_store(index: Path) -> None:
    shutil.rmtree(index / "chroma")
    (index / "chroma").mkdir()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("health")
    (root / "corpus").mkdir()
    for name, text in DOCS.items():
        (root / "corpus" / name).write_text(text)
    settings = Settings(corpus_dir=root / "corpus", index_dir=root / "index")
    build_assistant(settings).ingest()
    return settings


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (damage_chroma, "is damaged"),
        (damage_record, "is damaged"),
        (foreign_record, "does not hold an index of this assistant"),
        (foreign_store, "holds no passages"),
    ],
)
def test_a_broken_index_is_not_ready_and_every_edge_names_the_fix(
    built: Settings, tmp_path: Path, damage: Callable[[Path], None], says: str
) -> None:
    settings = built.replace(index_dir=tmp_path / "index")
    shutil.copytree(built.index_dir, settings.index_dir)
    damage(settings.index_dir)
    assistant = build_assistant(settings)
    readiness = Readiness(assistant)
    server = create_server(assistant, readiness, FeedbackStore(tmp_path / "f.sqlite3"))
    with serving(server) as url, httpx.Client(base_url=url, timeout=60) as client:
        health = client.get("/api/health")
        assert health.status_code == 503, health.text
        message = health.json()["message"]
        assert says in message and "nato-assistant ingest --rebuild" in message
        assert "\n" not in message
        ask = client.post("/api/ask", json={"question": QUESTION})
        assert ask.status_code == 503
        assert says in ask.json()["error"]["message"] and "--rebuild" in ask.text
    *_, (messages, _, _, kept) = chat.respond(assistant, readiness, QUESTION, chat.Conversation())
    assert says in messages[-1]["content"] and kept == QUESTION

    cli = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", QUESTION],
        env={**os.environ, "ASSISTANT_INDEX_DIR": str(settings.index_dir)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert cli.returncode == 1
    assert cli.stderr.strip().startswith("error: ") and "ingest --rebuild" in cli.stderr
    assert "Traceback" not in cli.stderr

    rebuilt = build_assistant(settings)
    rebuilt.ingest(rebuild=True)
    Readiness(rebuilt).check()
    assert "1949" in rebuilt.ask(QUESTION).answer


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (sqlite3.OperationalError("attempt to write a readonly database"), "writable"),
        (OSError(errno.EROFS, "Read-only file system"), "writable"),
        (sqlite3.OperationalError("unable to open database file"), "writable"),
        (OSError(errno.ENOSPC, "No space left on device"), "on a disk with room"),
        (sqlite3.OperationalError("database or disk is full"), "on a disk with room"),
        (sqlite3.DatabaseError("file is not a database"), "ingest --rebuild"),
    ],
)
def test_read_only_and_full_disks_name_the_fix(
    built: Settings, error: Exception, says: str
) -> None:
    explained = storage.explain(error, built.index_dir)
    assert explained is not None and explained.status == 503
    assert says in str(explained) and str(built.index_dir) in str(explained)
    if says != "ingest --rebuild":
        assert "ASSISTANT_INDEX_DIR" in str(explained)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_a_read_only_index_folder_says_to_make_it_writable(built: Settings, tmp_path: Path) -> None:
    settings = built.replace(index_dir=tmp_path / "index")
    shutil.copytree(built.index_dir, settings.index_dir)
    for path in [settings.index_dir, *settings.index_dir.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        with pytest.raises(Exception, match="ASSISTANT_INDEX_DIR"):
            Readiness(build_assistant(settings)).check()
    finally:
        for path in [settings.index_dir, *settings.index_dir.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)


def test_feedback_that_cannot_be_stored_leaves_the_chat_answering(
    built: Settings, tmp_path: Path
) -> None:
    assistant = build_assistant(built)
    store = FeedbackStore(Path("/proc/no-such-place/feedback.sqlite3"))  # never writable
    conversation = chat.Conversation()
    *_, (_, conversation, _, _) = chat.respond(
        assistant, Readiness(assistant), QUESTION, conversation
    )
    _, line = chat.rate(store, conversation, conversation.exchanges[0].message, True)
    assert "ASSISTANT_FEEDBACK_DB" in line
    with serving(create_server(assistant, feedback=store)) as url:
        assert httpx.get(url + "/api/health", timeout=60).status_code == 200


def test_health_is_ready_for_a_sound_index(built: Settings, tmp_path: Path) -> None:
    assistant = build_assistant(built)
    with serving(create_server(assistant, feedback=FeedbackStore(tmp_path / "f"))) as url:
        health = httpx.get(url + "/api/health", timeout=60)
    assert health.status_code == 200 and health.json()["status"] == "ok"
