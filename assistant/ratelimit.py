"""Rate limits per API key, user or client address (the `limits` package keeps the counts)."""

from __future__ import annotations

import hashlib
import math
import time
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.asgi import USER_KEY, json_error, route_path
from assistant.errors import SettingsError

#: The routes that answer questions: the API's, and Gradio's queue, which the chat asks through.
ANSWERING = ("/api/ask", "/v1/chat/completions", "/gradio_api/queue/join")


class Limiter:
    """Counts hits per key in a moving window; rates such as "60/minute;10/second"."""

    def __init__(self, rate: str, setting: str) -> None:
        from limits.storage import MemoryStorage
        from limits.strategies import MovingWindowRateLimiter

        self.items = parse(rate, setting)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, *key: str) -> int:
        """Counts one hit; returns 0, or the seconds to wait when over a rate."""
        for item in self.items:
            if not self.limiter.hit(item, *key):
                reset = self.limiter.get_window_stats(item, *key).reset_time
                return max(1, math.ceil(reset - time.time()))
        return 0

    def clear(self, *key: str) -> None:
        for item in self.items:
            self.limiter.clear(item, *key)


def parse(rate: str, setting: str) -> list[Any]:
    """The rates in a setting. Raises SettingsError naming the setting."""
    from limits import parse_many

    try:
        return [] if rate.strip().lower() in ("", "off") else parse_many(rate)
    except ValueError:
        raise SettingsError(
            f"{setting}={rate!r} is not a rate: write it as 60/minute, 5/second or several "
            "joined by ';' (off turns the limit off)."
        ) from None


def client_key(scope: Scope) -> str:
    """Who is asking: the signed-in user, else the API key (hashed), else the address."""
    user = scope.get(USER_KEY)
    if user and user != "api-key":
        return f"user:{user}"
    scheme, _, key = Headers(scope=scope).get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and key.strip():
        return "key:" + hashlib.sha256(key.strip().encode()).hexdigest()[:16]
    client: Any = scope.get("client") or ("unknown", 0)
    return f"address:{client[0]}"


class RateLimit:
    """Answers 429 with Retry-After when one client asks the answering routes too often."""

    def __init__(self, app: ASGIApp, limiter: Limiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and route_path(scope) in ANSWERING:
            wait = self.limiter.hit("answers", client_key(scope))
            if wait:
                response = json_error(
                    429,
                    f"Too many questions from you in a short time: try again in {wait} s "
                    "(the limit is ASSISTANT_RATE_LIMIT).",
                    "TooManyRequests",
                    {"Retry-After": str(wait)},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
