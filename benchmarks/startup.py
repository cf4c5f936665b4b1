"""Cold start: a one-shot `nato-assistant ask`, and `serve` until it answers, with an index.

    .venv/bin/python benchmarks/startup.py [--runs 3] [--against main]

Each run is a fresh process of the real command line against an index built beforehand
(not timed). Prints wall and CPU seconds against the goals, then where the time of a
one-shot `ask` goes: import time by package (`python -X importtime`) and the rest. With
--against REF, that commit's code is measured the same way in the same run, with the same
packages, for a before/after table (timings on a shared machine vary from minute to minute,
so compare only within one run).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "How many times has Article 4 been invoked?"
GOALS = {"ask": 5.0, "serve": 10.0}


@dataclass
class Tree:
    """A checkout whose code is measured: its folder and an index built with it."""

    label: str
    path: Path
    index: Path
    times: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
        env.update(
            PYTHONPATH=str(self.path),
            ASSISTANT_INDEX_DIR=str(self.index),
            ASSISTANT_CORPUS_DIR=str(self.path / "corpus"),
        )
        return env

    def command(self, *args: str) -> list[str]:
        # Run from the tree's folder: `-m` puts the working directory first on the path.
        return [sys.executable, "-m", "assistant", *args]


def checkout(ref: str, into: Path) -> Path:
    """The files of a commit (no git worktree is left behind)."""
    into.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(run: Callable[[], None]) -> tuple[float, float]:
    """Wall and CPU seconds of child processes started by run."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    run()
    return time.perf_counter() - wall, cpu_seconds() - cpu


def ask_once(tree: Tree) -> None:
    out = subprocess.run(
        tree.command("ask", QUESTION, "--json"),
        env=tree.env(),
        cwd=tree.path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    answer = json.loads(out)
    assert not answer["refused"] and answer["citations"], answer


def help_once(tree: Tree) -> None:
    subprocess.run(
        tree.command("--help"), env=tree.env(), cwd=tree.path, check=True, capture_output=True
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_once(tree: Tree, marks: dict[str, float]) -> None:
    """Starts serve and returns once /api/ask has answered; marks when health said 200."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    server = subprocess.Popen(
        tree.command("serve", "--port", str(port)),
        env=tree.env(),
        cwd=tree.path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while not _get(base + "/api/health"):
            if server.poll() is not None:
                raise RuntimeError(f"serve exited with {server.returncode}")
            time.sleep(0.05)
        marks["health"] = time.perf_counter() - started
        body = json.dumps({"question": QUESTION}).encode()
        request = urllib.request.Request(
            base + "/api/ask", body, {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=120) as response:
            assert json.load(response)["citations"]
    finally:
        server.terminate()
        server.wait(timeout=30)


def _get(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def measure(tree: Tree, runs: int) -> None:
    subprocess.run(
        tree.command("ingest"), env=tree.env(), cwd=tree.path, check=True, capture_output=True
    )
    ask_once(tree)  # first run after ingestion: let the OS cache the files
    marks: dict[str, float] = {}
    for _ in range(runs):
        tree.times.setdefault("help", []).append(timed(lambda: help_once(tree)))
        tree.times.setdefault("ask", []).append(timed(lambda: ask_once(tree)))
        tree.times.setdefault("serve", []).append(timed(lambda: serve_once(tree, marks)))
        tree.times.setdefault("health", []).append((marks["health"], float("nan")))


@dataclass
class Breakdown:
    """Where one `ask` spends its time: imports by package, retrieval, answering."""

    wall: float
    imports: float
    packages: list[tuple[str, float]]
    retrieve: float  # includes opening the index and loading the model on first use
    answer: float


def breakdown(tree: Tree) -> Breakdown:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *tree.command("ask", QUESTION, "--json")[1:]],
        env=tree.env(),
        cwd=tree.path,
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    by_package: dict[str, float] = {}
    for self_us, name in re.findall(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", result.stderr):
        top = name.split(".")[0]
        by_package[top] = by_package.get(top, 0.0) + int(self_us) / 1e6
    ranked = sorted(by_package.items(), key=lambda item: -item[1])
    timings = json.loads(result.stdout)["timings_ms"]
    return Breakdown(
        wall,
        sum(by_package.values()),
        ranked[:10],
        timings["retrieve"] / 1000,
        timings["answer"] / 1000,
    )


ROWS = {
    "ask": "one-shot `ask`, index exists",
    "serve": "`serve` until /api/ask answered",
    "health": "`serve` until /api/health is 200",
    "help": "`nato-assistant --help`",
}


def table(trees: list[Tree], runs: int) -> str:
    """Median wall seconds (CPU seconds) per command and tree, with the goals."""
    width = max(16, *(len(t.label) + 2 for t in trees))
    lines = [
        f"Median of {runs} runs: wall seconds (CPU seconds of the processes)",
        f"{'':36}" + "".join(f"{t.label:>{width}}" for t in trees) + f"{'goal':>10}",
    ]
    for key, title in ROWS.items():
        cells = []
        for tree in trees:
            wall = statistics.median(w for w, _ in tree.times[key])
            cpu = statistics.median(c for _, c in tree.times[key])
            cells.append(f"{wall:.1f}" + (f" ({cpu:.1f})" if cpu == cpu else ""))
        goal = GOALS.get(key)
        mark = ""
        if goal:
            met = statistics.median(w for w, _ in trees[0].times[key]) <= goal
            mark = f"≤ {goal:.0f} s " + ("✓" if met else "✗")
        lines.append(f"{title:36}" + "".join(f"{c:>{width}}" for c in cells) + f"{mark:>10}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each command (median)")
    parser.add_argument("--against", metavar="REF", help="also measure this commit's code")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trees = [Tree("this checkout", ROOT, Path(tmp) / "index")]
        if args.against:
            path = checkout(args.against, Path(tmp) / "against")
            label = args.against[:12]  # a commit hash is long for a column
            trees.append(Tree(label, path, Path(tmp) / "index-against"))
        for tree in trees:
            print(f"Measuring {tree.label} ({args.runs} runs)...", file=sys.stderr)
            measure(tree, args.runs)
        parts = breakdown(trees[0])
    print(table(trees, args.runs))
    rest = parts.wall - parts.imports - parts.retrieve - parts.answer
    print(f"\nWhere a one-shot `ask` of {trees[0].label} spends its {parts.wall:.1f} s:")
    print(f"  importing modules      {parts.imports:5.1f} s, the most:")
    for name, seconds in parts.packages:
        print(f"    {name:26} {seconds:5.2f} s")
    print(
        f"  retrieving             {parts.retrieve:5.1f} s (opening the index, loading the model)"
    )
    print(f"  answering              {parts.answer:5.1f} s (embedding the passages' sentences)")
    print(f"  the rest               {rest:5.1f} s (interpreter, settings, printing)")


if __name__ == "__main__":
    main()
