"""Feedback on answers (thumbs up or down, an optional comment), stored durably in a database
given by a SQLAlchemy URL: a SQLite file by default, PostgreSQL when several replicas serve."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from assistant.errors import AssistantError
from assistant.schema import Answer

MAX_COMMENT = 2000
METADATA = sa.MetaData()
FEEDBACK = sa.Table(
    "feedback",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created", sa.Text, nullable=False),
    sa.Column("updated", sa.Text, nullable=False),
    sa.Column("user", sa.Text, nullable=False, server_default=""),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("refused", sa.Integer, nullable=False),
    sa.Column("citations", sa.Text, nullable=False),
    sa.Column("rating", sa.Integer, sa.CheckConstraint("rating IN (-1, 0, 1)"), nullable=False),
    sa.Column("comment", sa.Text, nullable=False, server_default=""),
    sqlite_autoincrement=True,
)


class FeedbackStore:
    """One row per rated answer; every write is committed before it returns."""

    def __init__(self, target: Path | str) -> None:
        self.url = _url(target)
        self.where = _shown(self.url)
        # The SQLite file, when the store is one (None for a database server).
        self.path: Path | None = (
            Path(self.url.removeprefix("sqlite:///"))
            if (self.url.startswith("sqlite:///"))
            else None
        )
        self.error = ""
        self.engine: sa.Engine | None = None
        self._open()

    def _open(self) -> None:
        """Creates the table unless it exists. A store that cannot be opened (a read-only or
        full disk, a database server that is down) leaves the chat answering; rating then
        says why feedback cannot be kept, and tries again, so a server that comes back is
        used without a restart."""
        try:
            if self.engine is None:
                self.engine = _engine(self.url)
            _create(self.engine)
            self.error = ""
        except (OSError, sa.exc.SQLAlchemyError, ImportError) as exc:
            self.error = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"

    def _check(self) -> sa.Engine:
        if self.error:
            self._open()
        if self.error or self.engine is None:
            raise AssistantError(
                f"Feedback cannot be stored in {self.where} ({self.error}): set "
                "ASSISTANT_FEEDBACK_DB to a writable file or a reachable database URL and "
                "restart the server."
            )
        return self.engine

    def rate(
        self, answer: Answer, rating: int, user: str = "", feedback_id: int | None = None
    ) -> int:
        """Records (or changes) a rating of 1, -1 or 0 (withdrawn); returns the row id."""
        if rating not in (-1, 0, 1):
            raise ValueError("rating must be 1, -1 or 0")
        citations = [c.to_dict() for c in answer.citations]
        return self.record(
            answer.question, answer.answer, answer.refused, citations, rating, user, feedback_id
        )

    def record(
        self,
        question: str,
        answer: str,
        refused: bool,
        citations: list[dict[str, Any]],
        rating: int,
        user: str = "",
        feedback_id: int | None = None,
    ) -> int:
        """Records (or changes) a rating of an answer given as its parts; returns the row id."""
        if rating not in (-1, 0, 1):
            raise ValueError("rating must be 1, -1 or 0")
        engine = self._check()
        now = _now()
        with engine.begin() as db:
            if feedback_id is not None:
                changed = db.execute(
                    FEEDBACK.update()
                    .where(FEEDBACK.c.id == feedback_id)
                    .values(rating=rating, updated=now)
                )
                if changed.rowcount:
                    return feedback_id
            inserted = db.execute(
                FEEDBACK.insert()
                .values(
                    created=now,
                    updated=now,
                    user=user,
                    question=question,
                    answer=answer,
                    refused=int(refused),
                    citations=json.dumps(citations, ensure_ascii=False),
                    rating=rating,
                )
                .returning(FEEDBACK.c.id)
            )
            return int(inserted.scalar_one())

    def comment(self, feedback_id: int, comment: str) -> None:
        """Adds the optional comment to a rating, cut to MAX_COMMENT characters."""
        engine = self._check()
        with engine.begin() as db:
            db.execute(
                FEEDBACK.update()
                .where(FEEDBACK.c.id == feedback_id)
                .values(comment=comment.strip()[:MAX_COMMENT], updated=_now())
            )

    def rows(self) -> list[dict[str, Any]]:
        """Every feedback row, oldest first, with citations decoded."""
        engine = self._check()
        with engine.connect() as db:
            found = db.execute(sa.select(FEEDBACK).order_by(FEEDBACK.c.id)).mappings().all()
        return [dict(row) | {"citations": json.loads(row["citations"])} for row in found]


def _create(engine: sa.Engine, attempts: int = 3) -> None:
    """Creates the table unless it exists. Replicas starting together may each find it
    missing and create it at once; the losers' error is then followed by a table that
    exists, so the check is made again before the error counts."""
    for attempt in range(attempts):
        try:
            METADATA.create_all(engine)
            return
        except sa.exc.SQLAlchemyError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def _url(target: Path | str) -> str:
    text = str(target)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def _shown(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def _engine(url: str) -> sa.Engine:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
    database = parsed.database or ""
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": 10})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(connection: Any, record: Any) -> None:
        # WAL lets readers and the writer work at once; FULL makes each commit durable
        # before the rating is acknowledged.
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    return engine


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
