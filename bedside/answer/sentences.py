"""Cutting passages into sentences that can stand alone as statements, without changing a character.

A statement's quote is an exact slice of its passage, so the split works on character spans, and
trimming only removes words from the ends of a sentence, never rewrites it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at . ! ? followed by space and a capital, digit or quote, unless the period closes
# a common abbreviation; a line break always ends one (table rows, list items), and so does a list
# bullet after a full stop ("… on viruses. - Don't pressure your doctor …", as MedQuAD flattens lists).
_ABBREVIATIONS = ("e.g", "i.e", "dr", "vs", "approx", "no", "fig", "et al", "st", "mr", "mrs", "ms", "u.s", "etc")
_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?:-\s+)?(?=[A-Z0-9\"'(\[])|\n+")
_LEADING = re.compile(
    r"^(?:however|in addition|additionally|also|furthermore|moreover|therefore|thus|in fact|overall|"
    r"importantly|in general|generally|finally|first|second|third|then|so|and|but)\s*,?\s+",
    re.IGNORECASE,
)
# A source's pointer to its references, with no content of its own: "[12]", "(CDC, 2022)",
# "(Smith et al., 2019; Lee, n.d.)". The patient version drops them wherever they stand.
_CITATION = r"\[\d+(?:[,\-–]\d+)*\]|\((?:[A-Z][^()\d;]*?, (?:(?:19|20)\d\d[a-z]*|n\.d\.);?\s*)+\)"
CITATIONS = re.compile(rf"\s*(?:{_CITATION})")
# A pointer at the end of a sentence to elsewhere in its source: "(see WARNINGS)", or a citation.
_TRAILING_REFERENCE = re.compile(
    rf"\s*(?:(?i:\((?:see|refer to)[^)]*\)|\[\s*(?:see|refer to)[^\]]*\])|{_CITATION})\s*(?=[.;:]?$)"
)
_BOILERPLATE = re.compile(
    r"click|https?://|www\.|this page|this fact sheet|visit |call 1-|toll-free|contact us|these resources|"
    r"more information|learn more|clinicaltrials\.gov|for more|listed below|the following|see the |"
    r"is a service of|copyright|all rights reserved|\bnih\b.*\bsupports?\b|"
    r"research (?:is|are) (?:being )?(?:done|conducted)|(?:researchers|scientists) (?:hope|are (?:studying|"
    r"investigating|exploring|working|trying))|(?:is|are) (?:exploring|investigating) whether",
    re.IGNORECASE,
)
MIN_WORDS, MAX_WORDS = 6, 70


@dataclass(frozen=True)
class Sentence:
    quote: str  # verbatim from the passage
    text: str  # the quote, trimmed to stand alone (a substring of it, first letter capitalised)


def split(text: str) -> list[str]:
    pieces, start = [], 0
    for match in _BOUNDARY.finditer(text):
        before = text[start : match.start()]
        last_word = before.rsplit(None, 1)[-1].rstrip(".").lower() if before.strip() else ""
        if "\n" in match.group() or last_word not in _ABBREVIATIONS:
            pieces.append(before)
            start = match.end()
    pieces.append(text[start:])
    return [p.strip() for p in pieces if p.strip()]


_REPEATED_START = re.compile(r"^(.{15,}?)\s*(?=\1)")


# A page's own label before its first sentence: "Summary : Hormones are …".
_LABEL = re.compile(r"^(?:summary|overview|key points?)\s*:\s+", re.IGNORECASE)


def trim(quote: str) -> str:
    text = _LABEL.sub("", quote, count=1)
    text = _LEADING.sub("", text, count=1)
    text = _REPEATED_START.sub("", text, count=1)  # "X is indicated: X is indicated: …", as some labels read
    text = _TRAILING_REFERENCE.sub("", text)
    return text[:1].upper() + text[1:] if text else text


def statements_in(passage_text: str) -> list[Sentence]:
    """The sentences of a passage that could be shown as statements."""
    found = []
    for quote in split(passage_text):
        n_words = len(quote.split())
        if not MIN_WORDS <= n_words <= MAX_WORDS or quote.endswith(("?", ":")) or _BOILERPLATE.search(quote):
            continue
        if not (quote[0].isupper() or quote[0].isdigit()):
            continue  # a fragment of a list or a broken sentence
        found.append(Sentence(quote=quote, text=trim(quote)))
    return found


def supported(text: str, quote: str) -> bool:
    """A statement is supported by a quote when it is part of it, or the quote trimmed: nothing added."""
    return bool(text) and (text in quote or (text[:1].lower() + text[1:]) in quote or text == trim(quote))
