"""Feedback on answers (thumbs up or down, an optional comment), stored durably in SQLite."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant.errors import AssistantError
from assistant.schema import Answer

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    user TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    refused INTEGER NOT NULL,
    citations TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 0, 1)),
    comment TEXT NOT NULL DEFAULT ''
)
"""
MAX_COMMENT = 2000


class FeedbackStore:
    """One row per rated answer; every write is committed before it returns."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.error = ""
        # A store that cannot be opened (a read-only or full disk) leaves the chat
        # answering; rating then says why feedback cannot be kept.
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            self.error = f"{type(exc).__name__}: {exc}"

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # A connection per write: handlers run on several threads, and closing after the
        # commit leaves nothing buffered if the server stops.
        if self.error:
            raise AssistantError(
                f"Feedback cannot be stored in {self.path} ({self.error}): set "
                "ASSISTANT_FEEDBACK_DB to a writable file and restart the server."
            )
        with self._lock:
            db = sqlite3.connect(self.path, timeout=10)
            try:
                db.execute("PRAGMA synchronous=FULL")
                with db:
                    yield db
            finally:
                db.close()

    def rate(
        self, answer: Answer, rating: int, user: str = "", feedback_id: int | None = None
    ) -> int:
        """Records (or changes) a rating of 1, -1 or 0 (withdrawn); returns the row id."""
        if rating not in (-1, 0, 1):
            raise ValueError("rating must be 1, -1 or 0")
        now = _now()
        with self._connect() as db:
            if feedback_id is not None:
                cursor = db.execute(
                    "UPDATE feedback SET rating = ?, updated = ? WHERE id = ?",
                    (rating, now, feedback_id),
                )
                if cursor.rowcount:
                    return feedback_id
            citations = json.dumps([c.to_dict() for c in answer.citations], ensure_ascii=False)
            cursor = db.execute(
                "INSERT INTO feedback (created, updated, user, question, answer, refused, "
                "citations, rating) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    now,
                    now,
                    user,
                    answer.question,
                    answer.answer,
                    int(answer.refused),
                    citations,
                    rating,
                ),
            )
            return int(cursor.lastrowid or 0)

    def comment(self, feedback_id: int, comment: str) -> None:
        """Adds the optional comment to a rating, cut to MAX_COMMENT characters."""
        with self._connect() as db:
            db.execute(
                "UPDATE feedback SET comment = ?, updated = ? WHERE id = ?",
                (comment.strip()[:MAX_COMMENT], _now(), feedback_id),
            )

    def rows(self) -> list[dict[str, Any]]:
        """Every feedback row, oldest first, with citations decoded."""
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            found = db.execute("SELECT * FROM feedback ORDER BY id").fetchall()
        return [dict(row) | {"citations": json.loads(row["citations"])} for row in found]


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
