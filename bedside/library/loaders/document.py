"""The user's own documents: Markdown or HTML with a small metadata header, e.g. a local guideline.

Both formats take a front-matter block at the very top of the file::

    ---
    title: Hypertension in adults
    kind: guideline
    publisher: Our Hospital Pharmacy Committee
    year: 2024
    url: https://intranet.example.org/guidelines/hypertension
    authors: A. Smith, B. Jones
    licence: internal use
    ---

An HTML file may instead carry the same fields as ``<meta name="bedside:title" content="…">`` tags
(front matter wins where both give a field), and falls back to its ``<title>``. ``title`` is required;
``kind`` is one of the evidence levels (default ``other``). Files without either header are not this
format, so a README in a folder is skipped. Passages follow the headings (h1–h3, ``#`` to ``###``);
only text is kept, never markup.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterator
from pathlib import Path

import lxml.html
from lxml import etree

from bedside.library.loaders._files import read_text
from bedside.library.loaders._text import clean, grid, passage_texts, slugify, span, table_lines
from bedside.library.model import EvidenceLevel, LoaderError, Passage, Source

NAME = "document"
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
FIELDS = ("title", "kind", "publisher", "year", "url", "authors", "licence")
ALIASES = {"license": "licence", "author": "authors"}
KINDS = [level.value for level in EvidenceLevel]
YEARS = range(1800, 2101)

FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?:(?!---).*\r?\n)*?[ \t]*title[ \t]*:", re.IGNORECASE)
BEDSIDE_META = re.compile(rb"<meta\s[^>]*name\s*=\s*[\"']?bedside:", re.IGNORECASE)

# Markdown blocks
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
LIST_ITEM = re.compile(r"^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$")
FENCE = re.compile(r"^ {0,3}(```|~~~)")
RULE = re.compile(r"^ {0,3}([-*_])(\s*\1){2,}\s*$")
TABLE_DELIMITER = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+")
# Markdown inline syntax, replaced by its text in this order.
INLINE = [
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # [text](url)
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # [text][ref]
    (re.compile(r"<((?:https?|mailto):[^>\s]+)>"), r"\1"),  # autolinks
    (re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"), ""),  # inline HTML tags; "<30 kg" is text
    (re.compile(r"`([^`]+)`"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),
    (re.compile(r"~~(.+?)~~"), r"\1"),
]
ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
# Raw HTML inside Markdown: what it runs or styles is not text.
HIDDEN_HTML = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)

# HTML elements whose content is not document text.
NOT_TEXT = ("script", "style", "noscript", "template", "head", "iframe", "object", "embed", "svg", "canvas")
HTML_HEADINGS = {"h1", "h2", "h3"}
HTML_BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "aside",
    "nav",
    "blockquote",
    "pre",
    "dl",
    "dt",
    "dd",
    "h4",
    "h5",
    "h6",
    "figure",
    "figcaption",
    "address",
    "details",
    "summary",
    "hr",
    "li",
    "form",
    "fieldset",
    "center",
}


def _format(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes.pop()
    suffix = suffixes[-1] if suffixes else ""
    return "markdown" if suffix in MARKDOWN_SUFFIXES else "html" if suffix in HTML_SUFFIXES else ""


def sniff(path: Path, head: bytes) -> bool:
    kind = _format(path)
    text = head.decode("utf-8", errors="replace")
    if kind and FRONT_MATTER.match(text):
        return True
    return kind == "html" and bool(BEDSIDE_META.search(head))


def load(path: Path) -> Iterator[Source]:
    text = read_text(path)
    fields, body = _front_matter(path, text.lstrip() if _format(path) == "html" else text)
    if _format(path) == "html":
        root = _parse_html(path, body)
        fields = {**_meta_fields(path, root), **fields}
        fields.setdefault("title", clean(root.findtext(".//title") or ""))
        sections = _html_sections(root)
    else:
        sections = _markdown_sections(body)
    source = _source(path, fields)
    for heading, blocks in sections:
        source.passages.extend(Passage(text=piece, section=heading or source.title) for piece in passage_texts(blocks))
    source.finalise()
    if not source.passages:
        raise LoaderError(f"{path}: the document has a header but no text")
    yield source


def _digest(identity: str) -> str:
    """A stable id suffix: the same URL (or file name) keeps its source id across edits."""
    return hashlib.sha256(identity.encode()).hexdigest()[:8]


def _front_matter(path: Path, text: str) -> tuple[dict[str, str], str]:
    """The ``key: value`` fields of the ``---`` block at the top, and the text after it."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        raise LoaderError(f"{path}: the front matter opened with '---' on line 1 is never closed")
    fields: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, colon, value = line.partition(":")
        if not colon or not key.strip():
            raise LoaderError(f"{path}: front matter line {number} should read 'key: value', got {line.strip()!r}")
        name = _field_name(key)
        if name in FIELDS:  # other keys belong to other tools (a static-site generator's layout:)
            fields[name] = _unquote(value.strip())
    return fields, "\n".join(lines[end + 1 :])


