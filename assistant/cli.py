"""The `nato-assistant` command: ingest, ask, chat, serve, eval."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant import eval_cli, serve_cli, terminal
from assistant.errors import AssistantError, BadQuestion
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.pipeline import Assistant

Command = Callable[[argparse.Namespace, Settings], int]


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("settings (override ASSISTANT_* variables)")
    group.add_argument("--corpus-dir", type=Path, help="source documents (ASSISTANT_CORPUS_DIR)")
    group.add_argument("--index-dir", type=Path, help="where the index lives (ASSISTANT_INDEX_DIR)")
    group.add_argument("--embedding-model", help="embedding model name or folder")
    group.add_argument("--generator", help="answer generator: extractive, openai, huggingface")
    group.add_argument("--chroma-url", help="a `chroma run` server instead of the embedded store")
    return common


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one subcommand per job."""
    parser = argparse.ArgumentParser(
        prog="nato-assistant",
        description="Answers questions about NATO consultations from a cited corpus.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = _common()

    ingest = sub.add_parser("ingest", parents=[common], help="index the corpus (incremental)")
    ingest.add_argument("paths", nargs="*", type=Path, help="files or folders (default: corpus)")
    ingest.add_argument("--json", action="store_true", help="print the report as JSON")
    ingest.add_argument("--strict", action="store_true", help="fail if any file is skipped")
    ingest.add_argument(
        "--rebuild",
        action="store_true",
        help="rebuild from scratch (needed after changing the embedding model)",
    )
    ingest.set_defaults(run=cmd_ingest)

    ask = sub.add_parser("ask", parents=[common], help="answer one question")
    ask.add_argument("question")
    ask.add_argument("--history", type=Path, help="JSON file: earlier turns [{role, content}]")
    ask.add_argument("--json", action="store_true", help="print the answer object as JSON")
    ask.add_argument("--top-k", type=int, help="passages to retrieve")
    ask.add_argument("--source", action="append", default=[], help="only this source (repeatable)")
    ask.add_argument("--date-from", help="only sources dated on or after YYYY-MM-DD")
    ask.add_argument("--date-to", help="only sources dated on or before YYYY-MM-DD")
    ask.set_defaults(run=cmd_ask)

    chat = sub.add_parser("chat", parents=[common], help="a conversation in the terminal")
    chat.set_defaults(run=cmd_chat)

    # Subcommands with more options live in modules of their own (argparse work only at
    # import time; what they run loads when they run).
    for register in (serve_cli.register, eval_cli.register):
        register(sub, common)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    """Environment first, then the command line's options on top."""
    keys = (
        "corpus_dir",
        "index_dir",
        "embedding_model",
        "generator",
        "chroma_url",
        "host",
        "port",
        "root_path",
    )
    return Settings.from_env(**{k: getattr(args, k, None) for k in keys})


def _assistant(settings: Settings) -> Assistant:
    from assistant.pipeline import build_assistant

    return build_assistant(settings)


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    assistant = _assistant(settings)
    report = assistant.ingest(
        args.paths or None,
        strict=args.strict,
        rebuild=args.rebuild,
        progress=terminal.progress("Embedding"),
    )
    print(json.dumps(report.to_dict(), indent=2) if args.json else terminal.summary(report))
    return 0


def read_history(path: Path | None) -> Any:
    if path is None:
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadQuestion(f"No history file at {path}.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadQuestion(f"The history file {path} is not valid JSON ({exc}).") from None


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    assistant = terminal.ready(_assistant(settings))
    filters = {"sources": args.source, "date_from": args.date_from, "date_to": args.date_to}
    answer = assistant.ask(
        args.question, history=read_history(args.history), filters=filters, top_k=args.top_k
    )
    print(
        json.dumps(answer.to_dict(), ensure_ascii=False, indent=2)
        if args.json
        else terminal.render(answer)
    )
    return 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    assistant = terminal.ready(_assistant(settings))
    assistant.index.check_ready()
    history: list[dict[str, str]] = []
    print("Ask about NATO consultations. /new starts over, /quit or Ctrl-D leaves.")
    while True:
        try:
            question = input("\nyou> ").strip()
        except EOFError:
            print()
            return 0
        if question in ("/quit", "/exit"):
            return 0
        if question == "/new":
            history.clear()
            print("(new conversation)")
            continue
        if not question:
            continue
        try:
            answer = assistant.ask(question, history=history)
        except BadQuestion as exc:
            print(f"! {exc}")
            continue
        print("\n" + terminal.render(answer))
        history += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer.answer},
        ]


def _quiet_libraries() -> None:
    # Model loading prints progress bars and hub warnings that say nothing to a user.
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; errors become one line on stderr and a non-zero exit."""
    args = build_parser().parse_args(argv)
    _quiet_libraries()
    if args.command != "serve":  # the server configures logging itself (ASSISTANT_LOG_FORMAT)
        terminal.show_library_messages()
    settings: Settings | None = None
    try:
        settings = settings_from(args)
        return int(args.run(args, settings))
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        from assistant import storage

        explained = storage.explain(exc, settings.index_dir) if settings else None
        print(f"error: {explained or f'unexpected {type(exc).__name__}: {exc}'}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
