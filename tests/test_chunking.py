"""Chunks keep their document title and heading, and break at sentence boundaries."""

from __future__ import annotations

import itertools
from pathlib import Path

from assistant.chunking import body, split
from assistant.documents import SourceDocument


def document(text: str) -> SourceDocument:
    return SourceDocument(
        source="doc.md", path=Path("doc.md"), title="Title", text=text, date="2025-09-23"
    )


def test_chunks_carry_title_and_heading_as_context() -> None:
    chunks = split(
        document("# Title\n\n## Part one\n\nFirst fact.\n\n## Part two\n\nSecond."), 800, 100
    )
    assert [c.page_content.splitlines()[0] for c in chunks] == [
        "Title › Part one",
        "Title › Part two",
    ]
    assert body(chunks[0].page_content) == "First fact."
    assert chunks[0].metadata["date_ord"] == 20250923
    assert chunks[1].metadata["heading"] == "Part two"


def test_long_sections_break_between_sentences_within_the_size() -> None:
    sentence = "Turkey asked for consultations under Article 4 after the attack. "
    chunks = split(document("## Long\n\n" + sentence * 40), 300, 60)
    assert len(chunks) > 5
    for chunk in chunks:
        text = body(chunk.page_content)
        assert len(text) <= 300
        assert text.startswith("Turkey") and text.endswith("attack.")


def test_overlap_repeats_the_end_of_one_chunk_at_the_start_of_the_next() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(60))
    chunks = [body(c.page_content) for c in split(document(text), 200, 80)]
    assert any(a.split(". ")[-1] in b for a, b in itertools.pairwise(chunks))
