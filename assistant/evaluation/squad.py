"""SQuAD files: paragraphs become documents named by passage id, questions become items."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from assistant.errors import EvalError
from assistant.evaluation.testset import SourceText, TestItem, TestSet
from assistant.settings import Settings

SUFFIX = ".txt"
META_SUFFIX = ".txt.meta.json"
DOCUMENTS_DIR = "documents"
_UNSAFE = re.compile(r"[/\\\x00]")
_PARAGRAPH_FILE = re.compile(r"#\d+\.txt$")


def passage_id(title: str, index: int) -> str:
    """`Title#index`, the paragraph's name (and its file name without extension)."""
    return f"{_UNSAFE.sub('_', title)}#{index}"


def convert(data: Mapping[str, Any], path: Path) -> TestSet:
    """Turns the official SQuAD JSON into a test set with its paragraphs as documents.

    Every question names the paragraph it was written against as its gold source,
    unanswerable ones too: that paragraph is the one that looks relevant to them.

    Raises:
        EvalError: the JSON does not have SQuAD's shape (the message says where).
    """
    documents: list[SourceText] = []
    items: list[TestItem] = []
    seen: set[str] = set()
    for a, article in enumerate(_list(data, "data", "the file")):
        where = f"data[{a}]"
        if not isinstance(article, Mapping) or not isinstance(article.get("title"), str):
            raise EvalError(f"{path}: {where} needs a string 'title' (not SQuAD's shape).")
        title = article["title"]
        for p, paragraph in enumerate(_list(article, "paragraphs", where)):
            at = f"{where}.paragraphs[{p}]"
            if not isinstance(paragraph, Mapping) or not isinstance(paragraph.get("context"), str):
                raise EvalError(f"{path}: {at} needs a string 'context'.")
            name = passage_id(title, p)
            documents.append(SourceText(name, title.replace("_", " "), paragraph["context"]))
            for q, qa in enumerate(_list(paragraph, "qas", at)):
                item = _item(qa, name, f"{path}: {at}.qas[{q}]")
                if item.id in seen:
                    raise EvalError(f"{path}: {at}.qas[{q}] repeats the question id {item.id!r}.")
                seen.add(item.id)
                items.append(item)
    if not items:
        raise EvalError(f"{path} is a SQuAD file without questions.")
    return TestSet(path=path, kind="squad", items=tuple(items), documents=tuple(documents))


def _list(data: Mapping[str, Any], key: str, where: str) -> Sequence[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise EvalError(f"{where} needs a list '{key}' (not SQuAD's shape).")
    return value


def _item(qa: Any, source: str, where: str) -> TestItem:
    if not isinstance(qa, Mapping) or not isinstance(qa.get("id"), str):
        raise EvalError(f"{where} needs a string 'id'.")
    if not isinstance(qa.get("question"), str):
        raise EvalError(f"{where} needs a string 'question'.")
    impossible = bool(qa.get("is_impossible", False))
    answers: list[str] = []
    for answer in qa.get("answers") or []:
        text = answer.get("text") if isinstance(answer, Mapping) else None
        if not isinstance(text, str):
            raise EvalError(f"{where}: every answer needs a string 'text'.")
        if text.strip() and text.strip() not in answers:
            answers.append(text.strip())
    return TestItem(
        id=qa["id"],
        question=qa["question"],
        answers=() if impossible else tuple(answers),
        sources=(source,),
        answerable=not impossible,
    )


def settings_for(settings: Settings, testset: TestSet) -> Settings:
    """Where a SQuAD run keeps its documents and index.

    The default index holds the project's corpus, so a SQuAD file gets its own beside
    it (`.assistant/squad-<file>/`); an index dir chosen by the user is used as given.
    """
    index_dir = settings.index_dir
    if index_dir == Settings().index_dir:
        slug = re.sub(r"[^\w.-]+", "-", testset.path.stem).strip("-") or "squad"
        index_dir = index_dir.with_name(f"squad-{slug}")
    return settings.replace(index_dir=index_dir, corpus_dir=index_dir / DOCUMENTS_DIR)


def write_documents(testset: TestSet, settings: Settings) -> int:
    """Writes the test set's documents into the corpus dir; returns how many changed.

    Files of an earlier set in the same folder are removed, so the index follows the file.

    Raises:
        EvalError: the index dir already holds documents from elsewhere (another corpus).
    """
    folder = settings.corpus_dir
    wanted = {doc.name + SUFFIX: doc for doc in testset.documents}
    _check_index_is_ours(settings)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        base = old.name.removesuffix(".meta.json")
        if old.is_file() and base.endswith(SUFFIX) and base not in wanted:
            old.unlink()
    changed = 0
    for file_name, doc in wanted.items():
        meta = json.dumps({"title": doc.title, "kind": "document"}, ensure_ascii=False)
        changed += _write_if_changed(folder / file_name, doc.text)
        _write_if_changed(folder / (file_name.removesuffix(SUFFIX) + META_SUFFIX), meta)
    return changed


def _check_index_is_ours(settings: Settings) -> None:
    from assistant.index import Index

    indexed = Index(settings).meta().get("documents", {})
    foreign = sorted(s for s in indexed if not _PARAGRAPH_FILE.search(s))
    if foreign:
        raise EvalError(
            f"The index at {settings.index_dir} holds other documents ({foreign[0]}, ...): "
            "give the SQuAD run an index dir of its own with --index-dir."
        )


def _write_if_changed(path: Path, text: str) -> int:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return 0
    path.write_text(text, encoding="utf-8")
    return 1
