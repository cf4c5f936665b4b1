"""A bounded load check on loopback: N clients ask questions for T seconds, errors counted.

    .venv/bin/python benchmarks/load.py [--clients 32] [--seconds 20]

Starts `nato-assistant serve` on 127.0.0.1 in its own process (rate limits off, a temp
index), waits for /api/health and asks three warm-up questions, then each client posts
questions from the dev set to /api/ask (and every fourth to /v1/chat/completions) back
to back. Prints requests per
second, latency p50 / p95 / max and the errors; exits 1 on any error. At most 32 clients
and 20 seconds: it measures, it does not stress.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from assistant.evaluation.metrics import percentile
from assistant.settings import PROJECT_ROOT

DEV_SET = PROJECT_ROOT / "tests" / "data" / "nato_dev.jsonl"
HOST = "127.0.0.1"  # loopback only


def questions() -> list[str]:
    lines = DEV_SET.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(index_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ASSISTANT_INDEX_DIR": str(index_dir),
        "ASSISTANT_RATE_LIMIT": "off",
        "ASSISTANT_HOST": HOST,
        "ASSISTANT_PORT": str(port),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def wait_ready(client: httpx.AsyncClient, limit: float = 600) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            if (await client.get("/api/health")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.5)
    raise SystemExit("the server did not become ready")


async def run(url: str, clients: int, seconds: float) -> tuple[list[float], list[str]]:
    asked = questions()
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        await wait_ready(client)
        for question in asked[:3]:  # models and the lexical index load on first use
            await client.post("/api/ask", json={"question": question})
        end = time.monotonic() + seconds

        async def one(n: int) -> None:
            i = n
            while time.monotonic() < end:
                question = asked[i % len(asked)]
                chat = i % 4 == 3
                started = time.perf_counter()
                try:
                    if chat:
                        messages = [{"role": "user", "content": question}]
                        reply = await client.post(
                            "/v1/chat/completions", json={"messages": messages}
                        )
                    else:
                        reply = await client.post("/api/ask", json={"question": question})
                    if reply.status_code != 200:
                        errors.append(f"{reply.status_code} {reply.text[:120]}")
                except httpx.HTTPError as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
                latencies.append((time.perf_counter() - started) * 1000)
                i += clients

        await asyncio.gather(*(one(n) for n in range(clients)))
    return latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32, choices=range(1, 33), metavar="1-32")
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    seconds = min(max(args.seconds, 1.0), 20.0)
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        server = start_server(Path(tmp) / "index", port)
        try:
            started = time.monotonic()
            latencies, errors = asyncio.run(run(f"http://{HOST}:{port}", args.clients, seconds))
            elapsed = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
    count = len(latencies)
    print(f"{args.clients} clients for {seconds:.0f} s on loopback ({os.cpu_count()} cores)")
    print(f"requests: {count} ({count / seconds:.1f}/s), errors: {len(errors)}")
    print(
        f"latency ms: p50 {percentile(latencies, 50) or 0:.0f}, "
        f"p95 {percentile(latencies, 95) or 0:.0f}, max {max(latencies, default=0):.0f}"
    )
    print(f"(including {elapsed - seconds:.0f} s to build the index and start)")
    for error in errors[:5]:
        print("  error:", error)
    sys.exit(1 if errors or not count else 0)


if __name__ == "__main__":
    main()
