"""OpenStax CNXML textbooks: a collection file names the book and orders its chapters and modules.

The collection (``collections/<book>.collection.xml``) is the entry point. Each module it lists
(``modules/<id>/index.cnxml``) is one source, a book section cited within its chapter; the modules are
read alongside the collection so a folder walk does not load them twice. A module met on its own loads
without book context. Passages follow the module's sections; tables stay readable row by row, because
drug tables are where the dosing is.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from bedside.library.loaders._files import parse_xml, read_head, text_of
from bedside.library.loaders._text import (
    Cell,
    element_lines,
    grid,
    local_name,
    passage_texts,
    slugify,
    table_lines,
)
from bedside.library.model import EvidenceLevel, LoaderError, Passage, Source

NAME = "cnxml"
PUBLISHER = "OpenStax"
NS = {"col": "http://cnx.rice.edu/collxml", "md": "http://cnx.rice.edu/mdml", "c": "http://cnx.rice.edu/cnxml"}

# End-of-section apparatus that answers no clinical question: embedded quiz links, bibliographies,
# "by the end of this section you should be able to" lists.
SKIPPED_SECTIONS = {"review-questions", "references", "learning-objectives", "suggested-reading"}
# Fictional clients and practice sums: text, but not evidence.
SKIPPED_NOTES = {"unfolding-casestudy", "single-casestudy", "case-reflection", "practice-problems"}
SKIPPED_ELEMENTS = frozenset({"figure", "media", "exercise", "footnote"})
UNTITLED_SECTIONS = {"chapter-summary": "Chapter Summary", "section-summary": "Summary"}
NOTE_LABELS = {
    "black-box": "Black box warning",
    "safety-alert": "Safety alert",
    "clinical-tip": "Clinical tip",
    "client-teaching": "Client teaching",
    "special-considerations": "Special considerations",
    "health-alert": "Health alert",
}
# Cross-references are empty links the book numbers when it is built ("see Table 6.1"); without the
# number, a plain noun keeps the sentence readable ("see the table for dosing information").
BARE_LINK_NOUNS = {"table": "the table", "fig": "the figure"}
# openstax.org builds page addresses from the numbered title; only titles of plain words and simple
# punctuation give an address we can rebuild for certain.
PLAIN_TITLE = re.compile(r"[A-Za-z0-9 ,:?()\-]+")
LICENCE_URL = re.compile(r"/licenses/([a-z-]+)/([0-9.]+)")

# (section path, blocks) in reading order: "Parent › Child" once flattened.
Runs = list[tuple[tuple[str, ...], list[str]]]


@dataclass
class _Entry:
    """A module's place in the book."""

    module_id: str
    chapter: str = ""
    chapter_number: int | None = None


@dataclass
class _Book:
    title: str
    slug: str
    licence: str
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    entries: list[_Entry] = field(default_factory=list)


def _is_collection(head: bytes) -> bool:
    return b"http://cnx.rice.edu/collxml" in head and b"collection" in head


def sniff(path: Path, head: bytes) -> bool:
    is_module = b"http://cnx.rice.edu/cnxml" in head and b"<document" in head
    return _is_collection(head) or is_module


def read_alongside(path: Path) -> set[Path]:
    """The files of every module a collection lists (index.cnxml and its images); none for a module."""
    if not _is_collection(read_head(path)):
        return set()
    try:
        book = _read_book(path)
    except LoaderError:
        return set()  # load() reports the problem
    files: set[Path] = set()
    for entry in book.entries:
        folder = _module_path(path, entry.module_id).parent
        if folder.is_dir():
            files |= {p for p in folder.rglob("*") if p.is_file()}
    return files


def load(path: Path) -> Iterator[Source]:
    if _is_collection(read_head(path)):
        yield from _load_book(path)
    else:
        yield from _load_module(path)


def _module_path(collection: Path, module_id: str) -> Path:
    return collection.parent.parent / "modules" / module_id / "index.cnxml"


