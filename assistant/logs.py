"""Log lines of bounded length, as text or JSON lines, each with its request's id."""

from __future__ import annotations

import io
import json
import logging
import re
import time
from contextvars import ContextVar
from typing import Any, TextIO

#: Characters of a message kept in the log; a request body quoted in an error stops here.
MAX_MESSAGE = 2000
#: Characters of a traceback kept (its end, where the cause is).
MAX_TRACEBACK = 8000
FORMATS = ("text", "json")

#: The id of the request being handled, for every line logged while handling it.
request_id: ContextVar[str] = ContextVar("request_id", default="")


def bound(text: str, limit: int = MAX_MESSAGE, keep_end: bool = False) -> str:
    """The text cut to limit characters, saying how much was cut."""
    if len(text) <= limit:
        return text
    cut = f" … [{len(text) - limit:,} characters cut] … "
    return cut + text[-limit:] if keep_end else text[:limit] + cut


class BoundedFormatter(logging.Formatter):
    """Plain text lines; messages and tracebacks cut to a bounded length."""

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord(record.__dict__)
        record.msg, record.args = bound(record.getMessage()), None
        rid = request_id.get()
        if rid:
            record.msg = f"{record.msg} [request {rid}]"
        return super().format(record)

    def formatException(self, ei: Any) -> str:
        return bound(super().formatException(ei), MAX_TRACEBACK, keep_end=True)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, fields."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": bound(record.getMessage()),
        }
        rid = request_id.get()
        if rid:
            data["request_id"] = rid
        data.update(getattr(record, "fields", {}))
        if record.exc_info:
            data["error"] = bound(self.formatException(record.exc_info), MAX_TRACEBACK, True)
        return json.dumps(data, ensure_ascii=False, default=str)


def config(log_format: str = "text", level: str = "INFO") -> dict[str, Any]:
    """A logging.config.dictConfig for the server and uvicorn: one handler on stderr."""
    formatter = {
        "()": f"{__name__}.{'JsonFormatter' if log_format == 'json' else 'BoundedFormatter'}",
        "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
    }
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "default",
        "stream": "ext://sys.stderr",
    }
    quiet = {"level": level, "handlers": ["default"], "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {"default": handler},
        "root": {"level": level, "handlers": ["default"]},
        "loggers": {name: quiet for name in ("uvicorn", "uvicorn.error", "uvicorn.access")},
    }


class BoundedStream(io.TextIOBase):
    """A text stream that cuts every line written through it to MAX_MESSAGE characters.

    Libraries that print tracebacks themselves (Gradio quotes a request's inputs in
    them) write to sys.stderr, past any logging formatter: this bounds them too.
    """

    def __init__(self, stream: TextIO, limit: int = MAX_MESSAGE) -> None:
        self.stream = stream
        self.limit = limit
        self.column = 0
        self.cut = False

    def write(self, text: str) -> int:
        out: list[str] = []
        for piece in re.split(r"(\n)", text):
            if piece == "\n":
                out.append(piece)
                self.column, self.cut = 0, False
                continue
            room = self.limit - self.column
            out.append(piece[: max(room, 0)])
            self.column += len(piece)
            if len(piece) > room and not self.cut:
                out.append(" … [cut]")
                self.cut = True
        self.stream.write("".join(out))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()
