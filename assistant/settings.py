"""One frozen settings object, read once from ASSISTANT_* variables and CLI options."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import SettingsError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


@dataclass(frozen=True)
class Settings:
    """Everything the assistant can be configured with; defaults live here."""

    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / ".assistant" / "index"
    embedding_model: str = DEFAULT_MODEL
    # Empty means embedded, persistent Chroma in index_dir; a URL means a `chroma run` server.
    chroma_url: str = ""
    # Characters, not tokens: MiniLM truncates at 256 word pieces (~1,000 characters),
    # so 800 keeps a whole chunk inside what the model reads.
    chunk_size: int = 800
    chunk_overlap: int = 120
    top_k: int = 6
    # The answerability probability below which the offline answerer says the sources
    # don't say; None uses the threshold fitted with the weights (docs/answers.md).
    min_evidence: float | None = None
    max_question_chars: int = 1000
    max_file_mb: float = 20.0
    # HTTP request bodies above this are refused (413); a long conversation fits easily.
    max_request_kb: int = 256
    generator: str = "extractive"
    llm_base_url: str = "http://127.0.0.1:11434/v1"
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout: float = 60.0
    llm_max_retries: int = 2
    # Characters, not tokens, because tokenizers differ between servers: 12,000 characters
    # are about 3,000 tokens of English, which leaves room for the answer in a 4k context.
    llm_context_chars: int = 12000
    llm_max_tokens: int = 512
    # Calibrated on tests/data/support_pairs.jsonl: see docs/llm.md.
    support_threshold: float = 0.6
    host: str = "127.0.0.1"
    port: int = 7860
    root_path: str = ""
    allowed_origins: tuple[str, ...] = ()
    api_keys: tuple[str, ...] = field(default=(), repr=False)
    users: tuple[str, ...] = field(default=(), repr=False)
    trusted_header: str = ""
    # Where feedback is stored: a SQLAlchemy URL (postgresql+psycopg://... for several
    # replicas) or a file path for SQLite; empty means feedback.sqlite3 beside the index.
    feedback_db: str = ""
    # Signs sign-in cookies; every replica needs the same one (required with replicas > 1).
    session_secret: str = field(default="", repr=False)
    # Web server processes behind one load balancer: more than one needs a shared session
    # secret and a feedback database that is not a local file.
    replicas: int = 1
    # Questions one API key, user or address may ask (moving window; empty: no limit), and
    # sign-in attempts per user and per address before further ones wait.
    rate_limit: str = "120/minute;20/second"
    login_limit: str = "5/minute;20/hour"
    # "text" or "json" (one JSON object per line, for log collectors).
    log_format: str = "text"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Reads ASSISTANT_<FIELD> variables, then applies non-None overrides."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(f"ASSISTANT_{f.name.upper()}")
            if raw is not None and raw.strip() != "":
                values[f.name] = _parse(f.name, str(f.type), raw.strip())
        for name, value in overrides.items():
            if value is None:
                continue
            if name not in {f.name for f in dataclasses.fields(cls)}:
                raise SettingsError(f"Unknown setting {name!r}.")
            values[name] = value
        return cls(**values).checked()

    def replace(self, **changes: Any) -> Settings:
        """Returns a copy with some fields changed."""
        return dataclasses.replace(self, **changes).checked()

    def checked(self) -> Settings:
        """Raises SettingsError when values contradict each other or are out of range."""
        if self.chunk_size < 100:
            raise SettingsError("ASSISTANT_CHUNK_SIZE must be at least 100 characters.")
        if not 0 <= self.chunk_overlap < self.chunk_size:
            raise SettingsError(
                "ASSISTANT_CHUNK_OVERLAP must be at least 0 and below ASSISTANT_CHUNK_SIZE."
            )
        if not 1 <= self.top_k <= 50:
            raise SettingsError("ASSISTANT_TOP_K must be between 1 and 50.")
        if not 1 <= self.port <= 65535:
            raise SettingsError("ASSISTANT_PORT must be between 1 and 65535.")
        if self.llm_context_chars < 2000:
            raise SettingsError("ASSISTANT_LLM_CONTEXT_CHARS must be at least 2000 characters.")
        if self.llm_timeout <= 0 or self.llm_max_retries < 0 or self.llm_max_tokens < 1:
            raise SettingsError(
                "ASSISTANT_LLM_TIMEOUT and ASSISTANT_LLM_MAX_TOKENS must be positive and "
                "ASSISTANT_LLM_MAX_RETRIES at least 0."
            )
        if self.min_evidence is not None and not 0 <= self.min_evidence <= 1:
            raise SettingsError("ASSISTANT_MIN_EVIDENCE must be between 0 and 1.")
        if not 0 <= self.support_threshold <= 1:
            raise SettingsError("ASSISTANT_SUPPORT_THRESHOLD must be between 0 and 1.")
        for user in self.users:
            if ":" not in user:
                raise SettingsError("ASSISTANT_USERS takes user:password pairs, comma-separated.")
        for origin in self.allowed_origins:
            if not re.fullmatch(r"https?://[^/\s*]+", origin):
                raise SettingsError(
                    f"ASSISTANT_ALLOWED_ORIGINS takes origins such as https://intranet.example.org "
                    f"(scheme, host and port, no path or wildcard), not {origin!r}."
                )
        if self.root_path and not re.fullmatch(r"(/[^/\s]+)+", self.root_path):
            raise SettingsError(
                f"ASSISTANT_ROOT_PATH={self.root_path!r} must start with / and not end with one, "
                "for example /assistant."
            )
        from assistant.ratelimit import parse

        parse(self.rate_limit, "ASSISTANT_RATE_LIMIT")
        parse(self.login_limit, "ASSISTANT_LOGIN_LIMIT")
        if self.log_format not in ("text", "json"):
            raise SettingsError(f"ASSISTANT_LOG_FORMAT={self.log_format!r}: choose text or json.")
        if self.replicas < 1:
            raise SettingsError("ASSISTANT_REPLICAS must be at least 1.")
        if self.replicas > 1 and len(self.session_secret) < 16:
            raise SettingsError(
                "ASSISTANT_REPLICAS > 1 needs ASSISTANT_SESSION_SECRET, the same on every "
                "replica and at least 16 characters (for example the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`), so a "
                "sign-in on one replica is accepted by the others."
            )
        if self.replicas > 1 and self.feedback_url.startswith("sqlite"):
            raise SettingsError(
                "ASSISTANT_REPLICAS > 1 needs ASSISTANT_FEEDBACK_DB to name a database "
                "server every replica reaches, for example "
                "postgresql+psycopg://assistant@db.example.org/assistant."
            )
        if self.max_request_kb < 1:
            raise SettingsError("ASSISTANT_MAX_REQUEST_KB must be at least 1.")
        return self

    @property
    def feedback_url(self) -> str:
        """Where feedback is stored, as a SQLAlchemy URL: the setting, or beside the index."""
        target = str(self.feedback_db or self.index_dir / "feedback.sqlite3")
        if "://" in target:
            return target
        return f"sqlite:///{Path(target).expanduser().resolve()}"


def _parse(name: str, kind: str, raw: str) -> Any:
    var = f"ASSISTANT_{name.upper()}"
    try:
        if kind == "int":
            return int(raw)
        if kind in ("float", "float | None"):
            return float(raw)
        if kind in ("Path", "Path | None"):
            return Path(raw).expanduser()
        if kind.startswith("tuple"):
            return tuple(part.strip() for part in raw.split(",") if part.strip())
    except ValueError:
        raise SettingsError(f"{var}={raw!r} is not a valid {kind}.") from None
    return raw
