"""Test sets: JSONL questions (or an official SQuAD file) read into checked, frozen items."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import BadQuestion, EvalError
from assistant.schema import Turn, parse_history

# Bad lines are listed in the error message up to this many; the count covers them all.
SHOWN_PROBLEMS = 12


@dataclass(frozen=True)
class TestItem:
    """One question with what a good answer looks like."""

    __test__ = False  # a record, not a pytest test class

    id: str
    question: str
    answers: tuple[str, ...] = ()
    reference: str = ""
    sources: tuple[str, ...] = ()
    answerable: bool = True
    history: tuple[Turn, ...] = ()
    kind: str = ""  # the item's class (list, count, two-step...), from its "class" field
    all_answers: bool = False  # every accepted answer must appear (the items of a list)

    @property
    def group(self) -> str:
        """The kind of question: its class if it has one, else single, follow-up or
        unanswerable."""
        if self.kind:
            return self.kind
        if not self.answerable:
            return "unanswerable"
        return "follow-up" if self.history else "single"

    def history_dicts(self) -> list[dict[str, str]]:
        return [{"role": t.role, "content": t.content} for t in self.history]


@dataclass(frozen=True)
class SourceText:
    """A document that comes with a test set (a SQuAD paragraph), written out to be indexed."""

    name: str
    title: str
    text: str


@dataclass(frozen=True)
class TestSet:
    """The items of one test file, in file order, and any corpus that comes with them."""

    __test__ = False

    path: Path
    kind: str  # "jsonl" or "squad"
    items: tuple[TestItem, ...]
    documents: tuple[SourceText, ...] = ()
    limit: int | None = None  # items past it were left out on request (--limit)

    def limited(self, limit: int | None) -> TestSet:
        """The first `limit` items (all of them for None)."""
        if limit is None:
            return self
        if limit < 1:
            raise EvalError(f"--limit must be at least 1, not {limit}.")
        return dataclasses.replace(self, items=self.items[:limit], limit=limit)


def load(path: Path) -> TestSet:
    """Reads a JSONL test set or an official SQuAD JSON file (recognised by its schema).

    Raises:
        EvalError: the file cannot be read, or some lines are not valid items; the
            message names every bad line (nothing is skipped silently).
    """
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise EvalError(f"No test set at {path}.") from None
    except IsADirectoryError:
        raise EvalError(f"{path} is a folder: give the test set's JSONL file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalError(f"The test set {path} cannot be read ({exc}).") from None
    whole = _whole_json(raw)
    if isinstance(whole, Mapping) and isinstance(whole.get("data"), list):
        from assistant.evaluation import squad

        return squad.convert(whole, path)
    return TestSet(path=path, kind="jsonl", items=_jsonl_items(raw, path))


def _whole_json(raw: str) -> Any:
    if not raw.lstrip().startswith("{"):
        return None
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return None  # JSONL: many objects, one a line


def _jsonl_items(raw: str, path: Path) -> tuple[TestItem, ...]:
    items: list[TestItem] = []
    problems: list[str] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(raw.splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not valid JSON ({exc.msg}, column {exc.colno})")
            continue
        try:
            item = parse_item(data)
        except ValueError as exc:
            problems.append(f"line {number}: {exc}")
            continue
        if item.id in first_line:
            problems.append(f"line {number}: id {item.id!r} repeats line {first_line[item.id]}")
            continue
        first_line[item.id] = number
        items.append(item)
    if problems:
        shown = "; ".join(problems[:SHOWN_PROBLEMS])
        more = len(problems) - SHOWN_PROBLEMS
        raise EvalError(
            f"{path} has {len(problems)} bad line(s), so nothing was evaluated: {shown}"
            + (f"; and {more} more" if more > 0 else "")
            + ". Fix them (one JSON object a line, with string 'id' and 'question') and run again."
        )
    if not items:
        raise EvalError(f"{path} holds no questions: write one JSON object a line.")
    return tuple(items)


def parse_item(data: Any) -> TestItem:
    """Checks one decoded line. Raises ValueError saying what is wrong with it."""
    if not isinstance(data, Mapping):
        raise ValueError(f"expected a JSON object, found {_kind(data)}")
    for key in ("id", "question"):
        if key not in data:
            raise ValueError(f"missing {key!r}")
        if not isinstance(data[key], str) or not data[key].strip():
            raise ValueError(f"{key!r} must be a non-empty string, not {_kind(data[key])}")
    answers = _strings(data, "answers")
    sources = _strings(data, "sources")
    reference = data.get("reference")
    if reference is not None and not isinstance(reference, str):
        raise ValueError(f"'reference' must be a string, not {_kind(reference)}")
    answerable = data.get("answerable", True)
    if answerable is None:
        answerable = True
    if not isinstance(answerable, bool):
        raise ValueError(f"'answerable' must be true or false, not {_kind(answerable)}")
    if not answerable and answers:
        raise ValueError("an unanswerable item cannot have accepted 'answers'")
    kind = data.get("class") or ""
    if not isinstance(kind, str):
        raise ValueError(f"'class' must be a string, not {_kind(kind)}")
    every = data.get("all_answers", False)
    if not isinstance(every, bool):
        raise ValueError(f"'all_answers' must be true or false, not {_kind(every)}")
    try:
        history = tuple(parse_history(data.get("history")))
    except BadQuestion as exc:
        raise ValueError(str(exc)) from None
    return TestItem(
        id=data["id"].strip(),
        question=data["question"],
        answers=answers,
        reference=(reference or "").strip(),
        sources=sources,
        answerable=answerable,
        history=history,
        kind=kind.strip(),
        all_answers=every,
    )


def _strings(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ValueError(f"{key!r} must be a list of strings, not {_kind(value)}")
    for i, entry in enumerate(value):
        if not isinstance(entry, str):
            raise ValueError(f"{key!r} must hold strings only; entry {i} is {_kind(entry)}")
        if not entry.strip():
            raise ValueError(f"{key!r} entry {i} is an empty string")
    return tuple(v.strip() for v in value)


def _kind(value: Any) -> str:
    names = {
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        dict: "an object",
        list: "a list",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)
