"""The dependency locks, requirements/runtime.txt and requirements/dev.txt, against pyproject.toml.

    python scripts/lockfile.py check            # CI: the locks agree with pyproject.toml
    python scripts/lockfile.py check --digest   # only the header digests (stdlib, no venv)
    python scripts/lockfile.py header runtime   # the header ./scripts/lock writes
    python scripts/lockfile.py build-requires   # pyproject.toml's build-system.requires

Each lock's header records a digest of the pyproject.toml lists it was made from, so a
changed dependency fails CI until ./scripts/lock has run. The check never resolves
anything: it reads the two files, so it gives the same verdict next month as today.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
LOCKS = {"runtime": "requirements/runtime.txt", "dev": "requirements/dev.txt"}
DIGEST = re.compile(r"^# pyproject-digest: sha256:([0-9a-f]{64})$", re.MULTILINE)
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)(?:\s*;.*?)?\s*\\?$", re.MULTILINE)
RELOCK = "run ./scripts/lock and commit requirements/"


def requirements(root: Path, lock: str) -> list[str]:
    """The pyproject.toml requirements a lock is made from: the project's and its build
    backend's (setup installs the project without build isolation), plus the dev group."""
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    reqs = list(data["project"]["dependencies"]) + build_requires(root)
    if lock == "dev":
        reqs += data.get("dependency-groups", {}).get("dev", [])
    return reqs


def build_requires(root: Path) -> list[str]:
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    return list(data.get("build-system", {}).get("requires", []))


def digest(root: Path, lock: str) -> str:
    """A digest of the requirements and Python range a lock is made from (order-blind)."""
    data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    basis = {
        "requires-python": data["project"].get("requires-python", ""),
        "requirements": sorted(" ".join(r.split()) for r in requirements(root, lock)),
    }
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()


def header(root: Path, lock: str) -> str:
    extra = " and its dev group" if lock == "dev" else ""
    return (
        f"# Exact versions, with hashes, of pyproject.toml's dependencies{extra}.\n"
        "# Made by ./scripts/lock (uv pip compile); scripts/setup installs from it.\n"
        "# Do not edit: change pyproject.toml, then run ./scripts/lock.\n"
        f"# pyproject-digest: sha256:{digest(root, lock)}\n"
    )


def pins(text: str) -> dict[str, str]:
    """Package name (normalised) -> pinned version."""
    return {_norm(name): version for name, version in PIN.findall(text)}


def check_digests(root: Path) -> list[str]:
    """Problems with the locks' headers: missing files or a pyproject.toml changed since."""
    problems = []
    for lock, rel in LOCKS.items():
        path = root / rel
        if not path.exists():
            problems.append(f"{rel} is missing: {RELOCK}")
            continue
        found = DIGEST.search(path.read_text(encoding="utf-8"))
        if not found or found.group(1) != digest(root, lock):
            problems.append(f"{rel} was made from another pyproject.toml: {RELOCK}")
    return problems


def check(root: Path) -> list[str]:
    """Every problem that makes a lock disagree with pyproject.toml; empty when they agree."""
    from packaging.requirements import Requirement
    from packaging.version import Version

    problems = check_digests(root)
    if problems:
        return problems
    locked = {lock: pins((root / rel).read_text(encoding="utf-8")) for lock, rel in LOCKS.items()}
    for lock, rel in LOCKS.items():
        pinned = locked[lock]
        for req in _walk([Requirement(r) for r in requirements(root, lock)], pinned):
            version = pinned.get(_norm(req.name))
            if version is None:
                problems.append(f"{rel} does not pin {req.name} ({req}): {RELOCK}")
            elif not req.specifier.contains(Version(version), prereleases=True):
                problems.append(f"{rel} pins {req.name}=={version}, outside {req}: {RELOCK}")
        cuda = sorted(n for n in pinned if n.startswith(("nvidia-", "triton", "cuda-")))
        if cuda or "+cpu" not in pinned.get("torch", "+cpu"):
            problems.append(f"{rel} pins a CUDA build of torch ({', '.join(cuda)}): {RELOCK}")
    for name, version in locked["runtime"].items():
        if locked["dev"].get(name) != version:
            problems.append(
                f"requirements/dev.txt pins {name} at {locked['dev'].get(name)}, the runtime "
                f"lock at {version}: {RELOCK}"
            )
    return list(dict.fromkeys(problems))


def _walk(roots: list[Requirement], pinned: dict[str, str]) -> list[Requirement]:
    """The requirements and, where the installed metadata matches the pin, theirs in turn,
    with markers and extras applied: a lock must pin everything its packages need."""
    from packaging.requirements import Requirement

    needed: list[Requirement] = []
    todo = [(req, frozenset[str]()) for req in roots]
    done: set[tuple[str, frozenset[str]]] = set()
    while todo:
        req, extras = todo.pop()
        if req.marker and not any(req.marker.evaluate({"extra": e}) for e in extras or {""}):
            continue
        needed.append(req)
        name = _norm(req.name)
        if (name, frozenset(req.extras)) in done:
            continue
        done.add((name, frozenset(req.extras)))
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            continue
        if dist.version != pinned.get(name):
            continue  # installed at another version: its own needs are not known here
        todo += [(Requirement(r), frozenset(req.extras)) for r in dist.requires or []]
    return needed


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main(argv: list[str]) -> int:
    if argv[:1] == ["header"] and len(argv) == 2 and argv[1] in LOCKS:
        sys.stdout.write(header(ROOT, argv[1]))
        return 0
    if argv == ["build-requires"]:
        print("\n".join(build_requires(ROOT)))
        return 0
    if argv[:1] == ["check"]:
        problems = check_digests(ROOT) if "--digest" in argv else check(ROOT)
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1 if problems else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
