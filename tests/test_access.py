"""Access control, CORS and framing on a real server: no route answers without credentials."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from starlette.routing import BaseRoute, Mount, Route
from webserver import serving

from assistant import Assistant, Settings, build_assistant
from ui.access import COOKIE, OPEN_PATHS
from ui.feedback import FeedbackStore
from ui.server import create_server

KEY = "k-3f9a1c0b7e"
PORTAL = "http://portal.example.org:8080"
LOCKED = {
    "api_keys": ("k-other", KEY),
    "users": ("ana:s3cret:pw",),
    "trusted_header": "X-Remote-User",
    "allowed_origins": (PORTAL,),
}


def served(settings: Settings, tmp: Path) -> tuple[FastAPI, Iterator[str]]:
    app = create_server(build_assistant(settings), feedback=FeedbackStore(tmp / "f.sqlite3"))
    return app, serving(app)


@pytest.fixture(scope="module")
def locked(
    nato_settings: Settings, nato: Assistant, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FastAPI, str]]:
    app, server = served(nato_settings.replace(**LOCKED), tmp_path_factory.mktemp("locked"))
    with server as url:
        yield app, url


@pytest.fixture(scope="module")
def open_server(
    nato_settings: Settings, nato: Assistant, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    _, server = served(nato_settings, tmp_path_factory.mktemp("open"))
    with server as url:
        yield url


def every_route(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) for every route of the app, Gradio's mounted routes included."""
    for route in routes:
        if isinstance(route, Mount):
            yield from every_route(route.routes, prefix + route.path)
        elif isinstance(route, Route):
            yield from _requests(prefix + route.path, route.methods)
        elif hasattr(route, "effective_route_contexts"):  # a router FastAPI included
            for context in route.effective_route_contexts():
                methods = getattr(context.original_route, "methods", None)
                yield from _requests(prefix + context.path, methods)


def _requests(path: str, methods: set[str] | None) -> Iterator[tuple[str, str]]:
    path = re.sub(r"\{[^}]+\}", "x", path) or "/"
    for method in sorted((methods or {"GET"}) - {"HEAD"}):
        yield method, path


def test_no_route_answers_without_credentials(locked: tuple[FastAPI, str]) -> None:
    app, url = locked
    checked = []
    with httpx.Client(base_url=url, timeout=30) as client:
        for method, path in every_route(app.routes):
            if path in OPEN_PATHS:
                continue
            response = client.request(method, path, headers={"Accept": "application/json"})
            assert response.status_code == 401, (method, path, response.text[:200])
            checked.append(path)
    must_cover = {
        "/",
        "/api/ask",
        "/api/health",
        "/v1/chat/completions",
        "/v1/models",
        "/docs",
        "/openapi.json",
        "/config",
        "/gradio_api/info",
        "/gradio_api/queue/join",
        "/gradio_api/upload",
        "/gradio_api/file=x",
        "/assets/x",
        "/theme.css",
    }
    assert must_cover <= set(checked), must_cover - set(checked)


def test_wrong_credentials_are_refused(locked: tuple[FastAPI, str]) -> None:
    _, url = locked
    with httpx.Client(base_url=url, timeout=30) as client:
        for auth in ("Bearer nope", f"Bearer {KEY}x", f"Basic {KEY}", "Bearer", KEY):
            r = client.post("/api/ask", json={"question": "x"}, headers={"Authorization": auth})
            assert r.status_code == 401, auth
            assert r.headers["www-authenticate"] == "Bearer"
            assert "Credentials are required" in r.json()["error"]["message"]
        forged = client.get("/config", cookies={COOKIE: "made-up"})
        assert forged.status_code == 401


def test_api_key_opens_the_api(locked: tuple[FastAPI, str]) -> None:
    _, url = locked
    headers = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=url, timeout=60, headers=headers) as client:
        answer = client.post(
            "/api/ask", json={"question": "How many times has Article 4 been invoked?"}
        )
        assert answer.status_code == 200 and "nine" in answer.json()["answer"]
        chat = client.post(
            "/v1/chat/completions",
            json={"messages": [{"role": "user", "content": "What is Article 4?"}]},
        )
        assert chat.status_code == 200
        assert client.get("/openapi.json").status_code == 200


