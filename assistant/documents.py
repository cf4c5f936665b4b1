"""Finds and reads source files (.md, .txt, .html, .pdf) with their metadata."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf")
SIDECAR = ".meta.json"


@dataclass(frozen=True)
class SourceDocument:
    """One readable source file: its text (Markdown-like) and metadata."""

    source: str  # path relative to the corpus dir
    path: Path
    title: str
    text: str
    date: str | None = None
    kind: str = "document"
    urls: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        """Hash of everything that shapes the document's chunks."""
        meta = json.dumps([self.title, self.date, self.kind, list(self.urls)])
        return hashlib.sha256((meta + "\n" + self.text).encode()).hexdigest()


@dataclass(frozen=True)
class Skipped:
    """A file that was not ingested, and why."""

    source: str
    reason: str


@dataclass
class LoadResult:
    documents: list[SourceDocument] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


class Rejected(Exception):
    """A file cannot be read; the message is the reason shown to the user."""


def source_id(path: Path, corpus_dir: Path) -> str:
    """The name a file goes by in the index and in citations: its path in the corpus.

    Raises:
        Rejected: the file (once links are followed) lies outside the corpus folder.
    """
    try:
        return path.resolve().relative_to(corpus_dir.resolve()).as_posix()
    except ValueError:
        raise Rejected(OUTSIDE) from None


# Why a file is not read: a corpus folder may be shared, and a link (or a name with ..)
# must not publish a file from elsewhere on the server.
OUTSIDE = (
    "outside the corpus folder (a link or a path leading out of it): not indexed; "
    "copy the file into the corpus to index it"
)


def _walk(root: Path, corpus: Path) -> tuple[list[Path], list[Skipped]]:
    """Files below a folder, without following links to folders; hidden names skipped."""
    files: list[Path] = []
    skipped: list[Skipped] = []
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in list(dirs):
            if (here / name).is_symlink():
                dirs.remove(name)
                if not _inside(here / name, corpus):
                    skipped.append(Skipped(_shown(here / name, corpus), OUTSIDE))
        files += [here / n for n in sorted(names) if not n.startswith(".")]
    return files, skipped


def _inside(path: Path, corpus: Path) -> bool:
    resolved = path.resolve()
    return resolved == corpus or corpus in resolved.parents


def _shown(path: Path, corpus: Path) -> str:
    """How a skipped file is named in the report: by its place in the corpus if it has one."""
    absolute = Path(os.path.abspath(path))
    try:
        return absolute.relative_to(corpus).as_posix()
    except ValueError:
        return str(path)


def discover(paths: Iterable[Path], corpus_dir: Path) -> tuple[list[Path], list[Skipped]]:
    """Expands folders into the supported files below them; lists the rest as skipped.

    Only files inside the corpus folder are found: links leading out of it and paths
    outside it are listed as skipped, with the reason.
    """
    corpus = corpus_dir.resolve()
    found: list[Path] = []
    skipped: list[Skipped] = []
    seen: set[Path] = set()
    for root in paths:
        if not root.exists():
            skipped.append(Skipped(str(root), "no such file or folder"))
            continue
        if not _inside(root, corpus):
            skipped.append(Skipped(_shown(root, corpus), OUTSIDE))
            continue
        candidates, outside = _walk(root, corpus) if root.is_dir() else ([root], [])
        skipped += outside
        for path in candidates:
            if path.name.endswith(SIDECAR) or not path.is_file():
                continue
            if not _inside(path, corpus):
                skipped.append(Skipped(_shown(path, corpus), OUTSIDE))
                continue
            if path.resolve() in seen:  # a link to a file that is indexed under its own name
                continue
            seen.add(path.resolve())
            if path.suffix.lower() in SUPPORTED:
                found.append(path)
            elif root.is_file() or path.suffix.lower() not in (".json", ".jsonl", ".py"):
                skipped.append(
                    Skipped(
                        source_id(path, corpus_dir),
                        f"unsupported file type {path.suffix or '(none)'}",
                    )
                )
    return found, skipped


