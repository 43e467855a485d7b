"""The article as readable terminal text (rich), in the reading order of the web page."""

from __future__ import annotations

from rich.console import Group
from rich.markup import escape
from rich.text import Text

from bedside.answer.article import Article, Statement
from bedside.library.model import EVIDENCE_LABEL, EvidenceLevel

STATUS_WORDS = {
    "submitted": "Submitted — pending review by the medical advisory board",
    "under_review": "Under review by the medical advisory board",
    "changes_requested": "Changes requested by the medical advisory board",
    "approved": "Approved by the medical advisory board",
}


def statement_line(statement: Statement) -> Text:
    line = Text("  • ")
    line.append(statement.text)
    line.append(" " + "".join(f"[{n}]" for n in statement.citations), style="cyan")
    if statement.indirect:
        line.append(" (indirect)", style="yellow")
    return line


def to_rich(article: Article) -> Group:
    parts: list = [
        Text(article.question, style="bold"),
        Text(STATUS_WORDS.get(article.status, article.status), style="magenta"),
    ]
    if article.abstained:
        parts += [
            Text(""),
            Text(article.abstain_reason, style="yellow"),
            Text("Try naming the condition or drug, or ingest sources that cover it (bedside ingest)."),
        ]
    else:
        parts += [Text(""), Text("Bottom line", style="bold underline"), *map(statement_line, article.bottom_line)]
        for section in article.sections:
            parts += [Text(""), Text(section.heading, style="bold")]
            if section.note:
                parts.append(Text("  " + section.note, style="italic yellow"))
            parts += [statement_line(s) for s in section.statements]
        if article.pitfalls:
            parts += [Text(""), Text("Common pitfalls", style="bold"), *map(statement_line, article.pitfalls)]
        parts += [Text(""), Text("References", style="bold")]
        for ref in article.references:
            level = EVIDENCE_LABEL.get(EvidenceLevel(ref.kind), ref.kind)
            details = ", ".join(str(x) for x in (ref.publisher, ref.year) if x)
            parts.append(
                Text.from_markup(
                    f"  {ref.n}. {escape(ref.title)}"
                    + (f". {escape(details)}" if details else "")
                    + f" [bold]\\[{escape(level)}][/bold] [dim]{escape(ref.url)}[/dim]"
                )
            )
    parts += [
        Text(""),
        Text(article.disclaimer, style="dim"),
        Text(f'Follow up: bedside ask "…" --follow-up {article.id}', style="dim"),
    ]
    return Group(*parts)