def _read_book(path: Path) -> _Book:
    root = parse_xml(path)
    if local_name(root) != "collection":
        raise LoaderError(f"{path}: not an OpenStax collection (root is <{local_name(root)}>)")
    metadata = root.find("col:metadata", NS)
    title = text_of(metadata.find("md:title", NS)) if metadata is not None else ""
    if not title:
        raise LoaderError(f"{path}: the collection has no <md:title>")
    slug = text_of(metadata.find("md:slug", NS)) or slugify(title)
    licence = metadata.find("md:license", NS)
    book = _Book(
        title=title,
        slug=slug,
        licence=_licence(licence.get("url", "") if licence is not None else "", title),
        authors=_authors(metadata),
        year=_year(metadata),
    )
    content = root.find("col:content", NS)
    if content is not None:
        _walk_collection(content, book.entries, _Entry(""), itertools.count(1))
    return book


def _walk_collection(content: etree._Element, entries: list[_Entry], place: _Entry, chapters: Iterator[int]) -> None:
    """Modules in reading order with their chapter; chapters are numbered through the whole book.

    A subcollection that holds modules is a chapter; one that holds only subcollections is a unit.
    """
    for child in content:
        if not isinstance(child.tag, str):
            continue
        if local_name(child) == "module" and child.get("document"):
            entries.append(_Entry(child.get("document"), place.chapter, place.chapter_number))
        elif local_name(child) == "subcollection":
            inner = child.find("col:content", NS)
            if inner is None:
                continue
            if inner.find("col:module", NS) is not None:
                chapter = _Entry("", text_of(child.find("md:title", NS)), next(chapters))
                _walk_collection(inner, entries, chapter, chapters)
            else:
                _walk_collection(inner, entries, place, chapters)


def _licence(url: str, book_title: str) -> str:
    # CC BY asks for attribution: the book, the publisher, the licence and a link.
    match = LICENCE_URL.search(url)
    name = f"CC {match.group(1).upper()} {match.group(2)}" if match else "CC BY 4.0"
    where = f"{book_title}, OpenStax" if book_title else "OpenStax"
    return f"{name}; {where}, Rice University — access for free at openstax.org"


def _authors(metadata: etree._Element) -> list[str]:
    """Full names of the people the collection's roles call authors (CNX MDML actors and roles)."""
    author_ids = {
        user
        for role in metadata.iterfind("md:roles/md:role", NS)
        if role.get("type") == "author"
        for user in text_of(role).split()
    }
    return [
        text_of(actor.find("md:fullname", NS))
        for actor in metadata.iterfind("md:actors/*", NS)
        if actor.get("userid") in author_ids and text_of(actor.find("md:fullname", NS))
    ]


def _year(metadata: etree._Element) -> int | None:
    for tag in ("md:revised", "md:created"):
        match = re.match(r"\s*(\d{4})", text_of(metadata.find(tag, NS)))
        if match:
            return int(match.group(1))
    return None


def _load_book(path: Path) -> Iterator[Source]:
    book = _read_book(path)
    sections_in_chapter: dict[int, int] = {}
    for entry in book.entries:
        module_path = _module_path(path, entry.module_id)
        if not module_path.is_file():
            raise LoaderError(f"{path}: module {entry.module_id} is listed but {module_path} is missing")
        document = _parse_module(module_path)
        title = _module_title(document)
        number = ""
        if entry.chapter_number is not None and document.get("class") != "introduction":
            sections_in_chapter[entry.chapter_number] = sections_in_chapter.get(entry.chapter_number, 0) + 1
            number = f"{entry.chapter_number}.{sections_in_chapter[entry.chapter_number]}"
        source = Source(
            source_id=f"openstax:{book.slug}:{entry.module_id}",
            title=f"{entry.chapter or book.title} — {title}",
            kind=EvidenceLevel.TEXTBOOK,
            year=book.year,
            url=_page_url(book.slug, entry, number, title, document.get("class", "")),
            authors=book.authors,
            publisher=PUBLISHER,
            licence=book.licence,
            origin={"dataset": "OpenStax", "book": book.title, "chapter": entry.chapter, "module_id": entry.module_id},
            meta={"section_number": number} if number else {},
            passages=_passages(document, title),
        )
        source.finalise()
        if source.passages:
            yield source


