"""Shared fixtures: the real embedding model, real Chroma in temp dirs, no ASSISTANT_* leaks."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant import Assistant, Settings, build_assistant
from assistant.settings import PROJECT_ROOT

CORPUS = PROJECT_ROOT / "corpus"
DEV_SET = Path(__file__).parent / "data" / "nato_dev.jsonl"

for _name in [n for n in os.environ if n.startswith("ASSISTANT_")]:
    del os.environ[_name]
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


@pytest.fixture(autouse=True)
def _no_assistant_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("ASSISTANT_")]:
        monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def nato_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for the project's corpus, indexed into a temp dir once per test session."""
    return Settings(corpus_dir=CORPUS, index_dir=tmp_path_factory.mktemp("nato") / "index")


@pytest.fixture(scope="session")
def nato(nato_settings: Settings) -> Assistant:
    """An assistant over the real corpus, already ingested. Tests must not change it."""
    assistant = build_assistant(nato_settings)
    assistant.ingest()
    return assistant


@pytest.fixture
def make_corpus(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Settings]:
    """Writes files into a fresh corpus dir and returns settings with a fresh index dir."""

    def make(files: dict[str, str | bytes]) -> Settings:
        corpus = tmp_path / "corpus"
        corpus.mkdir(exist_ok=True)
        for name, content in files.items():
            path = corpus / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return Settings(corpus_dir=corpus, index_dir=tmp_path / "index")

    return make


@pytest.fixture
def tmp_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    yield tmp_path
