"""The last check before an article is shown: every statement rests on a passage that says it.

A statement passes when it has evidence, every quote occurs verbatim in the cited passage as stored,
and the statement's text is that quote trimmed (nothing added). Anything else is removed, so an
article never shows a statement that no passage supports, whoever or whatever wrote it.
"""

from __future__ import annotations

from bedside.answer.article import Article, Statement
from bedside.answer.sentences import supported


def problems(statement: Statement, passages: dict[str, dict]) -> list[str]:
    found = []
    if not statement.evidence:
        found.append("no evidence")
    for evidence in statement.evidence:
        passage = passages.get(evidence.passage_id)
        if passage is None:
            found.append(f"cites {evidence.passage_id}, which is not in the library")
        elif evidence.quote not in passage["text"]:
            found.append(f"quote not found verbatim in {evidence.passage_id}")
        if evidence.n not in statement.citations:
            found.append(f"evidence [{evidence.n}] is not among the citations")
    if statement.evidence and not supported(statement.text, statement.evidence[0].quote):
        found.append("text is not its quote")
    return found


def verify(article: Article, passages: dict[str, dict]) -> list[str]:
    """Remove unsupported statements from the article in place; return what was removed and why."""
    removed = []

    def keep(statements: list[Statement]) -> list[Statement]:
        kept = []
        for statement in statements:
            issues = problems(statement, passages)
            if issues:
                removed.append(f"{statement.text[:60]!r}: {'; '.join(issues)}")
            else:
                kept.append(statement)
        return kept

    article.bottom_line = keep(article.bottom_line)
    for section in article.sections:
        section.statements = keep(section.statements)
    article.sections = [s for s in article.sections if s.statements or s.note]
    article.pitfalls = keep(article.pitfalls)
    return removed