def _page_url(book_slug: str, entry: _Entry, number: str, title: str, module_class: str) -> str:
    """The section's page on openstax.org, e.g. /books/pharmacology/pages/2-4-dosage-calculations.

    Falls back to the book's page when the address cannot be rebuilt for certain (appendices, titles
    with apostrophes or slashes).
    """
    details = f"https://openstax.org/details/books/{book_slug}"
    if not PLAIN_TITLE.fullmatch(title):
        return details
    if entry.chapter_number is not None:
        prefix = number.replace(".", "-") if number else str(entry.chapter_number)
        page = f"{prefix}-{slugify(title)}"
    elif module_class == "preface":
        page = slugify(title)
    else:
        return details
    return f"https://openstax.org/books/{book_slug}/pages/{page}"


def _load_module(path: Path) -> Iterator[Source]:
    document = _parse_module(path)
    if text_of(document.find("c:content", NS)) == "placeholder text":
        return  # book repositories keep unpublished stub modules that no collection lists
    module_id = text_of(document.find("c:metadata/md:content-id", NS)) or path.parent.name
    title = _module_title(document) or module_id
    source = Source(
        source_id=f"openstax:module:{module_id}",
        title=title,
        kind=EvidenceLevel.TEXTBOOK,
        publisher=PUBLISHER,
        licence=_licence("", ""),
        origin={"dataset": "OpenStax", "module_id": module_id},
        passages=_passages(document, title),
    )
    source.finalise()
    if source.passages:
        yield source


def _parse_module(path: Path) -> etree._Element:
    document = parse_xml(path)
    if document.tag != "{http://cnx.rice.edu/cnxml}document":
        raise LoaderError(f"{path}: not a CNXML module (root is <{local_name(document)}>)")
    for link in document.iterfind(".//c:link[@target-id]", NS):
        if not link.text and len(link) == 0:
            prefix = next((p for p in BARE_LINK_NOUNS if link.get("target-id").startswith(p)), None)
            link.text = BARE_LINK_NOUNS.get(prefix, "")
    return document


def _module_title(document: etree._Element) -> str:
    return text_of(document.find("c:title", NS)) or text_of(document.find("c:metadata/md:title", NS))


def _passages(document: etree._Element, title: str) -> list[Passage]:
    """One or more passages per section, in reading order; text before the first section included."""
    runs: Runs = []
    content = document.find("c:content", NS)
    if content is not None:
        _collect(content, (), runs)
    glossary = document.find("c:glossary", NS)
    if glossary is not None:
        terms = [_definition(d) for d in glossary.iterfind("c:definition", NS)]
        runs.append((("Key Terms",), ["\n".join(t for t in terms if t)]))
    passages = []
    for path, blocks in runs:
        section = " › ".join(path) or title
        passages.extend(Passage(text=text, section=section) for text in passage_texts(blocks))
    return passages


def _collect(node: etree._Element, path: tuple[str, ...], runs: Runs) -> None:
    """Append the node's blocks to ``runs`` as (section path, blocks), nested sections flattened."""
    for child in node:
        if not isinstance(child.tag, str):
            continue
        tag = local_name(child)
        if tag == "section":
            if child.get("class") in SKIPPED_SECTIONS:
                continue
            heading = text_of(child.find("c:title", NS)) or UNTITLED_SECTIONS.get(child.get("class", ""))
            _collect(child, (*path, heading) if heading else path, runs)
            continue
        blocks = _blocks(child)
        if not blocks:
            continue
        if runs and runs[-1][0] == path:
            runs[-1][1].extend(blocks)
        else:
            runs.append((path, blocks))


