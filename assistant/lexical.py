"""The lexical index: BM25 over every chunk, persisted in SQLite FTS5 beside the Chroma index
and kept in step with it incrementally (only added and removed chunks are written)."""

from __future__ import annotations

import json
import math
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.documents import Document

from assistant import chunking, text

if TYPE_CHECKING:
    from assistant.retrieval import Filters

FILE = "lexical.sqlite3"
# Okapi BM25 as rank_bm25 computes it (the project's earlier lexical index), so scores keep
# their meaning: terms in more than half the chunks weigh EPSILON times the average idf.
K1 = 1.5
B = 0.75
EPSILON = 0.25
# FTS5 ranks with its own BM25, which weighs such common terms next to nothing. Up to
# EXACT chunks every match is scored as above (the same ranking as rank_bm25); in larger
# indexes FTS5's best CANDIDATES are, which keeps a question's cost bounded.
EXACT = 5_000
CANDIDATES = 300
# In larger indexes candidates are found by the query's rarer terms only (those in at most
# this share of chunks) when it has any: the long lists of common terms are what makes an
# FTS5 query slow, and their weight is small; candidates are still scored on every term.
COMMON = 0.05
# Chunks read from Chroma per request: large enough to be quick, small enough to stay under
# SQLite's limit on variables in one statement (the whole collection at once fails at ~30k).
PAGE = 2000
SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    meta TEXT NOT NULL,
    source TEXT NOT NULL,
    date_ord INTEGER NOT NULL,
    length INTEGER NOT NULL,
    words TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_source ON chunks (source);
