"""Shaping loaded text the same way for every format: readable table rows, passage-sized pieces.

Retrieval and answering see plain text only, so structure that carries meaning must survive as words:
a dosing table becomes one self-describing line per row ("Drug: Azathioprine; Routes and Dosage
Ranges: 1 mg/kg orally …"), and long sections are cut where a reader would pause, never mid-sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

MAX_WORDS = 350

# A table cell: its visual lines joined by "\n", its colspan and its rowspan. Lines are kept apart
# until the cell's role is known: a header's lines are one label, a body cell's may be separate items.
Cell = tuple[str, int, int]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[A-Z0-9])")
_ENDS_A_CLAUSE = (".", ":", ";", ",", "!", "?")


def clean(text: str) -> str:
    """Whitespace collapsed to single spaces."""
    return " ".join(text.split())


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens: "What Is Homeostasis?" -> "what-is-homeostasis"."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


def element_lines(
    element: etree._Element,
    *,
    breaks: frozenset[str] = frozenset(),
    skip: frozenset[str] = frozenset(),
) -> list[str]:
    """An XML element's text as lines: break elements and list items (``item``) start new lines.

    Elements named in ``skip`` (figures, footnotes) contribute nothing but their tail. Entity
    references are not text: an unresolved ``&x;`` from a hostile file stays out.
    """
    lines = [""]

    def visit(node: etree._Element) -> None:
        if node.text:
            lines[-1] += node.text
        for child in node:
            if not isinstance(child.tag, str):
                pass  # entity references, processing instructions
            elif local_name(child) in breaks:
                lines.append("")
            elif local_name(child) in skip:
                pass
            elif local_name(child) == "item":
                lines.append("")
                visit(child)
                lines.append("")
            else:
                visit(child)
            if child.tail:
                lines[-1] += child.tail

    visit(element)
    return [clean(line) for line in lines if line.strip()]


def join_lines(lines: Iterable[str]) -> str:
    """Visual lines of one table cell as one run of text.

    Lines that already end a clause, or a line opening with a parenthesis ("Dexamethasone" /
    "(Decadron)"), join with a space; other breaks separated items, so they become "; ".
    """
    text = ""
    for line in lines:
        if not text:
            text = line
        elif text.endswith(_ENDS_A_CLAUSE) or line.startswith("("):
            text += " " + line
        else:
            text += "; " + line
    return text


def span(value: str | None) -> int:
    """A colspan or rowspan attribute as a count; missing or nonsense values span one."""
    return int(value) if value and value.strip().isdigit() and int(value) > 0 else 1


def grid(rows: list[list[Cell]]) -> list[list[str | None]]:
    """Rows of spanning cells laid out on columns.

    A row-spanning cell is repeated in the rows below, so each rendered row stands on its own (a drug
    name spanning its dosing rows); a column-spanning cell fills its first column and marks the others
    None.
    """
    laid: list[list[str | None]] = []
    pending: dict[int, tuple[str | None, int]] = {}  # column -> (text, rows still to fill)
    for row in rows:
        out: list[str | None] = []
        cells = iter(row)
        while True:
            column = len(out)
            if column in pending:
                text, left = pending.pop(column)
                out.append(text)
                if left > 1:
                    pending[column] = (text, left - 1)
                continue
            cell = next(cells, None)
            if cell is None:
                break
            text, colspan, rowspan = cell
            for offset in range(max(colspan, 1)):
                out.append(text if offset == 0 else None)
                if rowspan > 1:
                    pending[column + offset] = (out[-1], rowspan - 1)
        laid.append(out)
    return laid


def _headers(head: list[list[str | None]]) -> list[str]:
    """One label per column from one or more header rows; a spanning group label joins each column."""
    width = max((len(row) for row in head), default=0)
    labels: list[list[str]] = [[] for _ in range(width)]
    for row in head:
        text = ""
        for column in range(width):
            cell = row[column] if column < len(row) else ""
            if cell is not None:
                text = clean(cell)
            if text and text not in labels[column]:
                labels[column].append(text)
    return [" ".join(parts) for parts in labels]


def _leading_header_rows(rows: list[list[str | None]]) -> int:
    """How many top rows of a table without a marked header are headers: those with an empty corner."""
    count = 0
    for row in rows:
        if row and not row[0] and any(row[1:]):
            count += 1
        else:
            break
    return count if count < len(rows) else 0


def _row_line(row: list[str | None], labels: list[str]) -> str:
    filled = [
        (labels[i] if i < len(labels) else "", join_lines(text.split("\n"))) for i, text in enumerate(row) if text
    ]
    if len(filled) == 1:
        return filled[0][1]  # a spanning sub-heading or note row
    parts = []
    for label, text in filled:
        if label and label != text:
            parts.append(f"{label.rstrip(':')}: {text}")
        else:
            parts.append(text)
    return "; ".join(parts)


def table_lines(
    body: list[list[str | None]],
    head: list[list[str | None]] | None = None,
    caption: str = "",
    notes: Iterable[str] = (),
) -> list[str]:
    """A table as readable lines: caption, then "Header: cell; Header: cell" per row, then notes."""
    if not head:
        count = _leading_header_rows(body)
        head, body = body[:count], body[count:]
    labels = _headers(head)
    lines = [caption] if caption else []
    for row in body:
        if [clean(text or "") for text in row] == labels[: len(row)]:
            continue  # the header repeated inside the body
        line = _row_line(row, labels)
        if line:
            lines.append(line)
    lines.extend(note for note in notes if note)
    return lines


def _split_long(text: str, max_words: int) -> list[str]:
    """A block too long for one passage, cut at line ends, then sentence ends, then word counts."""
    units: list[str] = []
    for line in text.split("\n"):
        if len(line.split()) <= max_words:
            units.append(line)
            continue
        for sentence in _SENTENCE_END.split(line):
            words = sentence.split()
            units.extend(" ".join(words[i : i + max_words]) for i in range(0, len(words), max_words))
    return units


def passage_texts(blocks: Iterable[str], max_words: int = MAX_WORDS) -> list[str]:
    """Blocks (paragraphs, lists, tables) packed in order into texts of at most ``max_words`` words.

    A block is only cut when it alone is too long, so pieces end on paragraph boundaries.
    """
    units: list[str] = []
    for block in blocks:
        block = block.strip()
        if not block:
            continue
        if len(block.split()) <= max_words:
            units.append(block)
        else:
            units.extend(_split_long(block, max_words))
    pieces: list[str] = []
    current: list[str] = []
    count = 0
    for unit in units:
        words = len(unit.split())
        if current and count + words > max_words:
            pieces.append("\n".join(current))
            current, count = [], 0
        current.append(unit)
        count += words
    if current:
        pieces.append("\n".join(current))
    return pieces
