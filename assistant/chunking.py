"""Splits documents into chunks that keep their title and heading as context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from langchain_core.documents import Document

from assistant import analysis
from assistant.analysis import Entity
from assistant.documents import SourceDocument

_HEADINGS = [("#", "h1"), ("##", "h2"), ("###", "h3")]
# Paragraphs first, then lines, then sentence ends, so a chunk rarely stops mid-sentence.
_SEPARATORS = ["\n\n", "\n", r"(?<=[.!?])\s+", r"(?<=[;:])\s+", " ", ""]


def date_ord(date: str | None) -> int:
    """A date as YYYYMMDD, the form Chroma can compare; 0 when undated."""
    return int(dt.date.fromisoformat(date).strftime("%Y%m%d")) if date else 0


def split(doc: SourceDocument, chunk_size: int, chunk_overlap: int) -> list[Document]:
    """Chunks one document with its named entities; each chunk starts with a
    'Title › Heading' context line."""
    return split_all([doc], chunk_size, chunk_overlap)


def split_all(
    docs: Sequence[SourceDocument], chunk_size: int, chunk_overlap: int
) -> list[Document]:
    """Chunks every document, then finds the named entities of all chunks in one spaCy
    pass (which batches across documents)."""
    chunks = [c for doc in docs for c in cut(doc, chunk_size, chunk_overlap)]
    annotate(chunks, analysis.entities_of(c.page_content for c in chunks))
    return chunks


def cut(doc: SourceDocument, chunk_size: int, chunk_overlap: int) -> list[Document]:
    """Chunks one document, without its named entities (`annotate` adds them)."""
    from langchain_text_splitters import (
        MarkdownHeaderTextSplitter,
        RecursiveCharacterTextSplitter,
    )

    sections = MarkdownHeaderTextSplitter(_HEADINGS, strip_headers=True).split_text(doc.text)
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        separators=_SEPARATORS,
        is_separator_regex=True,
        keep_separator="end",
    )
    chunks: list[Document] = []
    for section in sections:
        heading = " › ".join(
            str(section.metadata[key])
            for _, key in _HEADINGS
            if key in section.metadata and section.metadata[key] != doc.title
        )
        context = f"{doc.title} › {heading}" if heading else doc.title
        for body in splitter.split_text(section.page_content):
            if not body.strip():
                continue
            chunks.append(
                Document(
                    page_content=f"{context}\n\n{body.strip()}",
                    metadata={
                        "source": doc.source,
                        "title": doc.title,
                        "heading": heading,
                        "date": doc.date or "",
                        "date_ord": date_ord(doc.date),
                        "kind": doc.kind,
                        "urls": " ".join(doc.urls),
                        "position": len(chunks),
                    },
                )
            )
    return chunks


def annotate(chunks: Sequence[Document], entities: Iterable[Sequence[Entity]]) -> None:
    """Stores each chunk's named entities (offsets into its text) in its metadata: parsed
    once at ingestion, so answering never re-parses the corpus."""
    for chunk, found in zip(chunks, entities, strict=True):
        chunk.metadata["entities"] = analysis.dump(found)


def body(chunk_text: str) -> str:
    """The chunk's text without its context line."""
    head, sep, rest = chunk_text.partition("\n\n")
    return rest if sep else head


def body_offset(chunk_text: str) -> int:
    """Where the body starts inside the chunk's text."""
    head, sep, _ = chunk_text.partition("\n\n")
    return len(head) + len(sep) if sep else 0
