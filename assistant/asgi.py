"""Small ASGI pieces the API and the web server share: JSON errors, a body limit, paths."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.errors import AssistantError

log = logging.getLogger("nato_assistant.http")

#: Where access control leaves the signed-in user in the ASGI scope.
USER_KEY = "nato_assistant.user"

#: Where the JSON API lives; the chat and Gradio's own routes are everything else.
API_PREFIXES = ("/api/", "/v1/")


def json_error(
    status: int, message: str, kind: str = "Error", headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """An error as the API reports it: {"error": {"message", "type", "code"}}."""
    body = {"error": {"message": message, "type": kind, "code": status}}
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def route_path(scope: Scope) -> str:
    """The request path below the root path (a proxy's sub-path), for matching routes."""
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    if root and (path == root or path.startswith(root + "/")):
        path = path[len(root) :]
    return path or "/"


def is_api(scope: Scope) -> bool:
    """Whether the request goes to the JSON API (not the chat page or Gradio's routes)."""
    return route_path(scope).startswith(API_PREFIXES)


class BodyLimit:
    """Refuses request bodies above a size with 413, before anything parses them.

    Every route is held to it, Gradio's included: no route here takes more than a
    conversation's worth of JSON.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, receive, send)
            return
        # Read the whole (small) body here, counting, so a body sent without a length or
        # with a false one is held to the same limit.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        kb = self.limit // 1024
        response = json_error(
            413,
            f"The request body is larger than {kb:,} KB: send a shorter question "
            "or fewer earlier turns (the limit is ASSISTANT_MAX_REQUEST_KB).",
            "TooLarge",
        )
        await response(scope, receive, send)


#: Gradio routes for components this app does not have: uploads, recordings, media
#: streams, the editor's and the monitoring dashboard's.
NOT_OFFERED = (
    "/gradio_api/upload",
    "/gradio_api/process_recording",
    "/gradio_api/stream/",
    "/gradio_api/vibe-",
    "/gradio_api/undo-vibe-edit",
    "/gradio_api/dev/",
    "/monitoring",
    "/upload",
)


class NotOffered:
    """Refuses the routes in NOT_OFFERED with 404, whatever their method."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = route_path(scope)
        if scope["type"] == "http" and path.startswith(NOT_OFFERED):
            response = json_error(
                404,
                f"{path[:100]} is not offered here: the chat takes no file uploads or "
                "recordings. Ask questions in the chat or through /api/ask.",
                "NotFound",
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class NoWebSockets:
    """Refuses WebSocket upgrades (the chat streams over HTTP) before anything else sees them.

    Closing before accepting makes the server answer the upgrade with 403.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": "no WebSockets here"})
            return
        await self.app(scope, receive, send)


class CatchAll:
    """Turns an unexpected exception into a JSON 500, logged, and keeps the connection usable.

    Starlette's own last resort re-raises to the server, which then drops the connection.
    """

    def __init__(
        self, app: ASGIApp, explain: Callable[[Exception], AssistantError | None] | None = None
    ) -> None:
        self.app = app
        self.explain = explain or (lambda exc: None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = ended = False

        async def watch(message: Message) -> None:
            nonlocal started, ended
            started = started or message["type"] == "http.response.start"
            ended = message["type"] == "http.response.body" and not message.get("more_body")
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            explained = self.explain(exc)
            if explained and not started:  # a known failure, e.g. of the index's storage
                log.warning("%s on %s", explained, route_path(scope))
                error = json_error(explained.status, str(explained), type(explained).__name__)
                await error(scope, receive, send)
                return
            log.exception("Unexpected %s on %s", type(exc).__name__, route_path(scope))
            if not started:
                response = json_error(
                    500,
                    f"Unexpected {type(exc).__name__}: the details are in the server log; "
                    "try again, and report it if it persists.",
                    "InternalError",
                )
                await response(scope, receive, send)
            elif not ended:  # a stream broke off: end it, so the connection can be reused
                await send({"type": "http.response.body", "body": b"", "more_body": False})
