"""What the command line and the server print: progress, the ingestion summary, answers."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from assistant.index import IngestReport
    from assistant.pipeline import Assistant
    from assistant.schema import Answer

# Without a terminal (a log file, CI, a service manager) a line this often, and at the end.
EVERY_S = 5.0


def progress(
    desc: str = "Embedding", unit: str = "chunk", stream: TextIO | None = None
) -> Callable[[int, int], None]:
    """Progress of (done, total): a tqdm bar on a terminal, else a plain line every few
    seconds with the rate and the time left, so logs show it too."""
    out = stream or sys.stderr
    if out.isatty():
        return _bar(desc, unit, out)
    started = time.monotonic()
    last = [-EVERY_S]

    def update(done: int, total: int) -> None:
        now = time.monotonic() - started
        if done < total and now - last[0] < EVERY_S:
            return
        last[0] = now
        rate = done / now if now > 0 else 0.0
        line = f"{desc}: {done:,}/{total:,} {unit}s ({done / max(total, 1):.0%})"
        if done >= total:
            line += f" in {now:.1f} s"
        if done and rate:
            line += f", {rate:.1f} {unit}s/s"
            if done < total:
                line += f", about {_duration((total - done) / rate)} left"
        print(line, file=out, flush=True)

    return update


def _bar(desc: str, unit: str, out: TextIO) -> Callable[[int, int], None]:
    from tqdm import tqdm

    bar: list[Any] = []

    def update(done: int, total: int) -> None:
        if not bar:
            bar.append(tqdm(total=total, desc=desc, unit=unit, file=out, leave=False))
        bar[0].update(done - bar[0].n)
        if done >= total:
            bar[0].close()

    return update


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def show_library_messages() -> None:
    """Prints the library's own INFO messages (what is being indexed) on stderr."""
    logger = logging.getLogger("assistant")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def summary(report: IngestReport) -> str:
    """The ingestion report in a few readable lines."""
    lines = [
        f"{len(report.added)} added, {len(report.updated)} updated, {len(report.removed)} "
        f"removed, {len(report.unchanged)} unchanged; {report.embedded} chunks embedded, "
        f"{report.deleted_chunks} removed, {report.chunks} in the index ({report.seconds:.1f} s)."
    ]
    if report.skipped:
        lines.append(f"Skipped {len(report.skipped)} file(s):")
        lines += [f"  {s.source}: {s.reason}" for s in report.skipped]
    return "\n".join(lines)


def render(answer: Answer) -> str:
    """An answer with its numbered sources, for the terminal."""
    lines = [answer.answer]
    if answer.citations:
        lines.append("\nSources:")
        for c in answer.citations:
            date = f", {c.passage.date}" if c.passage.date else ""
            lines.append(f"[{c.n}] {c.passage.title}{date} ({c.passage.source})")
            lines.append(f"    “{c.quote}”")
    if answer.fallback:
        lines.append(f"\nNote: {answer.fallback}")
    return "\n".join(lines)


def ready(assistant: Assistant) -> Assistant:
    """Builds the index on first use, so a fresh checkout answers straight away."""
    if not assistant.index.exists():
        corpus = assistant.settings.corpus_dir
        print(f"No index at {assistant.index.dir} yet: building it from {corpus}.", file=sys.stderr)
        report = assistant.ingest(progress=progress("Building the index"))
        print(summary(report), file=sys.stderr)
    # A damaged, foreign or emptied index is named with its fix before any question.
    assistant.index.probe()
    return assistant
