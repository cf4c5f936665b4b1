"""What a failure of the index's storage means for a user, in one line that names the fix."""

from __future__ import annotations

import errno
import logging
from pathlib import Path

from assistant.errors import AssistantError, IndexNotReady

log = logging.getLogger(__name__)

REBUILD = "run `nato-assistant ingest --rebuild`"
# Words in the messages of sqlite3, SQLAlchemy, Chroma and the OS that tell the cases apart.
_FULL = ("database or disk is full", "no space left")
_READ_ONLY = ("readonly database", "read-only", "unable to open database", "permission denied")
_DAMAGED = (
    "malformed",
    "not a database",
    "no such table",
    "no such column",
    "disk i/o error",
    "hnsw",
    "corrupt",
    "codec can't decode",
    "error loading",
    "segment",
    "could not connect to tenant",
)
_FOREIGN = ("does not exist", "collection", "not found")


def explain(exc: BaseException, index_dir: Path) -> AssistantError | None:
    """The failure as an IndexNotReady whose message names the fix, or None if not storage.

    The exceptions it was raised from count too: Chroma's client, failing to open a damaged
    database, raises an AttributeError while cleaning up after the real error.
    """
    seen: list[BaseException] = []
    link: BaseException | None = exc
    while link is not None and link not in seen and len(seen) < 10:
        seen.append(link)
        if explained := _explain_one(link, index_dir):
            return explained
        link = link.__cause__ or link.__context__
    return None


def _explain_one(exc: BaseException, index_dir: Path) -> AssistantError | None:
    if isinstance(exc, AssistantError):
        return exc
    detail = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
    text = f"{type(exc).__name__}: {exc}".lower()
    number = getattr(exc, "errno", None)
    if number == errno.ENOSPC or any(word in text for word in _FULL):
        return IndexNotReady(
            f"The disk holding the index at {index_dir} is full ({detail}): free some space, "
            "or set ASSISTANT_INDEX_DIR to a folder on a disk with room."
        )
    if number in (errno.EROFS, errno.EACCES, errno.EPERM) or any(w in text for w in _READ_ONLY):
        return IndexNotReady(
            f"The index at {index_dir} cannot be opened for writing ({detail}): make the folder "
            "writable, or set ASSISTANT_INDEX_DIR to a writable folder."
        )
    if isinstance(exc, UnicodeDecodeError) or any(word in text for word in _DAMAGED):
        return IndexNotReady(f"The index at {index_dir} is damaged ({detail}): {REBUILD}.")
    if any(word in text for word in _FOREIGN):
        return foreign(index_dir, detail)
    return None


def unusable(exc: BaseException, index_dir: Path) -> AssistantError:
    """explain's answer, or a general one for a failure it does not recognise."""
    if explained := explain(exc, index_dir):
        return explained
    log.warning("The index at %s failed a probe", index_dir, exc_info=exc)
    return IndexNotReady(
        f"The index at {index_dir} cannot answer ({type(exc).__name__}, details in the server "
        f"log): {REBUILD}."
    )


def foreign(index_dir: Path, detail: str) -> IndexNotReady:
    """The folder holds something that is not this assistant's index."""
    return IndexNotReady(
        f"The folder {index_dir} does not hold an index of this assistant ({detail}): "
        f"{REBUILD}, or set ASSISTANT_INDEX_DIR to another folder."
    )
