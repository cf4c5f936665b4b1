"""The web server: the JSON API and the Gradio chat in one FastAPI app, run by uvicorn."""

from __future__ import annotations

import logging
import sys

import gradio as gr
from fastapi import FastAPI

from assistant import logs
from assistant.api import create_api
from assistant.asgi import NoWebSockets
from assistant.pipeline import Assistant, build_assistant
from assistant.readiness import Readiness
from assistant.settings import Settings
from assistant.telemetry import Observe
from ui import access
from ui.app import create_app, page_options
from ui.feedback import FeedbackStore

log = logging.getLogger("nato_assistant.server")


def create_server(
    assistant: Assistant, readiness: Readiness | None = None, feedback: FeedbackStore | None = None
) -> FastAPI:
    """The whole site: the API at /api and /v1, the chat at /, one access policy for both."""
    settings = assistant.settings
    readiness = readiness or Readiness(assistant)
    app = create_api(assistant, readiness)
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


def warm_up(assistant: Assistant) -> None:
    """Loads the embedding model and lexical index now, so the first question is quick."""
    try:
        assistant.retrieve("Article 4 consultations")
    except Exception:  # the first question will report the problem
        log.warning("Warm-up failed; the first question will retry.", exc_info=True)


def serve(settings: Settings) -> None:
    """Builds the index if missing (in the background, with progress), then serves."""
    import uvicorn

    from assistant.cli import progress_bar

    sys.stderr = logs.BoundedStream(sys.stderr)
    assistant = build_assistant(settings)
    readiness = Readiness(assistant)
    app = create_server(assistant, readiness)
    if not assistant.index.exists():
        print(
            f"No index at {settings.index_dir}: building it now. Until it is ready the "
            "chat says so and the API answers 503.",
            file=sys.stderr,
        )
    readiness.start(
        progress=progress_bar("Building the index"), on_ready=lambda: warm_up(assistant)
    )
    where = f"http://{settings.host}:{settings.port}"
    print(
        f"Chat at {where}{settings.root_path}/ · API at {where}{settings.root_path}/api/ask "
        f"and /v1/chat/completions · OpenAPI at {where}{settings.root_path}/openapi.json",
        file=sys.stderr,
    )
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        root_path=settings.root_path,
        proxy_headers=True,
        log_level="info",
        log_config=logs.config(settings.log_format),
        access_log=False,  # Observe logs each request, without its query string
    )


def main() -> None:
    """Serves with settings from ASSISTANT_* variables (`python -m ui.server`)."""
    serve(Settings.from_env())


if __name__ == "__main__":
    main()
