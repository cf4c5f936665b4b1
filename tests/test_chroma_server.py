"""The index on a real `chroma run` server on loopback instead of the embedded store."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from assistant import Settings, build_assistant


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def chroma_url(tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    port = free_port()
    server = subprocess.Popen(
        [
            binary,
            "run",
            "--path",
            str(tmp_path / "server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail("chroma run did not start")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_ingest_and_ask_through_a_chroma_server(
    chroma_url: str, make_corpus: Callable[..., Settings]
) -> None:
    settings = make_corpus(
        {
            "estonia.md": "# Estonia 2025\n\nEstonia requested Article 4 consultations on "
            "19 September 2025 after three Russian MiG-31s entered its airspace.\n",
        }
    ).replace(chroma_url=chroma_url)
    assistant = build_assistant(settings)
    first = assistant.ingest()
    assert first.embedded == 1 and not (settings.index_dir / "chroma").exists()
    assert assistant.ingest().embedded == 0
    answer = assistant.ask("When did Estonia request Article 4 consultations?")
    assert "19 September 2025" in answer.answer and answer.citations
    rebuilt = assistant.ingest(rebuild=True)
    assert rebuilt.embedded == 1 and rebuilt.chunks == 1
