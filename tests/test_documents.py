"""Reading sources: every supported format, metadata, and bad files skipped with a reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant import Settings
from assistant.documents import load


def make_pdf(line: str) -> bytes:
    """A one-page PDF with one line of text, built by hand so no tool is needed."""
    content = f"BT /F1 12 Tf 72 720 Td ({line}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def load_all(settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    result = load([settings.corpus_dir], settings.corpus_dir, 1_000_000)
    return (
        {d.source: d.text for d in result.documents},
        {s.source: s.reason for s in result.skipped},
    )


def test_every_format_is_read_with_its_metadata(make_corpus: Callable[..., Settings]) -> None:
    settings = make_corpus(
        {
            "a.md": "---\ntitle: Front matter title\ndate: 2025-09-10\nkind: news\n"
            "sources:\n  - https://example.org/a\n---\n# Heading\n\nPoland asked for talks.\n",
            "b.txt": "Plain text about Turkey.\n",
            "b.txt.meta.json": '{"title": "Sidecar title", "date": "2012-06-26"}',
            "c.html": "<html><head><title>Page</title><script>alert(1)</script></head>"
            "<body><h1>Top</h1><p>Estonia asked in 2025.</p></body></html>",
            "d.pdf": make_pdf("Article 5 was invoked once."),
        }
    )
    result = load([settings.corpus_dir], settings.corpus_dir, 1_000_000)
    docs = {d.source: d for d in result.documents}
    assert set(docs) == {"a.md", "b.txt", "c.html", "d.pdf"}
    assert result.skipped == []
    assert docs["a.md"].title == "Front matter title"
    assert docs["a.md"].date == "2025-09-10" and docs["a.md"].urls == ("https://example.org/a",)
    assert "---" not in docs["a.md"].text
    assert docs["b.txt"].title == "Sidecar title" and docs["b.txt"].date == "2012-06-26"
    assert docs["c.html"].title == "Page"
    assert "# Top" in docs["c.html"].text and "alert" not in docs["c.html"].text
    assert "Article 5 was invoked once." in docs["d.pdf"].text


def test_bad_files_are_skipped_with_reasons_and_the_rest_is_read(
    make_corpus: Callable[..., Settings],
) -> None:
    settings = make_corpus(
        {
            "good.md": "# Good\n\nA readable document.\n",
            "empty.txt": "  \n\n",
            "binary.txt": b"\x00\x01\x02\x03binary",
            "latin1.txt": "caf\xe9".encode("latin-1"),
            "broken.md": "---\ntitle: [unclosed\n---\nText.\n",
            "baddate.md": "---\ndate: 10/09/2025\n---\nText.\n",
            "badmeta.txt": "Text.",
            "badmeta.txt.meta.json": "{not json",
            "broken.pdf": b"%PDF-1.4 this is not a PDF",
            "image.png": b"\x89PNG",
        }
    )
    docs, skipped = load_all(settings)
    assert set(docs) == {"good.md"}
    assert skipped["empty.txt"].startswith("empty")
    assert skipped["binary.txt"].startswith("binary")
    assert "UTF-8" in skipped["latin1.txt"]
    assert "front matter" in skipped["broken.md"]
    assert "YYYY-MM-DD" in skipped["baddate.md"]
    assert "malformed" in skipped["badmeta.txt"]
    assert "PDF" in skipped["broken.pdf"]
    assert "unsupported" in skipped["image.png"]


def test_oversized_files_are_skipped(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("word " * 1000)
    result = load([big], tmp_path, max_bytes=1000)
    assert result.documents == []
    assert "too large" in result.skipped[0].reason


def test_links_and_paths_leading_out_of_the_corpus_are_skipped(
    make_corpus: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_corpus({"inside.md": "# Inside\n\nA document in the corpus.\n"})
    corpus = settings.corpus_dir
    secret = tmp_path / "secret.txt"
    secret.write_text("The server's private notes.")
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "keys.md").write_text("# Keys\n\nPrivate.\n")
    (corpus / "notes.txt").symlink_to(secret)
    (corpus / "shared").symlink_to(tmp_path / "private", target_is_directory=True)
    (corpus / "again.md").symlink_to(corpus / "inside.md")  # inside: read once, by its name

    docs, skipped = load_all(settings)
    assert set(docs) == {"inside.md"}
    assert set(skipped) == {"notes.txt", "shared"}
    assert all("outside the corpus folder" in reason for reason in skipped.values())

    for given in (secret, corpus / ".." / "secret.txt", corpus / "shared" / "keys.md"):
        result = load([given], corpus, 1_000_000)
        assert result.documents == []
        assert "outside the corpus folder" in result.skipped[0].reason
        assert not result.skipped[0].source.startswith(str(tmp_path / "private"))
