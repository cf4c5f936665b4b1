"""Text from outside (questions, earlier turns, filters) made safe to process and to echo."""

from __future__ import annotations

import re

# A lone surrogate (JSON's "\ud800") is a valid JSON string but no valid Unicode text: the
# tokenizer and the UTF-8 encoder of every response refuse it.
_SURROGATE = re.compile("[\ud800-\udfff]")
# Control characters other than tab and line breaks, C1 controls included.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# HTML comments, script and style elements with their content, and tags.
_MARKUP = re.compile(
    r"<!--.*?(?:-->|\Z)|<(script|style)\b[^>]*>.*?(?:</\1\s*>|\Z)|</?[A-Za-z][^<>]*>",
    re.DOTALL | re.IGNORECASE,
)


def clean_text(value: str) -> str:
    """Drops lone surrogates and turns control characters into spaces."""
    return _CONTROL.sub(" ", _SURROGATE.sub("", value))


def strip_markup(value: str) -> str:
    """Removes HTML tags, comments and scripts, so markup cannot change what is asked."""
    return _MARKUP.sub(" ", value)


def clean_question(value: str) -> str:
    """A question as the assistant reads it: clean text, no markup."""
    return strip_markup(clean_text(value))
