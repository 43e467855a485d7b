"""Turning what a person typed into search terms, never into query syntax.

User text is reduced to plain lower-case word terms before any index sees it, so quotes, colons,
AND/OR/NOT, wildcards or 100 kB of pasted text cannot trip a query parser.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

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


# Words that carry the politeness and framing of a consumer message, not its medical content.
FILLER = frozenset(
    [
        "hi",
        "hello",
        "hey",
        "dear",
        "sir",
        "madam",
        "doctor",
        "dr",
        "thank",
        "thanks",
        "thankyou",
        "please",
        "pls",
        "plz",
        "kindly",
        "regards",
        "sincerely",
        "wondering",
        "wonder",
        "wondered",
        "curious",
        "know",
        "knowing",
        "tell",
        "let",
        "need",
        "want",
        "wanted",
        "like",
        "would",
        "could",
        "question",
        "questions",
        "ask",
        "asking",
        "answer",
        "help",
        "info",
        "anyone",
        "someone",
        "somebody",
        "really",
        "just",
        "also",
        "get",
        "got",
        "im",
        "ive",
        "id",
        "iam",
        "am",
        "my",
        "me",
        "i",
        "you",
        "your",
        "we",
        "our",
        "us",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "what",
        "which",
        "who",
        "whom",
        "how",
        "why",
        "when",
        "where",
        "does",
        "do",
        "did",
        "can",
        "will",
        "shall",
        "should",
        "may",
        "might",
        "must",
        "have",
        "has",
        "had",
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "about",
        "as",
        "into",
        "any",
        "some",
    ]
)
# Subject lines that name the inbox, not the question.
EMPTY_SUBJECTS = frozenset(
    [
        "general health",
        "consultation",
        "customer service request",
        "question",
        "help",
        "information",
        "inquiry",
        "symptoms and diagnosis",
        "can't find an answer",
    ]
)


@dataclass
class AnalysedQuery:
    """A question as search understands it: content words (typos corrected) and the names it mentions."""

    text: str
    terms: list[str]
    corrections: dict[str, str] = field(default_factory=dict)
    names: list[tuple[str, list[str]]] = field(default_factory=list)

    def lexical_query(self) -> str:
        """A tantivy query built only from our own clean words, with boosts: never user syntax.

        The names a question mentions are what it is about, so their words count double and their
        other names (abbreviation, lay or clinical synonym, brand or generic) count as much as a typed
        word; a long consumer message otherwise drowns its one disease name in ordinary words."""
        named = {word for name, _ in self.names for word in name.split()}
        parts = [f"{t}^2" if t in named else t for t in self.terms]
        for name, alternatives in self.names:
            if " " in name:
                parts.append(f'"{name}"^1.5')
            parts.extend(f'"{alt}"' if " " in alt else alt for alt in alternatives)
        return " ".join(parts)


def analyse(text: str, vocabulary) -> AnalysedQuery:
    words = terms(text)
    corrections = {w: fixed for w in words if (fixed := vocabulary.correct(w))}
    # A correction is added beside the word, not put in its place: if it was wrong, the word typed
    # still counts.
    content = list(dict.fromkeys(t for w in words if w not in FILLER for t in (w, corrections.get(w, w)))) or words
    capitals = {normalise(w) for w in _WORD.findall(text[:MAX_QUERY_CHARS]) if len(w) > 1 and w.isupper()}
    names = vocabulary.names_in([corrections.get(w, w) for w in words], capitals)
    return AnalysedQuery(text=text[:MAX_QUERY_CHARS], terms=content, corrections=corrections, names=names)


def subject_and_message(subject: str, message: str) -> str:
    """One question from an email-like subject and message: the subject often names the drug or
    disease the message leaves out, unless it only names the inbox ("General health")."""
    subject, message = subject.strip(), message.strip()
    if not subject or subject.lower().strip(" .!?") in EMPTY_SUBJECTS or subject.lower() in message.lower():
        return message or subject
    return f"{subject}. {message}"
