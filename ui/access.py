"""Who may use the server and who may embed it: API keys, a chat login, a trusted SSO header,
CORS and frame-ancestors. With any credential configured, every route needs one."""

from __future__ import annotations

import asyncio
import hmac
import html
import secrets
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.asgi import USER_KEY, is_api, json_error, route_path
from assistant.ratelimit import Limiter
from assistant.settings import Settings

COOKIE = "nato_assistant_session"
SESSION_SECONDS = 12 * 3600
OPEN_PATHS = ("/login", "/logout")
# Gradio's page carries its configuration in inline scripts and styles, and gr.HTML
# renders its templates with new Function(): those stay allowed (the chat escapes all
# text it shows, see ui/render.py). Everything else comes from this server only.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "media-src 'self' blob:; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'"
)
# /docs loads Swagger UI from its CDN.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; "
    "object-src 'none'; base-uri 'self'"
)
LOGIN_PAGE = Template((Path(__file__).parent / "login.html").read_text(encoding="utf-8"))


class Credentials:
    """Checks API keys, passwords, sessions and the trusted header in constant time."""

    def __init__(self, settings: Settings) -> None:
        from itsdangerous import URLSafeTimedSerializer

        self.attempts = Limiter(settings.login_limit, "ASSISTANT_LOGIN_LIMIT")
        self.keys = [k.encode() for k in settings.api_keys]
        self.users = dict(u.split(":", 1) for u in settings.users)
        self.header = settings.trusted_header.lower()
        # Sessions live in a signed cookie, not in this process, so any replica that shares
        # the secret accepts them; without a configured secret, one per process.
        secret = settings.session_secret or secrets.token_urlsafe(32)
        self.signer = URLSafeTimedSerializer(secret, salt="nato-assistant-session")

    @property
    def on(self) -> bool:
        return bool(self.keys or self.users or self.header)

    def key_ok(self, key: str) -> bool:
        given = key.encode()
        # Compare with every key, so the time taken says nothing about which one is close.
        return any([hmac.compare_digest(given, k) for k in self.keys])

    def password_ok(self, user: str, password: str) -> bool:
        expected = self.users.get(user, secrets.token_urlsafe(16))
        return hmac.compare_digest(password.encode(), expected.encode()) and user in self.users

    def open_session(self, user: str) -> str:
        """A signed token naming the user; it expires SESSION_SECONDS after signing in."""
        return self.signer.dumps({"user": user})

    def session_user(self, token: str) -> str | None:
        """The user a session token names, or None when forged, expired or for a user no
        longer configured."""
        from itsdangerous import BadSignature

        if not token:
            return None
        try:
            data = self.signer.loads(token, max_age=SESSION_SECONDS)
        except BadSignature:
            return None
        user = data.get("user") if isinstance(data, dict) else None
        return user if isinstance(user, str) and user in self.users else None

    def user(self, headers: Headers, cookies: dict[str, str]) -> str | None:
        """Who sent the request, or None without valid credentials."""
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and value.strip() and self.keys:
            return "api-key" if self.key_ok(value.strip()) else None
        if self.header and headers.get(self.header, "").strip():
            return headers[self.header].strip()
        return self.session_user(cookies.get(COOKIE, ""))


class AccessControl:
    """Lets a request through only with credentials; browsers are sent to the login page."""

    def __init__(self, app: ASGIApp, credentials: Credentials) -> None:
        self.app = app
        self.credentials = credentials

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":  # none are served; refused without a traceback
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http" or not self.credentials.on:
            await self.app(scope, receive, send)
            return
        if route_path(scope) in OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        user = self.credentials.user(request.headers, dict(request.cookies))
        if user is not None:
            scope[USER_KEY] = user
            await self.app(scope, receive, send)
            return
        await self.refuse(scope, request)(scope, receive, send)

    def refuse(self, scope: Scope, request: Request) -> Response:
        wants_page = (
            request.method == "GET"
            and not is_api(scope)
            and "text/html" in request.headers.get("accept", "")
        )
        root = scope.get("root_path", "")
        if wants_page and self.credentials.users:
            target = root + route_path(scope)
            if request.url.query:
                target += "?" + request.url.query
            return RedirectResponse(f"{root}/login?next={quote(target)}", status_code=303)
        how = "send Authorization: Bearer <API key>" if self.credentials.keys else "sign in"
        if self.credentials.users and not is_api(scope):
            how = f"sign in at {root}/login"
        return json_error(
            401, f"Credentials are required: {how}.", "Unauthorized", {"WWW-Authenticate": "Bearer"}
        )