def _field_name(key: str) -> str:
    name = key.strip().lower()
    return ALIASES.get(name, name)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _source(path: Path, fields: dict[str, str]) -> Source:
    """The source the header describes, its fields checked; passages come from the body."""
    title = clean(fields.get("title", ""))
    if not title:
        raise LoaderError(f"{path}: field 'title' is required (front matter 'title: …' or a bedside:title meta tag)")
    url = fields.get("url", "").strip()
    return Source(
        source_id=f"doc:{slugify(title)[:60].strip('-')}-{_digest(url or path.name)}",
        title=title,
        kind=_kind(path, fields.get("kind", "")),
        year=_year(path, fields.get("year", "")),
        url=url,
        authors=[clean(a) for a in fields.get("authors", "").strip("[]").split(",") if clean(a)],
        publisher=fields.get("publisher", ""),
        licence=fields.get("licence", ""),
        origin={"dataset": "Local documents", "file": path.name},
    )


def _kind(path: Path, text: str) -> EvidenceLevel:
    value = text.strip().lower().replace(" ", "_").replace("-", "_") or EvidenceLevel.OTHER.value
    if value not in KINDS:
        raise LoaderError(f"{path}: field 'kind' is {text!r}; use one of: {', '.join(KINDS)}")
    return EvidenceLevel(value)


def _year(path: Path, text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or int(text) not in YEARS:
        raise LoaderError(f"{path}: field 'year' must be a year from 1800 to 2100, got {text!r}")
    return int(text)


# Both formats


class _Sections:
    """Blocks gathered under their heading, in reading order; text before any heading has heading ""."""

    def __init__(self) -> None:
        self.sections: list[tuple[str, list[str]]] = [("", [])]
        self.text: list[str] = []  # the paragraph being read, in fragments
        self.items: list[str] = []  # the list being read, one line per item

    def start(self, heading: str) -> None:
        self.flush()
        self.sections.append((heading, []))

    def add(self, block: str) -> None:
        self.flush()
        if block.strip():
            self.sections[-1][1].append(block)

    def flush(self) -> None:
        lines = (clean(line) for line in "".join(self.text).split("\n"))
        for block in ("\n".join(line for line in lines if line), "\n".join(self.items)):
            if block.strip():
                self.sections[-1][1].append(block)
        self.text.clear()
        self.items.clear()


# Markdown


def _markdown_sections(body: str) -> list[tuple[str, list[str]]]:
    out = _Sections()
    lines = HIDDEN_HTML.sub("", body).split("\n")
    i = 0
    while i < len(lines):
        i = _read_markdown(lines, i, out)
    out.flush()
    return out.sections


def _read_markdown(lines: list[str], i: int, out: _Sections) -> int:
    """Read the block starting at line ``i`` into ``out``; the index of the line after it."""
    line = lines[i]
    if fence := FENCE.match(line):
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip().startswith(fence.group(1))), len(lines))
        out.add("\n".join(code.rstrip() for code in lines[i + 1 : end]).strip())
        return end + 1
    if "|" in line and i + 1 < len(lines) and "|" in lines[i + 1] and TABLE_DELIMITER.match(lines[i + 1]):
        end = next((j for j in range(i + 2, len(lines)) if "|" not in lines[j] or not lines[j].strip()), len(lines))
        rows = [_table_cells(row) for row in [line, *lines[i + 2 : end]]]
        out.add("\n".join(table_lines(rows[1:], [rows[0]])))
        return end
    if heading := HEADING.match(line):
        if len(heading.group(1)) <= 3:
            out.start(_inline(heading.group(2)))
        else:
            out.add(_inline(heading.group(2)))  # deeper headings stay inside their section
    elif RULE.match(line) or not line.strip():
        out.flush()
    elif item := LIST_ITEM.match(line):
        if out.text:
            out.flush()
        depth = len(item.group(1).expandtabs(4)) // 2
        marker = item.group(2) if item.group(2)[0].isdigit() else "-"
        out.items.append(f"{'  ' * depth}{marker} {_inline(item.group(3))}")
    elif out.items and line[:1].isspace():
        out.items[-1] += " " + _inline(line)  # an item's continuation line
    elif not LINK_DEFINITION.match(line):  # "[1]: https://…" only gives a reference link its address
        if out.items:
            out.flush()
        out.text.append(_inline(line.lstrip().removeprefix(">")) + " ")
    return i + 1


