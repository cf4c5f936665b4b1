"""HTML for the chat: answers with citation links, and the sources panel. All text escaped."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Sequence
from urllib.parse import urlparse

from assistant.schema import Answer, Citation

# Citation markers as answers write them: [1], and [1, 2] from some language models.
MARKER = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")
# Quotes and the characters Markdown (and Gradio's templates) would act on: as entities
# they show as themselves, so a document can neither format nor script the page.
_INERT = str.maketrans({c: f"&#{ord(c)};" for c in "\"'\\`*_[]{}#|~$"})

_LINES = re.compile(r"\r\n|\r|\n")

EMPTY_SOURCES = (
    '<div class="sources-empty">Sources appear here. Select a number such as '
    "<b>[1]</b> in an answer to see the passage it comes from.</div>"
)


def text(raw: str) -> str:
    """Escapes text for HTML and neutralises Markdown; line breaks become <br>."""
    # html.escape first (its entities hold none of the characters _INERT replaces).
    return "<br>".join(
        html.escape(line, quote=False).translate(_INERT) for line in _LINES.split(raw)
    )


def question_html(question: str) -> str:
    """The user's message as the chat shows it."""
    return f'<div class="question">{text(question)}</div>'


def partial_html(so_far: str) -> str:
    """An answer still arriving: plain escaped text and a cursor."""
    return f'<div class="answer streaming">{text(so_far)}<span class="cursor">▍</span></div>'


def answer_html(answer: Answer, turn: int) -> str:
    """A finished answer: markers link to the sources panel; a refusal looks different."""
    if answer.refused:
        body = (
            f'<div class="refusal"><span class="badge">Not in the sources</span> '
            f"{text(answer.answer)}</div>"
        )
    else:
        body = f'<div class="answer">{linked(answer.answer, turn, answer.citations)}</div>'
    if answer.fallback:
        body += f'<div class="note">Note: {text(answer.fallback)}</div>'
    return body


def notice_html(message: str) -> str:
    """A message from the app itself (bad input, index not ready), not an answer."""
    return f'<div class="notice">{text(message)}</div>'


def linked(answer: str, turn: int, citations: Sequence[Citation]) -> str:
    """Escaped answer text whose [n] markers link to source n of this turn."""
    known = {c.n for c in citations}
    out: list[str] = []
    pos = 0
    for match in MARKER.finditer(answer):
        numbers = [int(n) for n in match.group(1).split(",")]
        if not all(n in known for n in numbers):
            continue
        out.append(text(answer[pos : match.start()]))
        out.append("".join(_cite_link(turn, n) for n in numbers))
        pos = match.end()
    out.append(text(answer[pos:]))
    return "".join(out)


def _cite_link(turn: int, n: int) -> str:
    return f'<a class="cite" href="#src-{turn}-{n}" title="Show source {n}">&#91;{n}&#93;</a>'


def sources_html(exchanges: Sequence[tuple[int, str, Answer]]) -> str:
    """The sources panel: for each answer (latest first), its cited passages."""
    if not exchanges:
        return EMPTY_SOURCES
    sections = []
    latest = exchanges[-1][0]
    for turn, question, answer in reversed(exchanges):
        if answer.refused or not answer.citations:
            body = '<p class="no-sources">No passage in the sources answers this question.</p>'
        else:
            body = "".join(_source(turn, c, open_=turn == latest) for c in answer.citations)
        sections.append(
            f'<section class="turn" data-turn="{turn}"><h3 class="turn-question">'
            f"{text(question)}</h3>{body}</section>"
        )
    return '<div class="sources">' + "".join(sections) + "</div>"


def _source(turn: int, citation: Citation, open_: bool) -> str:
    p = citation.passage
    date = f'<span class="date">{text(long_date(p.date))}</span>' if p.date else ""
    link = ""
    if urlparse(p.url).scheme in ("http", "https"):
        link = (
            f'<a class="original" href="{html.escape(p.url, quote=True)}" target="_blank" '
            f'rel="noopener noreferrer">Original source ↗</a>'
        )
    context, body = _split_context(p.text)
    section = _section(context, p.title)
    heading = f'<div class="context">{text(section)}</div>' if section else ""
    return (
        f'<details class="source" id="src-{turn}-{citation.n}"{" open" if open_ else ""}>'
        f'<summary><span class="n">{citation.n}</span><span class="title">{text(p.title)}'
        f"</span>{date}</summary>"
        f'<div class="meta">{link}<span class="file">{text(p.source)}</span></div>'
        f'{heading}<div class="chunk">{highlight(body, citation.quote)}</div></details>'
    )


def _section(context: str, title: str) -> str:
    """The heading part of a context line: the title is shown already."""
    parts = [part.strip() for part in context.split("›")]
    if parts and parts[0] == title.strip():
        parts = parts[1:]
    return " › ".join(part for part in parts if part)


def _split_context(chunk: str) -> tuple[str, str]:
    """A chunk's first line is its 'Title › Heading' context; the rest is the passage."""
    first, _, rest = chunk.partition("\n")
    return (first, rest.strip()) if rest.strip() and "›" in first else ("", chunk)


def highlight(chunk: str, quote: str) -> str:
    """The escaped chunk with the quoted sentence marked (matching across line breaks)."""
    words = quote.split()
    if words:
        pattern = r"\s+".join(re.escape(w) for w in words)
        match = re.search(pattern, chunk)
        if match:
            return (
                text(chunk[: match.start()])
                + "<mark>"
                + text(match.group(0))
                + "</mark>"
                + text(chunk[match.end() :])
            )
    marked = f'<p class="quote"><mark>{text(quote)}</mark></p>' if quote else ""
    return marked + text(chunk)


def long_date(iso: str | None) -> str:
    """10 September 2025 for 2025-09-10; other text as it is."""
    try:
        day = dt.date.fromisoformat(iso or "")
    except ValueError:
        return iso or ""
    return f"{day.day} {day:%B %Y}"
