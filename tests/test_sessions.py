"""Sign-in sessions any replica accepts, feedback stores given by URL, replica settings."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from starlette.datastructures import Headers

from assistant import Settings
from assistant.errors import AssistantError, SettingsError
from assistant.schema import Answer
from ui.access import COOKIE, Credentials
from ui.feedback import FeedbackStore

USERS = ("ana:correct-horse",)


def signed_in(credentials: Credentials, token: str) -> str | None:
    return credentials.user(Headers({}), {COOKIE: token})


def test_a_session_signed_on_one_replica_is_accepted_by_another() -> None:
    settings = Settings(users=USERS, session_secret="s" * 32)
    token = Credentials(settings).open_session("ana")
    assert signed_in(Credentials(settings), token) == "ana"
    other = Credentials(settings.replace(session_secret="t" * 32))
    assert signed_in(other, token) is None
    assert signed_in(Credentials(settings), token[:-2] + "xx") is None
    # A user removed from ASSISTANT_USERS is signed out everywhere.
    assert signed_in(Credentials(settings.replace(users=("bo:pw",))), token) is None


def test_without_a_secret_each_process_signs_its_own() -> None:
    settings = Settings(users=USERS)
    token = Credentials(settings).open_session("ana")
    assert signed_in(Credentials(settings), token) is None


def test_several_replicas_need_a_shared_secret_and_database() -> None:
    with pytest.raises(SettingsError, match="ASSISTANT_SESSION_SECRET"):
        Settings.from_env({"ASSISTANT_REPLICAS": "2"})
    with pytest.raises(SettingsError, match="ASSISTANT_FEEDBACK_DB"):
        Settings.from_env({"ASSISTANT_REPLICAS": "2", "ASSISTANT_SESSION_SECRET": "s" * 32})
    settings = Settings.from_env(
        {
            "ASSISTANT_REPLICAS": "2",
            "ASSISTANT_SESSION_SECRET": "s" * 32,
            "ASSISTANT_FEEDBACK_DB": "postgresql+psycopg://assistant@db/assistant",
        }
    )
    assert settings.feedback_url.startswith("postgresql")
    assert "s" * 32 not in repr(settings)


def test_feedback_takes_a_file_path_or_a_sqlalchemy_url(tmp_path: Path) -> None:
    answer = Answer(question="When?", answer="In 2014 [1].", refused=False)
    by_path = FeedbackStore(tmp_path / "old.sqlite3")
    by_path.rate(answer, 1, "ana")
    by_url = FeedbackStore(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    assert [(r["user"], r["rating"]) for r in by_url.rows()] == [("ana", 1)]
    broken = FeedbackStore("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(Exception, match="ASSISTANT_FEEDBACK_DB"):
        broken.rate(answer, 1)
    assert "Settings" not in broken.where


def test_replicas_opening_one_feedback_database_at_once_all_store(tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    answer = Answer(question="When?", answer="In 2014 [1].", refused=False)
    with ThreadPoolExecutor(max_workers=8) as pool:
        stores = list(pool.map(lambda _: FeedbackStore(target), range(8)))
    assert [store.error for store in stores] == [""] * 8
    for number, store in enumerate(stores):
        store.rate(answer, 1, f"user{number}")
    assert len(FeedbackStore(target).rows()) == 8


def test_a_feedback_store_that_becomes_writable_is_used_without_a_restart(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "feedback"
    blocker.write_text("a file where the folder should be")
    store = FeedbackStore(blocker / "f.sqlite3")
    answer = Answer(question="When?", answer="In 2014 [1].", refused=False)
    with pytest.raises(AssistantError, match="ASSISTANT_FEEDBACK_DB"):
        store.rate(answer, 1)
    blocker.unlink()
    store.rate(answer, -1, "ana")
    assert [(r["user"], r["rating"]) for r in store.rows()] == [("ana", -1)]
