"""The HTTP API: /api/ask, an OpenAI-compatible /v1/chat/completions, health, JSON errors."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from assistant import storage
from assistant.asgi import BodyLimit, CatchAll, NotOffered, json_error, route_path
from assistant.errors import AssistantError, BadQuestion
from assistant.inputs import clean_text
from assistant.ratelimit import Limiter, RateLimit
from assistant.readiness import Readiness
from assistant.schema import Answer
from assistant.telemetry import Telemetry

if TYPE_CHECKING:
    from assistant.pipeline import Assistant

MODEL_ID = "nato-assistant"
try:
    VERSION = version("nato-assistant")
except PackageNotFoundError:  # running from a checkout that was never installed
    VERSION = "0.0.0"
DESCRIPTION = """Answers questions about NATO consultations (Article 4) from a cited corpus.

`POST /api/ask` returns the same object as `nato-assistant ask --json`.
`POST /v1/chat/completions` speaks the OpenAI chat API (plain or `"stream": true`), with the
citations in an extra `citations` field. A stream's last chunk also carries `answer`: the
answer after the citation check, to show in place of the streamed text.
Errors are `{"error": {"message", "type", "code"}}`.
With access control on, send `Authorization: Bearer <key>`."""

# Every string a request carries, without lone surrogates and control characters.
Text = Annotated[str, AfterValidator(clean_text)]


class Message(BaseModel):
    """One earlier turn of the conversation."""

    role: Literal["user", "assistant", "system"]
    content: Text


class FilterSpec(BaseModel):
    """Limits on what may be retrieved; dates are YYYY-MM-DD, inclusive."""

    model_config = ConfigDict(extra="forbid")
    sources: list[Text] = Field(default_factory=list, examples=[["invocation-2025-09-poland.md"]])
    date_from: Text | None = Field(default=None, examples=["2014-01-01"])
    date_to: Text | None = Field(default=None, examples=["2025-12-31"])


class AskRequest(BaseModel):
    """A question, with optional earlier turns, filters and number of passages."""

    model_config = ConfigDict(extra="forbid")
    question: Text = Field(examples=["How many times has Article 4 been invoked?"])
    history: list[Message] | None = None
    filters: FilterSpec | None = None
    top_k: int | None = Field(default=None, ge=1, le=50)


class TextPart(BaseModel):
    type: Literal["text"]
    text: Text


class ChatMessage(BaseModel):
    role: Literal["system", "developer", "user", "assistant"]
    content: Text | list[TextPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.text for part in self.content)
        return self.content or ""


class ChatRequest(BaseModel):
    """An OpenAI chat completion request; sampling options are accepted and ignored."""

    model_config = ConfigDict(extra="allow")
    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    filters: FilterSpec | None = Field(default=None, description="extension: retrieval filters")
    top_k: int | None = Field(default=None, ge=1, le=50, description="extension: passages")


METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Bad input: the message says what to fix."},
    401: {"description": "Access control is on and no valid credentials were sent."},
    413: {"description": "The request body is too large."},
    503: {"description": "The index is missing or still being built."},
}


def create_api(
    assistant: Assistant,
    readiness: Readiness | None = None,
    telemetry: Telemetry | None = None,
    extra: APIRouter | None = None,
) -> FastAPI:
    """The JSON API as a FastAPI app; the web server mounts the chat beside it."""
    readiness = readiness or Readiness(assistant)
    telemetry = telemetry or Telemetry(assistant.index)
    app = FastAPI(title="NATO Consultations Assistant", version=VERSION, description=DESCRIPTION)
    app.state.telemetry = telemetry
    app.add_middleware(
        RateLimit, limiter=Limiter(assistant.settings.rate_limit, "ASSISTANT_RATE_LIMIT")
    )
    app.add_middleware(CatchAll, explain=lambda exc: storage.explain(exc, assistant.index.dir))
    app.add_middleware(NotOffered)
    app.add_middleware(BodyLimit, limit=assistant.settings.max_request_kb * 1024)
    _errors(app)

    def filters_of(spec: FilterSpec | None) -> dict[str, Any] | None:
        return spec.model_dump() if spec else None

    @app.get("/api/health", tags=["status"], responses={503: ERRORS[503]})
    def health() -> JSONResponse:
        """Whether questions can be answered, and how far a first index build has come."""
        state = readiness.to_dict() | {
            "generator": assistant.settings.generator,
            "version": VERSION,
        }
        return JSONResponse(state, status_code=200 if state["status"] == "ok" else 503)

    @app.post("/api/ask", tags=["answers"], responses=ERRORS)
    def ask(body: AskRequest) -> JSONResponse:
        """Answers one question; the object is the one `nato-assistant ask --json` prints."""
        readiness.check()
        history = [m.model_dump() for m in body.history or []]
        answer = assistant.ask(
            body.question, history=history, filters=filters_of(body.filters), top_k=body.top_k
        )
        telemetry.answered(answer)
        return JSONResponse(answer.to_dict())

    @app.get("/metrics", tags=["status"], response_class=Response)
    def metrics() -> Response:
        """Prometheus metrics: requests, latency, answers refused, index size and generation."""
        from prometheus_client import CONTENT_TYPE_LATEST

        return Response(telemetry.exposition(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/v1/models", tags=["openai"])
    def models() -> dict[str, Any]:
        """The one model this server offers, for OpenAI clients that list models first."""
        return {
            "object": "list",
            "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": MODEL_ID}],
        }

    @app.post("/v1/chat/completions", tags=["openai"], responses=ERRORS, response_model=None)
    def chat_completions(body: ChatRequest) -> JSONResponse | StreamingResponse:
        """OpenAI-compatible chat: the last user message is the question, earlier ones history."""
        question, history = split_messages(body.messages)
        readiness.check()
        args: dict[str, Any] = {
            "history": history,
            "filters": filters_of(body.filters),
            "top_k": body.top_k,
        }
        reply = Completion(telemetry)
        if not body.stream:
            return JSONResponse(reply.whole(assistant.ask(question, **args)))
        stream = assistant.stream(question, **args)
        # The first step validates and retrieves, so bad input and a missing index still
        # get their status code before the event stream starts.
        first = next(stream)
        return StreamingResponse(
            reply.events(first, stream),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    if extra is not None:  # routes the web server adds (feedback), ahead of the catch-all
        app.include_router(extra)

    @app.api_route("/api/{rest:path}", methods=METHODS, include_in_schema=False)
    @app.api_route("/v1/{rest:path}", methods=METHODS, include_in_schema=False)
    def unknown(request: Request) -> JSONResponse:
        path = route_path(request.scope)
        known = {r.path: r.methods or set() for r in app.routes if isinstance(r, APIRoute)}
        if path in known:
            allowed = ", ".join(sorted(known[path]))
            return json_error(
                405, f"{path} takes {allowed}.", "MethodNotAllowed", {"Allow": allowed}
            )
        return json_error(404, f"No API route {path}: see /openapi.json.", "NotFound")

    return app


def split_messages(messages: list[ChatMessage]) -> tuple[str, list[dict[str, str]]]:
    """The question (the last message, from the user) and the turns before it."""
    if messages[-1].role != "user":
        raise BadQuestion("The last message must come from the user: it is the question.")
    history = [
        {"role": m.role, "content": m.text()}
        for m in messages[:-1]
        if m.role in ("user", "assistant")
    ]
    return messages[-1].text(), history


class Completion:
    """Builds OpenAI chat.completion objects (whole or as chunks) from answers."""

    def __init__(self, telemetry: Telemetry | None = None) -> None:
        self.telemetry = telemetry
        self.id = f"chatcmpl-{secrets.token_hex(12)}"
        self.created = int(time.time())

    def _base(self, kind: str) -> dict[str, Any]:
        return {"id": self.id, "object": kind, "created": self.created, "model": MODEL_ID}

    @staticmethod
    def _extras(answer: Answer) -> dict[str, Any]:
        return {
            "citations": [c.to_dict() for c in answer.citations],
            "refused": answer.refused,
            "fallback": answer.fallback,
        }

    def whole(self, answer: Answer) -> dict[str, Any]:
        if self.telemetry:
            self.telemetry.answered(answer)
        message = {"role": "assistant", "content": answer.answer}
        return (
            self._base("chat.completion")
            | {"choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}
            | self._extras(answer)
        )

    def _chunk(self, delta: dict[str, str], finish: str | None = None, **extra: Any) -> str:
        data = (
            self._base("chat.completion.chunk")
            | {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            | extra
        )
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

    def events(self, first: str | Answer, rest: Iterator[str | Answer]) -> Iterator[str]:
        """Server-sent events: a role chunk, text pieces, a final chunk with citations."""
        yield self._chunk({"role": "assistant", "content": ""})
        try:
            for item in _chain(first, rest):
                if isinstance(item, Answer):
                    if self.telemetry:
                        self.telemetry.answered(item)
                    # The pieces were the model's raw text; the final chunk carries the
                    # answer after the citation check, which clients show instead.
                    yield self._chunk({}, "stop", answer=item.answer, **self._extras(item))
                elif item:
                    yield self._chunk({"content": item})
        except AssistantError as exc:
            # The status line is already sent: report the error the way OpenAI streams do.
            error = {"message": str(exc), "type": type(exc).__name__, "code": exc.status}
            yield f"data: {json.dumps({'error': error}, ensure_ascii=False)}\n\n"
        yield "data: [DONE]\n\n"


def _chain(first: str | Answer, rest: Iterator[str | Answer]) -> Iterator[str | Answer]:
    yield first
    yield from rest


def _errors(app: FastAPI) -> None:
    """Every error the API raises becomes {"error": {...}} with its status code."""

    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
        return json_error(exc.status, str(exc), type(exc).__name__)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return json_error(400, validation_message(exc.errors()), "BadRequest")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return json_error(exc.status_code, str(exc.detail), "HTTPError", exc.headers)


def validation_message(errors: Any) -> str:
    """The first validation problem, said plainly: which field, and what is wrong."""
    first = dict(errors[0]) if errors else {}
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body")
    kind = first.get("type", "")
    if kind == "json_invalid":
        return "The request body is not valid JSON: send a JSON object."
    if not where:
        return "The request body must be a JSON object (Content-Type: application/json)."
    if kind == "missing":
        return f"{where} is required."
    if kind == "extra_forbidden":
        return f"Unknown field {where!r}: see /openapi.json for the fields this takes."
    return f"{where}: {first.get('msg', 'invalid value')}."