def _blocks(element: etree._Element) -> list[str]:
    tag = local_name(element)
    if tag in SKIPPED_ELEMENTS or tag == "title":
        return []
    if tag == "list":
        return ["\n".join(_list_lines(element))]
    if tag == "table":
        return ["\n".join(_table_lines(element))]
    if tag == "note":
        return _note_blocks(element)
    return ["\n".join(element_lines(element, breaks=frozenset({"newline"}), skip=SKIPPED_ELEMENTS))]


def _list_lines(element: etree._Element, depth: int = 0) -> list[str]:
    """Items as "- item" lines (numbered for enumerated lists), nested lists indented below theirs."""
    lines = []
    heading = text_of(element.find("c:title", NS))
    if heading:
        lines.append(heading)
    numbered = element.get("list-type") == "enumerated"
    for number, item in enumerate(element.iterfind("c:item", NS), start=1):
        text = " ".join(element_lines(item, skip=SKIPPED_ELEMENTS | {"list"}))
        marker = f"{number}." if numbered else "-"
        if text:
            lines.append(f"{'  ' * depth}{marker} {text}")
        for inner in item.iterfind("c:list", NS):
            lines.extend(_list_lines(inner, depth + 1))
    return lines


def _note_blocks(note: etree._Element) -> list[str]:
    """A feature box: its label and title lead its first block ("Safety alert: Vaccines …")."""
    if note.get("class") in SKIPPED_NOTES:
        return []
    blocks = [block for child in note if isinstance(child.tag, str) for block in _blocks(child) if block]
    if not blocks:
        return []
    label = NOTE_LABELS.get(note.get("class", ""), "")
    heading = ": ".join(part for part in (label, text_of(note.find("c:title", NS))) if part)
    if heading:
        blocks[0] = f"{heading}\n{blocks[0]}"
    return blocks


def _table_lines(table: etree._Element) -> list[str]:
    lines = []
    for group in table.iterfind("c:tgroup", NS):
        columns = {spec.get("colname"): _number(spec.get("colnum")) for spec in group.iterfind("c:colspec", NS)}
        head = [_row_cells(row, columns) for row in group.iterfind("c:thead/c:row", NS)]
        body = [_row_cells(row, columns) for row in group.iterfind("c:tbody/c:row", NS)]
        lines.extend(table_lines(grid(body), grid(head)))
    caption = text_of(table.find("c:caption", NS)) or text_of(table.find("c:title", NS))
    return [caption, *lines] if caption and lines else lines


def _row_cells(row: etree._Element, columns: dict[str | None, int]) -> list[Cell]:
    cells = []
    for entry in row.iterfind("c:entry", NS):
        _mark_labels(entry)
        text = "\n".join(element_lines(entry, breaks=frozenset({"newline"}), skip=SKIPPED_ELEMENTS))
        start, end = columns.get(entry.get("namest"), 0), columns.get(entry.get("nameend"), 0)
        colspan = end - start + 1 if start and end >= start else 1
        cells.append((text, colspan, _number(entry.get("morerows")) + 1))
    return cells


def _number(value: str | None) -> int:
    return int(value) if value and value.strip().isdigit() else 0


def _mark_labels(entry: etree._Element) -> None:
    """Bold text alone on its line inside a cell labels what follows ("Drug Class" / "Antimetabolite").

    Prototype tables stack several labelled fields in one cell; a colon keeps label and value apart.
    """
    for emphasis in entry.iterfind(".//c:emphasis[@effect='bold']", NS):
        following = emphasis.getnext()
        alone = following is not None and local_name(following) == "newline" and not (emphasis.tail or "").strip()
        if alone and not text_of(emphasis).endswith((":", ".")):
            emphasis.tail = ":"


def _definition(definition: etree._Element) -> str:
    term = text_of(definition.find("c:term", NS))
    meaning = text_of(definition.find("c:meaning", NS))
    return f"{term}: {meaning}" if term and meaning else term or meaning
