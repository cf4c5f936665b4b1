"""Whether the assistant can answer yet: a server builds a missing index in the background."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant import storage
from assistant.errors import AssistantError, IndexNotReady

if TYPE_CHECKING:
    from assistant.index import Progress
    from assistant.pipeline import Assistant


#: Seconds a passed probe is trusted, so a busy server does not probe for every question.
PROBE_SECONDS = 5.0


class Readiness:
    """Whether a question can be answered now: tracks a first index build, and probes the
    index (the store opens, a query runs, the lexical index loads) before saying ready."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.probed = 0.0  # when the last probe passed (time.monotonic)
        self.building = False
        self.done = 0
        self.total = 0
        self.error = ""
        self._lock = threading.Lock()

    def start(
        self,
        progress: Progress | None = None,
        on_ready: Callable[[], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> threading.Thread | None:
        """Builds the index in a background thread if there is none; returns the thread.

        on_ready runs once the index can answer (at once when it already exists); on_error
        gets the one-line message the chat and health show when the build fails.
        """
        if self.assistant.index.exists():
            if on_ready:
                threading.Thread(target=on_ready, name="warm-up", daemon=True).start()
            return None
        with self._lock:
            self.building, self.done, self.total, self.error = True, 0, 0, ""
        thread = threading.Thread(
            target=self._build,
            args=(progress, on_ready, on_error),
            name="index-build",
            daemon=True,
        )
        thread.start()
        return thread

    def _build(
        self,
        progress: Progress | None,
        on_ready: Callable[[], None] | None,
        on_error: Callable[[str], None] | None,
    ) -> None:
        def update(done: int, total: int) -> None:
            self.done, self.total = done, total
            if progress:
                progress(done, total)

        try:
            self.assistant.ingest(progress=update)
        except Exception as exc:
            with self._lock:
                self.error = _failure(exc, self.assistant.index.dir)
        finally:
            with self._lock:
                self.building = False
        if self.error:
            if on_error:
                on_error(self.error)
        elif on_ready:
            on_ready()

    def check(self) -> None:
        """Raises IndexNotReady (or the index's own error) unless questions can be answered."""
        with self._lock:
            building, done, total, error = self.building, self.done, self.total, self.error
        if building:
            progress = f" ({done:,} of {total:,} passages embedded)" if total else ""
            raise IndexNotReady(f"The index is being built{progress}: try again in a minute.")
        if error:
            raise IndexNotReady(error)
        if time.monotonic() - self.probed < PROBE_SECONDS:
            return
        self.probe()
        self.probed = time.monotonic()

    def probe(self) -> None:
        """Raises IndexNotReady, naming the fix, unless the index answers a query now."""
        index = self.assistant.index
        index.probe()
        try:
            lexical = self.assistant.retriever.lexical
        except Exception as exc:
            raise storage.unusable(exc, index.dir) from None
        if index.meta().get("documents") and not lexical.n:
            raise IndexNotReady(f"The lexical index of {index.dir} is empty: {storage.REBUILD}.")

    def to_dict(self) -> dict[str, Any]:
        """The state for the health endpoint: status, message and build progress."""
        try:
            self.check()
        except AssistantError as exc:
            status = "building" if self.building else "unavailable"
            return {
                "status": status,
                "message": str(exc),
                "progress": {"done": self.done, "total": self.total},
            }
        # The generation this replica answers from: after an ingest, every replica behind a
        # load balancer should show the new number within one question or health check.
        return {
            "status": "ok",
            "message": "Ready to answer questions.",
            "generation": self.assistant.retriever.generation,
        }


def _failure(exc: Exception, index_dir: Path) -> str:
    """One line: what failed and what to do about it."""
    explained = storage.explain(exc, index_dir)
    if explained:
        cause, fix = str(explained), "then restart the server"
    elif isinstance(exc, ImportError):
        cause = f"{type(exc).__name__}: {exc}"
        fix = "a package is missing: run ./scripts/setup (it installs the locked set), then "
        fix += "restart the server"
    else:
        cause = str(exc) if isinstance(exc, AssistantError) else f"{type(exc).__name__}: {exc}"
        fix = "fix the cause and restart the server (`nato-assistant ingest` shows the details)"
    return " ".join(f"Building the index failed ({cause}): {fix}.".split())
