"""The `serve` subcommand; gradio, FastAPI and uvicorn load only when it runs."""

from __future__ import annotations

import argparse

from assistant.settings import Settings


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Adds `nato-assistant serve` to the command line."""
    serve = sub.add_parser(
        "serve",
        parents=[common],
        help="serve the web chat and the HTTP API",
        description="Serves the chat at /, the JSON API at /api and /v1, and /api/health, "
        "in one process. Builds the index in the background if there is none.",
    )
    serve.add_argument("--host", help="address to listen on (ASSISTANT_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (ASSISTANT_PORT, default 7860)")
    serve.add_argument(
        "--root-path",
        help="public sub-path behind a reverse proxy, e.g. /assistant (ASSISTANT_ROOT_PATH)",
    )
    serve.set_defaults(run=cmd_serve)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from ui.server import serve

    serve(settings)
    return 0