CREATE VIRTUAL TABLE IF NOT EXISTS terms USING fts5 (words, tokenize = 'ascii');
CREATE VIRTUAL TABLE IF NOT EXISTS vocabulary USING fts5vocab (terms, 'row');
CREATE TABLE IF NOT EXISTS stamp (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def encode(term: str) -> str:
    """A stemmed term as one FTS5 token: hex keeps every term (digits, accents, apostrophes)
    whole, so FTS5 counts exactly the terms `assistant.text.terms` produced."""
    return "t" + term.encode().hex()


@dataclass(frozen=True)
class SyncReport:
    """What one sync wrote: chunks added and removed, and how long it took."""

    added: int
    removed: int
    chunks: int
    seconds: float


class Lexical:
    """BM25 search and the term statistics answering needs, read from the SQLite index."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._df: dict[str, int] = {}
        self._vocabulary: dict[int, list[str]] | None = None
        db = self._db()
        db.executescript(SCHEMA)
        if self._stamp(db, "terms") != str(text.TERMS_VERSION):
            self._restamp(db)
        self.refresh()

    # ----- connections ---------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        """One connection per thread: readers run in parallel, SQLite releases the GIL."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._open()
            self._local.db = db
        return db

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    @staticmethod
    def _restamp(db: sqlite3.Connection) -> None:
        """Stamps the index with the terms version; an index of an earlier layout, or of
        terms stemmed another way, is emptied first, and the next sync refills it."""
        db.execute("BEGIN IMMEDIATE")
        try:
            if Lexical._stamp(db, "terms") == str(text.TERMS_VERSION):
                db.execute("COMMIT")  # another process restamped it first
                return
            columns = {row[1] for row in db.execute("PRAGMA table_info(chunks)")}
            held = db.execute("SELECT count(*) FROM chunks").fetchone()[0]
            if "words" not in columns or held:
                for table in ("vocabulary", "terms", "chunks", "stamp"):
                    db.execute(f"DROP TABLE {table}")
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
            db.execute(
                "INSERT OR REPLACE INTO stamp VALUES ('terms', ?)", (str(text.TERMS_VERSION),)
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    @staticmethod
    def _stamp(db: sqlite3.Connection, key: str) -> str | None:
        row = db.execute("SELECT value FROM stamp WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # ----- reading -------------------------------------------------------------
    def df(self, term: str) -> int:
        """How many chunks hold the term."""
        cached = self._df.get(term)
        if cached is None:
            row = (
                self._db()
                .execute("SELECT doc FROM vocabulary WHERE term = ?", (encode(term),))
                .fetchone()
            )
            cached = int(row[0]) if row else 0
            if len(self._df) > 200_000:  # bounded: questions can bring any words
                self._df.clear()
            self._df[term] = cached
        return cached

    def idf(self, term: str) -> float:
        """Inverse document frequency; a term absent from the corpus weighs the most."""
        df = self.df(term)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def search(self, query: str, k: int, filters: Filters) -> list[tuple[Document, float]]:
        """The k chunks that best match the query by BM25 (higher is better), within filters."""
        asked = text.terms(query)
        if not asked or not self.n:
            return []
        exact = self.n <= EXACT
        rare = [t for t in asked if self.df(t) <= COMMON * self.n]
        words = sorted({encode(t) for t in (asked if exact or not rare else rare)})
        where, params = _where(filters)
        limit = -1 if exact else max(k, CANDIDATES)
        if where:  # filters apply before the limit
            sql = (
                "SELECT c.id, c.body, c.meta, c.words FROM terms "
                f"JOIN chunks c ON c.rowid = terms.rowid WHERE terms MATCH ? {where} "
                "ORDER BY rank LIMIT ?"
            )
        else:  # the best rows first, then only their chunks are read
            sql = (
                "SELECT c.id, c.body, c.meta, c.words FROM (SELECT rowid FROM terms "
                "WHERE terms MATCH ? ORDER BY rank LIMIT ?) AS top "
                "JOIN chunks c ON c.rowid = top.rowid"
            )
            params = []
        match = " OR ".join(words)
        args = (match, *params, limit) if where else (match, limit)
        rows = self._db().execute(sql, args).fetchall()
        weights = [(encode(t), self._weight(t)) for t in asked]
        scored = []
        for cid, body, meta, held in rows:
            tokens = held.split()
            counts = Counter(tokens)
            norm = K1 * (1 - B + B * len(tokens) / (self.avgdl or 1.0))
            score = sum(w * counts[t] * (K1 + 1) / (counts[t] + norm) for t, w in weights)
            if score > 0:
                doc = Document(page_content=body, metadata=json.loads(meta), id=cid)
                scored.append((doc, score))
        scored.sort(key=lambda hit: -hit[1])
        return scored[:k]

    def _weight(self, term: str) -> float:
        df = self.df(term)
        value = math.log((self.n - df + 0.5) / (df + 0.5))
        return value if value >= 0 else EPSILON * self.average_idf

    def vocabulary(self) -> dict[int, list[str]]:
        """The indexed terms by length, read once per index generation (for spelling)."""
        cached = self._vocabulary
        if cached is None:
            cached = {}
            for (encoded,) in self._db().execute("SELECT term FROM vocabulary"):
                try:
                    term = bytes.fromhex(str(encoded)[1:]).decode()
                except ValueError:
                    continue
                if term.isalpha():
                    cached.setdefault(len(term), []).append(term)
            self._vocabulary = cached
        return cached

    def sources(self) -> dict[str, str]:
        """Each indexed source with its title."""
        rows = self._db().execute(
            "SELECT source, json_extract(meta, '$.title') FROM chunks GROUP BY source"
        )
        return {str(source): str(title or source) for source, title in rows}

    # ----- writing -------------------------------------------------------------
    def sync(self, collection: Any, generation: int | None = None) -> SyncReport:
        """Brings the index in step with a Chroma collection: adds the chunks it lacks and
        removes those Chroma no longer holds, reading Chroma a page at a time."""
        started = time.perf_counter()
        wanted: set[str] = set()
        for page in pages(collection, []):
            wanted.update(page["ids"])
        db = self._db()
        db.execute("BEGIN IMMEDIATE")  # one writer at a time; readers see the old state
        try:
            held = {row[0] for row in db.execute("SELECT id FROM chunks")}
            gone = sorted(held - wanted)
            missing = sorted(wanted - held)
            for i in range(0, len(gone), 500):
                ids = gone[i : i + 500]
                marks = ",".join("?" * len(ids))
                db.execute(
                    f"DELETE FROM terms WHERE rowid IN (SELECT rowid FROM chunks "
                    f"WHERE id IN ({marks}))",
                    ids,
                )
                db.execute(f"DELETE FROM chunks WHERE id IN ({marks})", ids)
            for i in range(0, len(missing), PAGE):
                got = collection.get(ids=missing[i : i + PAGE], include=["documents", "metadatas"])
                for cid, body, meta in zip(
                    got["ids"], got["documents"], got["metadatas"], strict=False
                ):
                    self._insert(db, cid, body or "", dict(meta or {}))
            self._write_statistics(db)
            if generation is not None:
                db.execute(
                    "INSERT OR REPLACE INTO stamp VALUES ('generation', ?)", (str(generation),)
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self.refresh()
        return SyncReport(len(missing), len(gone), self.n, round(time.perf_counter() - started, 3))

    @staticmethod
    def _insert(db: sqlite3.Connection, cid: str, body: str, meta: dict[str, Any]) -> None:
        words = [encode(t) for t in text.terms(body)]
        cursor = db.execute(
            "INSERT INTO chunks (id, body, meta, source, date_ord, length, words) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                cid,
                body,
                json.dumps(meta, ensure_ascii=False),
                str(meta.get("source", "")),
                int(meta.get("date_ord") or 0),
                len(words),
                " ".join(words),
            ),
        )
        db.execute(
            "INSERT INTO terms (rowid, words) VALUES (?, ?)", (cursor.lastrowid, " ".join(words))
        )

    @staticmethod
    def _write_statistics(db: sqlite3.Connection) -> None:
        """Stores what scoring needs of the whole index: mean length and mean raw idf."""
        n, avgdl = db.execute("SELECT count(*), avg(length) FROM chunks").fetchone()
        total, terms = db.execute(
            "SELECT sum(ln((? - doc + 0.5) / (doc + 0.5))), count(*) FROM vocabulary", (n,)
        ).fetchone()
        stats = {"avgdl": avgdl or 0.0, "average_idf": (total or 0.0) / (terms or 1)}
        db.execute("INSERT OR REPLACE INTO stamp VALUES ('statistics', ?)", (json.dumps(stats),))

    def refresh(self) -> None:
        """Re-reads the chunk count, statistics and generation after an ingest wrote them."""
        db = self._db()
        self.n = int(db.execute("SELECT count(*) FROM chunks").fetchone()[0])
        self.generation = int(self._stamp(db, "generation") or 0)
        stats = json.loads(self._stamp(db, "statistics") or "{}")
        self.avgdl = float(stats.get("avgdl", 0.0))
        self.average_idf = float(stats.get("average_idf", 0.0))
        self._df = {}
        self._vocabulary = None


def _where(filters: Filters) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if filters.sources:
        clauses.append(f"c.source IN ({','.join('?' * len(filters.sources))})")
        params.extend(filters.sources)
    if filters.date_from:
        clauses.append("c.date_ord >= ?")
        params.append(chunking.date_ord(filters.date_from))
    if filters.date_to:
        clauses.append("c.date_ord > 0 AND c.date_ord <= ?")
        params.append(chunking.date_ord(filters.date_to))
    return "".join(f" AND {c}" for c in clauses), params


def pages(collection: Any, include: list[str]) -> Iterator[dict[str, Any]]:
    """A Chroma collection's records a page at a time (all at once overflows SQLite)."""
    offset = 0
    while True:
        page = collection.get(limit=PAGE, offset=offset, include=include)
        if not page["ids"]:
            return
        yield page
        offset += len(page["ids"])