def test_browsers_are_sent_to_the_login_and_back(locked: tuple[FastAPI, str]) -> None:
    _, url = locked
    with httpx.Client(base_url=url, timeout=30) as client:
        page = client.get("/?lang=en", headers={"Accept": "text/html"})
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=/%3Flang%3Den"
        form = client.get(page.headers["location"])
        assert form.status_code == 200 and 'name="password"' in form.text
        assert 'value="/?lang=en"' in form.text

        wrong = client.post("/login", data={"username": "ana", "password": "nope", "next": "/"})
        assert wrong.status_code == 401 and "Wrong username or password" in wrong.text
        assert 'value="ana"' in wrong.text  # kept, so only the password is typed again
        hostile = client.post("/login", data={"username": '"><script>', "password": "x"})
        assert "<script>" not in hostile.text and "&quot;&gt;&lt;script&gt;" in hostile.text
        assert COOKIE not in client.cookies

        # A password may contain ':'; only paths on this server are followed afterwards.
        right = client.post(
            "/login",
            data={"username": "ana", "password": "s3cret:pw", "next": "//evil.example.org/"},
        )
        assert right.status_code == 303 and right.headers["location"] == "/"
        assert "httponly" in right.headers["set-cookie"].lower()
        assert "samesite=lax" in right.headers["set-cookie"].lower()
        chat = client.get("/", headers={"Accept": "text/html"})
        assert chat.status_code == 200 and "gradio" in chat.text.lower()
        assert client.get("/config").status_code == 200

        assert client.get("/logout").status_code == 405  # a link cannot sign anyone out
        assert client.get("/config").status_code == 200
        client.post("/logout")
        assert client.get("/config").status_code == 401


def test_trusted_header_signs_in(locked: tuple[FastAPI, str]) -> None:
    _, url = locked
    with httpx.Client(base_url=url, timeout=60) as client:
        assert client.get("/config", headers={"X-Remote-User": ""}).status_code == 401
        config = client.get("/config", headers={"X-Remote-User": "b.jones"})
        assert config.status_code == 200
        answer = client.post(
            "/api/ask",
            json={"question": "What is Article 4?"},
            headers={"X-Remote-User": "b.jones"},
        )
        assert answer.status_code == 200


def test_without_access_control_everything_is_open(open_server: str) -> None:
    with httpx.Client(base_url=open_server, timeout=60) as client:
        assert client.get("/", headers={"Accept": "text/html"}).status_code == 200
        assert client.get("/config").status_code == 200
        assert client.get("/api/health").status_code == 200
        ask = client.post("/api/ask", json={"question": "What is Article 4?"})
        assert ask.status_code == 200
        # Without users there is no login page to go to.
        assert client.get("/login").status_code == 303


def test_cors_and_framing_default_to_same_origin(open_server: str) -> None:
    preflight = {
        "Origin": PORTAL,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    with httpx.Client(base_url=open_server, timeout=30) as client:
        refused = client.options("/api/ask", headers=preflight)
        assert "access-control-allow-origin" not in refused.headers
        simple = client.post(
            "/api/ask", json={"question": "What is Article 4?"}, headers={"Origin": PORTAL}
        )
        assert "access-control-allow-origin" not in simple.headers
        page = client.get("/")
        policy = page.headers["content-security-policy"]
        assert policy.startswith("default-src 'self'; script-src 'self'")
        assert policy.endswith("; frame-ancestors 'self'")
        assert page.headers["x-frame-options"] == "SAMEORIGIN"


def test_allowed_origin_may_call_and_frame(locked: tuple[FastAPI, str]) -> None:
    _, url = locked
    preflight = {
        "Origin": PORTAL,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    with httpx.Client(base_url=url, timeout=60) as client:
        allowed = client.options("/api/ask", headers=preflight)
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == PORTAL
        assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
        other = client.options("/api/ask", headers=preflight | {"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        answer = client.post(
            "/api/ask",
            json={"question": "What is Article 4?"},
            headers={"Origin": PORTAL, "Authorization": f"Bearer {KEY}"},
        )
        assert answer.headers["access-control-allow-origin"] == PORTAL
        # Even a refusal carries the policy, so the portal's script can read the 401.
        refused = client.post("/api/ask", json={"question": "x"}, headers={"Origin": PORTAL})
        assert refused.status_code == 401
        assert refused.headers["access-control-allow-origin"] == PORTAL
        policy = refused.headers["content-security-policy"]
        assert policy.endswith(f"; frame-ancestors 'self' {PORTAL}")
        assert "x-frame-options" not in refused.headers


def test_origins_are_checked(nato_settings: Settings) -> None:
    from assistant.errors import SettingsError

    for bad in ("*", "https://portal.example.org/", "portal.example.org", "https://a/b"):
        with pytest.raises(SettingsError, match="ASSISTANT_ALLOWED_ORIGINS"):
            nato_settings.replace(allowed_origins=(bad,))
    with pytest.raises(SettingsError, match="ASSISTANT_ROOT_PATH"):
        nato_settings.replace(root_path="assistant/")
