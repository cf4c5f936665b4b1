"""The web server: the JSON API and the Gradio chat in one FastAPI app, run by uvicorn."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any, Literal

import gradio as gr
from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel, Field

from assistant import logs
from assistant.api import create_api
from assistant.asgi import USER_KEY, NoWebSockets
from assistant.errors import BadQuestion
from assistant.pipeline import Assistant, build_assistant
from assistant.readiness import Readiness
from assistant.settings import Settings
from assistant.telemetry import Observe
from ui import access
from ui.app import create_app, page_options
from ui.feedback import MAX_COMMENT, FeedbackStore

log = logging.getLogger("nato_assistant.server")


def create_server(
    assistant: Assistant, readiness: Readiness | None = None, feedback: FeedbackStore | None = None
) -> FastAPI:
    """The whole site: the API at /api and /v1, the chat at /, one access policy for both."""
    settings = assistant.settings
    readiness = readiness or Readiness(assistant)
    feedback = feedback or FeedbackStore(settings.feedback_url)
    app = create_api(assistant, readiness, extra=feedback_api(feedback))
    credentials = access.install(app, settings)
    app.add_middleware(Observe, telemetry=app.state.telemetry)
    app.add_middleware(NoWebSockets)
    blocks = create_app(
        assistant,
        readiness,
        feedback,
        sign_out=bool(credentials.users),
        telemetry=app.state.telemetry,
    )
    gr.mount_gradio_app(
        app,
        blocks,
        path="/",
        server_name=settings.host,
        server_port=settings.port,
        root_path=settings.root_path or None,
        auth_dependency=access.gradio_user if credentials.on else None,
        footer_links=[],
        run_history=False,
        pwa=False,
        mcp_server=False,
        ssr_mode=False,
        max_file_size="1mb",
        show_error=False,
        **page_options(),
    )
    return app


class FeedbackRequest(BaseModel):
    """A rating of an answer /api/ask returned; send back the id to change it or comment."""

    answer: dict[str, Any] = Field(description="The object /api/ask returned.")
    rating: Literal[-1, 0, 1] = Field(description="1 helpful, -1 not helpful, 0 withdrawn.")
    comment: str = Field(default="", max_length=MAX_COMMENT)
    id: int | None = Field(default=None, description="The id a previous rating returned.")


def feedback_api(store: FeedbackStore) -> APIRouter:
    """POST /api/feedback: ratings from API clients, stored where the chat stores its own."""
    router = APIRouter()

    @router.post("/api/feedback", tags=["answers"])
    def feedback(body: FeedbackRequest, request: Request) -> dict[str, int]:
        """Stores a rating (and an optional comment) of an answer; returns its id."""
        answer = body.answer
        question, text = answer.get("question"), answer.get("answer")
        citations = answer.get("citations", [])
        if not isinstance(question, str) or not isinstance(text, str):
            raise BadQuestion(
                "feedback.answer must be the object /api/ask returned, with question and answer."
            )
        if not isinstance(citations, list):
            raise BadQuestion("feedback.answer.citations must be the list /api/ask returned.")
        user = str(request.scope.get(USER_KEY) or "")
        row = store.record(
            question[:MAX_COMMENT],
            text,
            bool(answer.get("refused")),
            citations,
            body.rating,
            user,
            body.id,
        )
        if body.comment.strip():
            store.comment(row, body.comment)
        return {"id": row}

    return router


def warm_up(assistant: Assistant) -> None:
    """Loads the embedding model and lexical index now, so the first question is quick."""
    try:
        assistant.retrieve("Article 4 consultations")
    except Exception:  # the first question will report the problem
        log.warning("Warm-up failed; the first question will retry.", exc_info=True)


def serve(settings: Settings) -> None:
    """Builds the index if missing (in the background, with progress), then serves; says
    `Ready: <address>` on stderr once questions can be answered."""
    import uvicorn

    from assistant import terminal

    sys.stderr = logs.BoundedStream(sys.stderr)
    assistant = build_assistant(settings)
    readiness = Readiness(assistant)
    app = create_server(assistant, readiness)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            root_path=settings.root_path,
            proxy_headers=True,
            # Our own lines say what matters (progress, errors, Ready); uvicorn's are kept to
            # warnings, and Observe logs each request, without its query string.
            log_level="warning",
            log_config=logs.config(settings.log_format),
            access_log=False,
        )
    )
    address = f"http://{settings.host}:{settings.port}{settings.root_path}"
    print(
        f"Starting: the chat at {address}/, the API at {address}/api/ask and "
        f"{address}/v1/chat/completions, OpenAPI at {address}/openapi.json.",
        file=sys.stderr,
    )
    if not assistant.index.exists():
        print(
            f"No index at {settings.index_dir}: building it from {settings.corpus_dir}. "
            "Until it is ready the chat says so and the API answers 503.",
            file=sys.stderr,
        )

    def ready() -> None:
        warm_up(assistant)
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if server.started:
            _say(f"Ready: {address}")

    def failed(message: str) -> None:
        _say(f"error: {message}")

    readiness.start(terminal.progress("Building the index"), on_ready=ready, on_error=failed)
    server.run()
    if not server.started:
        raise SystemExit(1)  # uvicorn has said why (the port is taken, say)


def _say(line: str) -> None:
    """One whole line on stderr in a single write: print() writes the text and its newline
    apart, and the access log, written from other threads, could land between them."""
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def main() -> None:
    """Serves with settings from ASSISTANT_* variables (`python -m ui.server`)."""
    from assistant.terminal import show_library_messages

    show_library_messages()
    serve(Settings.from_env())


if __name__ == "__main__":
    main()
