"""Rate limits on the answering routes and sign-in throttling, on a real server."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from webserver import serving

from assistant import Assistant, Settings, SettingsError, build_assistant
from ui.feedback import FeedbackStore
from ui.server import create_server

KEYS = ("k-first-1234", "k-second-5678")


def served(settings: Settings, tmp: Path) -> Iterator[str]:
    server = create_server(build_assistant(settings), feedback=FeedbackStore(tmp / "f.sqlite3"))
    with serving(server) as url:
        yield url


@pytest.fixture
def limited(nato_settings: Settings, nato: Assistant, tmp_path: Path) -> Iterator[str]:
    settings = nato_settings.replace(
        api_keys=KEYS,
        users=("ana:right", "ben:right"),
        rate_limit="3/minute",
        login_limit="3/minute",
    )
    yield from served(settings, tmp_path)


def test_answering_routes_are_limited_per_key_with_retry_after(limited: str) -> None:
    question = {"question": "What is Article 4?"}
    with httpx.Client(base_url=limited, timeout=60) as client:
        first = {"Authorization": f"Bearer {KEYS[0]}"}
        codes = [
            client.post("/api/ask", json=question, headers=first).status_code for _ in range(3)
        ]
        assert codes == [200, 200, 200]
        over = client.post(
            "/v1/chat/completions",
            json={"messages": [{"role": "user", "content": "What is Article 4?"}]},
            headers=first,
        )
        assert over.status_code == 429
        assert 1 <= int(over.headers["retry-after"]) <= 60
        assert "ASSISTANT_RATE_LIMIT" in over.json()["error"]["message"]
        # Another key has its own allowance; health is not an answering route.
        other = client.post(
            "/api/ask", json=question, headers={"Authorization": f"Bearer {KEYS[1]}"}
        )
        assert other.status_code == 200
        assert client.get("/api/health", headers=first).status_code == 200


async def attempts(url: str, user: str, password: str, count: int) -> list[int]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        form = {"username": user, "password": password, "next": "/"}
        replies = await asyncio.gather(*(client.post("/login", data=form) for _ in range(count)))
    return [r.status_code for r in replies]


def test_parallel_wrong_passwords_are_locked_out(limited: str) -> None:
    codes = asyncio.run(attempts(limited, "ana", "guess", 20))
    assert sorted(codes) == [401] * 3 + [429] * 17
    with httpx.Client(base_url=limited, timeout=60) as client:
        locked = client.post("/login", data={"username": "ana", "password": "right"})
        assert locked.status_code == 429 and "try again in" in locked.text
        assert int(locked.headers["retry-after"]) >= 1


def test_one_address_cannot_try_many_users(limited: str) -> None:
    with httpx.Client(base_url=limited, timeout=60) as client:
        codes = [
            client.post("/login", data={"username": f"user{i}", "password": "x"}).status_code
            for i in range(4)
        ]
    assert codes == [401, 401, 401, 429]


def test_a_right_password_clears_the_users_count(limited: str) -> None:
    with httpx.Client(base_url=limited, timeout=60) as client:
        wrong = client.post("/login", data={"username": "ben", "password": "nope"})
        right = client.post("/login", data={"username": "ben", "password": "right"})
        assert wrong.status_code == 401 and right.status_code == 303


def test_sign_in_and_out_from_another_site_are_refused(limited: str) -> None:
    host = limited.removeprefix("http://")
    form = {"username": "ana", "password": "right", "next": "/"}
    with httpx.Client(base_url=limited, timeout=60) as client:
        forged = client.post("/login", data=form, headers={"Origin": "http://evil.example"})
        assert forged.status_code == 403 and "another site" in forged.json()["error"]["message"]
        assert not client.cookies
        signed = client.post("/login", data=form, headers={"Origin": f"http://{host}"})
        assert signed.status_code == 303 and client.cookies
        out = client.post("/logout", headers={"Origin": "http://evil.example"})
        assert out.status_code == 403
        assert client.get("/config").status_code == 200


def test_rates_are_checked(nato_settings: Settings) -> None:
    with pytest.raises(SettingsError, match="ASSISTANT_RATE_LIMIT='lots' is not a rate"):
        Settings.from_env({"ASSISTANT_RATE_LIMIT": "lots"})
    assert Settings.from_env({"ASSISTANT_RATE_LIMIT": "off"}).rate_limit == "off"
