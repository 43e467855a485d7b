"""Turning what a person typed into search terms, never into query syntax.

User text is reduced to plain lower-case word terms before any index sees it, so quotes, colons,
AND/OR/NOT, wildcards or 100 kB of pasted text cannot trip a query parser.
"""

from __future__ import annotations

import re
import unicodedata

MAX_QUERY_CHARS = 20_000
MAX_TERMS = 64

_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script


class QueryError(ValueError):
    """A query that cannot be searched; the message says why, for the person who typed it."""


def normalise(text: str) -> str:
    """Unicode-normalised, accent-free, lower-case text (ﬁ → fi, é → e, full-width digits → digits)."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def terms(text: str) -> list[str]:
    """The distinct word terms of a query, in order, at most MAX_TERMS of them."""
    if not text or not text.strip():
        raise QueryError("the query is empty")
    found = list(dict.fromkeys(_WORD.findall(normalise(text[:MAX_QUERY_CHARS]))))
    if not found:
        raise QueryError("the query has no words to search for")
    return found[:MAX_TERMS]
