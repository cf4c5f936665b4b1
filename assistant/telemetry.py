"""Request logs and Prometheus metrics: one line and one sample per request, no secrets."""

from __future__ import annotations

import logging
import re
import secrets
import time
from typing import TYPE_CHECKING, Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.asgi import USER_KEY, route_path
from assistant.logs import bound, request_id

if TYPE_CHECKING:
    from assistant.index import Index
    from assistant.schema import Answer

log = logging.getLogger("nato_assistant.access")

#: Routes named as they are in metrics; anything else is counted under its prefix, so
#: made-up paths cannot create new series.
ROUTES = (
    "/",
    "/api/ask",
    "/api/health",
    "/v1/chat/completions",
    "/v1/models",
    "/metrics",
    "/login",
    "/logout",
    "/config",
    "/openapi.json",
    "/docs",
    "/gradio_api/queue/join",
    "/gradio_api/queue/data",
    "/gradio_api/info",
)
PREFIXES = ("/api/", "/v1/", "/gradio_api/", "/assets/", "/static/", "/svelte/")
# A client's own request id is kept only when it is short and plain.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def route_label(path: str) -> str:
    """The route a path belongs to, from a fixed set."""
    if path in ROUTES:
        return path
    return next((prefix + "*" for prefix in PREFIXES if path.startswith(prefix)), "other")


class Telemetry:
    """The server's Prometheus metrics, in a registry of its own."""

    def __init__(self, index: Index | None = None) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry()
        self.requests = Counter(
            "nato_assistant_requests",
            "HTTP requests by route, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "nato_assistant_request_seconds",
            "Time to the end of the response, by route.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.answers = Counter(
            "nato_assistant_answers",
            "Answers given, by whether the sources did not say (refused).",
            ["refused"],
            registry=self.registry,
        )
        chunks = Gauge(
            "nato_assistant_index_chunks", "Chunks in the index.", registry=self.registry
        )
        generation = Gauge(
            "nato_assistant_index_generation",
            "How many times the index has been written; goes up with every ingestion.",
            registry=self.registry,
        )
        if index is not None:
            chunks.set_function(lambda: _or_nan(index.count))
            generation.set_function(lambda: _or_nan(lambda: index.meta().get("generation", 0)))

    def answered(self, answer: Answer) -> None:
        """Counts an answer given, refused or not."""
        self.answers.labels(refused=str(answer.refused).lower()).inc()

    def exposition(self) -> bytes:
        """The metrics in Prometheus' text format."""
        from prometheus_client import generate_latest

        return bytes(generate_latest(self.registry))


def _or_nan(read: Any) -> float:
    try:
        return float(read())
    except Exception:  # an index that cannot be read is shown as missing, not as 0
        return float("nan")


class Observe:
    """Gives each request an id (X-Request-ID), then logs and counts it when it ends.

    The log line has the method, the path without its query string (which may carry
    credentials), the status, the time taken, the client and the user: never a header's
    value or the body.
    """

    def __init__(self, app: ASGIApp, telemetry: Telemetry) -> None:
        self.app = app
        self.telemetry = telemetry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _REQUEST_ID.fullmatch(given) else secrets.token_hex(8)
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)["X-Request-ID"] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            path = route_path(scope)
            route = route_label(path)
            self.telemetry.requests.labels(route, scope["method"], str(status)).inc()
            self.telemetry.latency.labels(route).observe(seconds)
            client = scope.get("client") or ("", 0)
            fields = {
                "method": scope["method"],
                "route": route,
                "path": bound(path, 200),
                "status": status,
                "ms": round(seconds * 1000, 1),
                "client": client[0],
                "user": str(scope.get(USER_KEY) or ""),
            }
            log.info(
                "%s %s %s %d %.1f ms%s",
                fields["client"],
                fields["method"],
                fields["path"],
                status,
                fields["ms"],
                f" user={fields['user']}" if fields["user"] else "",
                extra={"fields": {"event": "request", **fields}},
            )
            request_id.reset(token)
