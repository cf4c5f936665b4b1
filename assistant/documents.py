"""Finds and reads source files (.md, .txt, .html, .pdf) with their metadata."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf")
SIDECAR = ".meta.json"


@dataclass(frozen=True)
class SourceDocument:
    """One readable source file: its text (Markdown-like) and metadata."""

    source: str  # path relative to the corpus dir, or absolute when outside it
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
    """The name a file goes by in the index and in citations."""
    path = path.resolve()
    try:
        return path.relative_to(corpus_dir.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def discover(paths: Iterable[Path], corpus_dir: Path) -> tuple[list[Path], list[Skipped]]:
    """Expands folders into the supported files below them; lists the rest as skipped."""
    found: list[Path] = []
    skipped: list[Skipped] = []
    for root in paths:
        if not root.exists():
            skipped.append(Skipped(str(root), "no such file or folder"))
            continue
        candidates = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for path in candidates:
            rel = path.relative_to(root) if root.is_dir() else Path(path.name)
            if any(part.startswith(".") for part in rel.parts) or path.name.endswith(SIDECAR):
                continue
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
        source = source_id(path, corpus_dir)
        try:
            result.documents.append(read(path, source, max_bytes))
        except Rejected as reason:
            result.skipped.append(Skipped(source, str(reason)))
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