def load(paths: Iterable[Path], corpus_dir: Path, max_bytes: int) -> LoadResult:
    """Reads every supported file below the paths; bad files are skipped with a reason."""
    files, skipped = discover(paths, corpus_dir)
    result = LoadResult(skipped=skipped)
    for path in files:
        try:
            # Named again just before reading: a file swapped for a link since it was
            # found is held to the same boundary.
            source = source_id(path, corpus_dir)
            result.documents.append(read(path, source, max_bytes))
        except Rejected as reason:
            result.skipped.append(Skipped(_shown(path, corpus_dir.resolve()), str(reason)))
    return result


def read(path: Path, source: str, max_bytes: int) -> SourceDocument:
    """Reads one file. Raises Rejected with a reason a person can act on."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise Rejected(
                f"too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB)"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise Rejected(f"cannot be read ({exc.strerror or exc})") from None
    suffix = path.suffix.lower()
    meta = _sidecar(path)
    if suffix == ".pdf":
        title, text = _pdf(data)
    else:
        raw = _decode(data)
        if suffix in (".html", ".htm"):
            title, text = _html(raw)
        elif suffix in (".md", ".markdown"):
            front, text = _front_matter(raw)
            meta = {**front, **meta}
            title = _first_heading(text)
        else:
            title, text = None, raw
    if not text.strip():
        raise Rejected("empty: no text to index")
    return _document(path, source, text, meta, title)


def _document(
    path: Path, source: str, text: str, meta: dict[str, object], title: str | None
) -> SourceDocument:
    date = meta.get("date")
    if isinstance(date, dt.date):
        date = date.isoformat()
    if date is not None:
        date = str(date)
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            raise Rejected(f"metadata date {date!r} is not a YYYY-MM-DD date") from None
    urls = meta.get("sources", ())
    if isinstance(urls, str):
        urls = (urls,)
    if not isinstance(urls, (list, tuple)) or not all(isinstance(u, str) for u in urls):
        raise Rejected("metadata 'sources' must be a list of addresses")
    kind = str(meta.get("kind") or "document")
    return SourceDocument(
        source=source,
        path=path,
        title=str(meta.get("title") or title or path.stem.replace("_", " ").replace("-", " ")),
        text=text.replace("\r\n", "\n").strip() + "\n",
        date=date,
        kind=kind,
        urls=tuple(urls),
    )


def _decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise Rejected("binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Rejected(f"not UTF-8 text (bad byte at offset {exc.start})") from None


def _sidecar(path: Path) -> dict[str, object]:
    side = path.with_name(path.name + SIDECAR)
    if not side.exists():
        return {}
    try:
        meta = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Rejected(f"metadata file {side.name} is malformed ({exc})") from None
    if not isinstance(meta, dict):
        raise Rejected(f"metadata file {side.name} must hold a JSON object")
    return meta


_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)


def _front_matter(raw: str) -> tuple[dict[str, object], str]:
    match = _FRONT.match(raw)
    if not match:
        return {}, raw
    import yaml  # lazy: only Markdown with front matter needs it

    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise Rejected(f"malformed front matter ({str(exc).splitlines()[0]})") from None
    if not isinstance(meta, dict):
        raise Rejected("front matter must be a mapping of fields")
    return meta, raw[match.end() :]


def _first_heading(text: str) -> str | None:
    match = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else None


def _html(raw: str) -> tuple[str | None, str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(raw, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "nav", "footer"]):
        tag.decompose()
    for level in range(1, 7):
        for h in soup.find_all(f"h{level}"):
            h.replace_with(f"\n\n{'#' * level} {h.get_text(' ', strip=True)}\n\n")
    for block in soup.find_all(["p", "li", "div", "br", "tr"]):
        block.insert_after("\n\n" if block.name != "br" else "\n")
    title = soup.title.get_text(strip=True) if soup.title else None
    if soup.title:
        soup.title.decompose()
    text = re.sub(r"[ \t]+", " ", soup.get_text())
    text = re.sub(r"\n\s*\n+", "\n\n", text)
    return title or _first_heading(text), text.strip()


def _pdf(data: bytes) -> tuple[str | None, str]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise Rejected("encrypted PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
        title = reader.metadata.title if reader.metadata else None
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise Rejected(f"malformed PDF ({exc})") from None
    return title, "\n\n".join(p.strip() for p in pages if p.strip())
