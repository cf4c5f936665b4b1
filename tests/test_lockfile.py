"""The dependency locks against pyproject.toml: the check CI runs, and what it catches."""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path
from types import ModuleType

import pytest

from assistant.settings import PROJECT_ROOT


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("lockfile", PROJECT_ROOT / "scripts/lockfile.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lockfile = _load()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of pyproject.toml and the two locks."""
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path)
    shutil.copytree(PROJECT_ROOT / "requirements", tmp_path / "requirements")
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def relock_headers(root: Path) -> None:
    """New digests without a new resolution: what editing a lock by hand amounts to."""
    for lock, rel in lockfile.LOCKS.items():
        path = root / rel
        body = re.sub(r"\A(#.*\n)+", "", path.read_text(encoding="utf-8"))
        path.write_text(lockfile.header(root, lock) + body, encoding="utf-8")


def test_the_committed_locks_agree_with_pyproject() -> None:
    assert lockfile.check(PROJECT_ROOT) == []
    runtime = lockfile.pins((PROJECT_ROOT / "requirements/runtime.txt").read_text())
    assert runtime["torch"].endswith("+cpu") and "greenlet" in runtime
    assert "pytest" not in runtime and "pytest" in lockfile.pins(
        (PROJECT_ROOT / "requirements/dev.txt").read_text()
    )


def test_a_changed_dependency_fails_until_relocked(project: Path) -> None:
    edit(project / "pyproject.toml", '"pyyaml>=6.0"', '"pyyaml>=6.0", "polars"')
    assert lockfile.check(project) == [
        f"requirements/{lock}.txt was made from another pyproject.toml: run ./scripts/lock "
        "and commit requirements/"
        for lock in ("runtime", "dev")
    ]
    # Tables other than the dependency lists (tool settings) do not count.
    shutil.copy(PROJECT_ROOT / "pyproject.toml", project)
    edit(project / "pyproject.toml", "line-length = 100", "line-length = 99")
    assert lockfile.check_digests(project) == []


def test_pins_outside_a_range_or_missing_needs_are_caught(project: Path) -> None:
    edit(project / "pyproject.toml", '"numpy>=1.26"', '"numpy>=99"')
    for lock in ("runtime", "dev"):
        text = (project / f"requirements/{lock}.txt").read_text(encoding="utf-8")
        without = re.sub(r"^greenlet==.*?(?=^\S)", "", text, flags=re.MULTILINE | re.DOTALL)
        (project / f"requirements/{lock}.txt").write_text(without, encoding="utf-8")
    relock_headers(project)
    problems = "\n".join(lockfile.check(project))
    assert re.search(r"runtime\.txt pins numpy==\S+, outside numpy>=99", problems)
    # SQLAlchemy's asyncio extra needs greenlet: the gap that broke fresh installs.
    assert "runtime.txt does not pin greenlet" in problems


def test_a_cuda_build_of_torch_is_refused(project: Path) -> None:
    edit(project / "requirements/runtime.txt", "torch==2.13.0+cpu", "torch==2.13.0")
    problems = lockfile.check(project)
    assert any("runtime.txt pins a CUDA build of torch" in p for p in problems), problems