class SecurityHeaders:
    """Who may frame the chat (CSP frame-ancestors), plus headers every page should carry."""

    def __init__(self, app: ASGIApp, origins: tuple[str, ...]) -> None:
        self.app = app
        ancestors = " ".join(("'self'", *origins))
        self.headers = {
            "Content-Security-Policy": f"{PAGE_POLICY}; frame-ancestors {ancestors}",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        }
        if not origins:
            self.headers["X-Frame-Options"] = "SAMEORIGIN"  # for browsers without CSP 2
        self.docs = f"{DOCS_POLICY}; frame-ancestors {ancestors}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        docs = route_path(scope) in ("/docs", "/redoc")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers[name] = value
                if docs:
                    headers["Content-Security-Policy"] = self.docs
            await send(message)

        await self.app(scope, receive, send_with_headers)


def login_page(next_path: str, error: str = "", status: int = 200, user: str = "") -> HTMLResponse:
    """The sign-in form, with the values it shows escaped."""
    body = LOGIN_PAGE.substitute(
        next=html.escape(next_path, quote=True),
        error=f'<p class="error" role="alert">{html.escape(error)}</p>' if error else "",
        username=html.escape(user, quote=True),
        username_focus="" if user else "autofocus",
        password_focus="autofocus" if user else "",
    )
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def _safe_next(value: Any, root: str) -> str:
    """Only paths on this server (no //host or scheme) are followed after signing in."""
    path = str(value or "")
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return root + "/"
    return path


def _same_origin(request: Request) -> bool:
    """Whether a form post comes from this site's own pages (browsers send Origin with it)."""
    origin = request.headers.get("origin")
    if origin is None:  # not a browser's form post: scripts and tests
        return True
    return urlsplit(origin).netloc.lower() == request.headers.get("host", "").lower()


def _foreign(root: str) -> Response:
    return json_error(
        403,
        f"Signing in or out from another site is refused: open {root}/login on this server.",
        "Forbidden",
    )


def install(app: FastAPI, settings: Settings) -> Credentials:
    """Adds the login routes and the middleware: headers outermost, then CORS, then access."""
    credentials = Credentials(settings)

    @app.get("/login", include_in_schema=False)
    def login_form(request: Request) -> Response:
        root = request.scope.get("root_path", "")
        if not credentials.users:
            return RedirectResponse(root + "/", status_code=303)
        return login_page(_safe_next(request.query_params.get("next"), root))

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        root = request.scope.get("root_path", "")
        if not _same_origin(request):
            return _foreign(root)
        form = await request.form()
        user, password = str(form.get("username", ""))[:200], str(form.get("password", ""))
        target = _safe_next(form.get("next"), root)
        # Each attempt is counted before the password is checked, so attempts made in
        # parallel are held to the limit too; a success clears the user's count.
        address = request.client.host if request.client else "unknown"
        wait = credentials.attempts.hit("user", user) or credentials.attempts.hit("ip", address)
        if wait:
            message = (
                "Too many sign-in attempts for this user or from this address: "
                f"try again in {wait} seconds."
            )
            page = login_page(target, message, status=429, user=user)
            page.headers["Retry-After"] = str(wait)
            return page
        if not credentials.password_ok(user, password):
            await asyncio.sleep(1.0)  # slows down password guessing
            return login_page(target, "Wrong username or password.", status=401, user=user)
        credentials.attempts.clear("user", user)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            COOKIE,
            credentials.open_session(user),
            max_age=SESSION_SECONDS,
            path=root + "/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
        return response

    @app.get("/logout", include_in_schema=False)
    def logout_form(request: Request) -> Response:
        root = request.scope.get("root_path", "")
        return json_error(
            405,
            f"Signing out takes a POST: use the Sign out button, or POST to {root}/logout.",
            "MethodNotAllowed",
            {"Allow": "POST"},
        )

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request) -> Response:
        root = request.scope.get("root_path", "")
        if not _same_origin(request):
            return _foreign(root)
        response = RedirectResponse(root + "/login", status_code=303)
        response.delete_cookie(COOKIE, path=root + "/")
        return response

    app.add_middleware(AccessControl, credentials=credentials)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.allowed_origins),
        allow_credentials=True,
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type"],
        max_age=600,
    )
    app.add_middleware(SecurityHeaders, origins=settings.allowed_origins)
    return credentials


def gradio_user(request: Request) -> str | None:
    """The signed-in user for Gradio (gr.Request.username); set by AccessControl."""
    user = request.scope.get(USER_KEY)
    return str(user) if user else None