def _table_cells(line: str) -> list[str | None]:
    cells = re.split(r"(?<!\\)\|", line.strip().removeprefix("|").removesuffix("|"))
    return [_inline(cell) for cell in cells]


def _inline(text: str) -> str:
    """Markdown inline syntax reduced to its text: link text kept, emphasis and code marks dropped."""
    text = ESCAPED.sub(lambda m: chr(0xE000 + ord(m.group(1))), text)  # escaped marks are literal
    for pattern, replacement in INLINE:
        text = pattern.sub(replacement, text)
    text = re.sub("[\ue000-\ue0ff]", lambda m: chr(ord(m.group(0)) - 0xE000), text)
    return clean(html.unescape(text))


# HTML


def _parse_html(path: Path, text: str) -> lxml.html.HtmlElement:
    # The HTML parser reads no DTD and resolves no external entities; no_network makes it explicit.
    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
    try:
        return lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise LoaderError(f"{path}: cannot be read as HTML ({exc})") from exc


def _meta_fields(path: Path, root: lxml.html.HtmlElement) -> dict[str, str]:
    fields = {}
    for meta in root.iter("meta"):
        name = (meta.get("name") or "").strip()
        if name.lower().startswith("bedside:"):
            field = _field_name(name.split(":", 1)[1])
            if field not in FIELDS:  # the prefix says it is meant for us: a misspelling, not another tool's
                raise LoaderError(f"{path}: unknown field '{name}'; the fields are {', '.join(FIELDS)}")
            fields[field] = (meta.get("content") or "").strip()
    return fields


def _html_sections(root: lxml.html.HtmlElement) -> list[tuple[str, list[str]]]:
    for element in root.xpath("|".join(f"//{tag}" for tag in NOT_TEXT)):
        element.drop_tree()
    out = _Sections()
    body = root.find("body")
    _read_html(body if body is not None else root, out)
    out.flush()
    return out.sections


def _read_html(element: lxml.html.HtmlElement, out: _Sections) -> None:
    if element.text:
        out.text.append(element.text)
    for child in element:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag in HTML_HEADINGS:
            out.start(_html_text(child))
        elif tag in ("ul", "ol"):
            out.add("\n".join(_html_list_lines(child)))
        elif tag == "table":
            out.add("\n".join(_html_table_lines(child)))
        elif tag == "br":
            out.text.append("\n")
        elif tag in HTML_BLOCKS:
            out.flush()
            _read_html(child, out)
            out.flush()
        elif tag:
            _read_html(child, out)
        if child.tail:
            out.text.append(child.tail)


def _html_text(element: lxml.html.HtmlElement, skip: tuple[str, ...] = (), br: str = " ") -> str:
    """The text inside an element, leaving out the named descendants (nested lists)."""
    parts = [element.text or ""]
    for child in element:
        tag = child.tag.lower() if isinstance(child.tag, str) else ""
        if tag == "br":
            parts.append(br)
        elif tag and tag not in skip:
            parts.append(_html_text(child, skip, br))
        parts.append(child.tail or "")
    text = "".join(parts)
    return "\n".join(clean(line) for line in text.split("\n") if line.strip()) if br == "\n" else clean(text)


def _html_list_lines(element: lxml.html.HtmlElement, depth: int = 0) -> list[str]:
    lines = []
    numbered = element.tag.lower() == "ol"
    for number, item in enumerate(element.findall("li"), start=1):
        text = _html_text(item, skip=("ul", "ol"))
        if text:
            lines.append(f"{'  ' * depth}{f'{number}.' if numbered else '-'} {text}")
        for inner in item.xpath("./ul|./ol"):
            lines.extend(_html_list_lines(inner, depth + 1))
    return lines


def _html_table_lines(table: lxml.html.HtmlElement) -> list[str]:
    head, body = [], []
    for row in table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr"):
        cells = [
            (_html_text(cell, br="\n"), span(cell.get("colspan")), span(cell.get("rowspan")))
            for cell in row
            if isinstance(cell.tag, str) and cell.tag.lower() in ("td", "th")
        ]
        in_head = row.getparent().tag.lower() == "thead"
        all_th = bool(cells) and all(cell.tag.lower() == "th" for cell in row if isinstance(cell.tag, str))
        (head if in_head or (all_th and not body) else body).append(cells)
    caption = table.find("caption")
    return table_lines(grid(body), grid(head), caption=_html_text(caption) if caption is not None else "")
