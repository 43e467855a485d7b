"""DailyMed Structured Product Labeling (SPL): FDA drug labels as HL7 v3 XML.

One source per label. Passages follow the label's sections, keyed by their LOINC code, so retrieval
can ask for "the dosage section of this drug" or weigh a boxed warning above a description. The
highlights excerpt and the package-label panels repeat the full text and are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from bedside.library.loaders._files import parse_xml, text_of
from bedside.library.loaders._text import (
    Cell,
    clean,
    element_lines,
    grid,
    local_name,
    passage_texts,
    span,
    table_lines,
)
from bedside.library.model import EvidenceLevel, LoaderError, Passage, Source

NAME = "spl"
LICENCE = "FDA label text, public domain (DailyMed SPL)"
NS = {"v": "urn:hl7-org:v3"}
UNII_SYSTEM = "2.16.840.1.113883.4.9"
OTC_LABEL = "34390-5"
ACTIVE_INGREDIENT_CLASSES = {"ACTIB", "ACTIM", "ACTIR"}

BOXED_WARNING = "34066-1"
UNCLASSIFIED = "42229-5"
# Product data elements hold no prose; package-label panels repeat the carton text.
SKIPPED_SECTIONS = {"48780-1", "51945-4"}

SECTION_NAMES = {
    BOXED_WARNING: "Boxed warning",
    "34067-9": "Indications and usage",
    "34068-7": "Dosage and administration",
    "43678-2": "Dosage forms and strengths",
    "34070-3": "Contraindications",
    "43685-7": "Warnings and precautions",
    "34071-1": "Warnings",
    "42232-9": "Precautions",
    "34084-4": "Adverse reactions",
    "34073-7": "Drug interactions",
    "43684-0": "Use in specific populations",
    "42228-7": "Pregnancy",
    "34080-2": "Nursing mothers",
    "77290-5": "Lactation",
    "34081-0": "Pediatric use",
    "34082-8": "Geriatric use",
    "34088-5": "Overdosage",
    "34089-3": "Description",
    "34090-1": "Clinical pharmacology",
    "43679-0": "Mechanism of action",
    "43681-6": "Pharmacodynamics",
    "43682-4": "Pharmacokinetics",
    "34092-7": "Clinical studies",
    "34069-5": "How supplied",
    "34076-0": "Patient counseling information",
    "42231-1": "Medication guide",
    "42230-3": "Patient information",
    "55106-9": "Active ingredient",
    "55105-1": "Purpose",
    "50570-1": "Do not use",
    "50569-3": "Ask a doctor",
    "50568-5": "Ask a doctor or pharmacist",
    "50567-7": "When using this product",
    "50566-9": "Stop use",
    "50565-1": "Keep out of reach of children",
    "51727-6": "Inactive ingredients",
    "53413-1": "Questions",
}
# A Drug Facts label reuses the prescription codes under its own headings.
OTC_SECTION_NAMES = {"34067-9": "Uses", "34068-7": "Directions"}

INLINE_SKIPPED = frozenset({"footnote", "footnoteRef", "renderMultiMedia"})
BREAKS = frozenset({"br"})
# The first lines of a prescribing-information title are the same boilerplate on every label.
TITLE_BOILERPLATE = re.compile(
    r"^(these highlights do not include|see full prescribing information|initial u\.?s\.? approval)", re.I
)
NUMBERING = re.compile(r"^\d+(\.\d+)*\s*")


@dataclass
class _Group:
    """The passages of one coded section: its own text and that of the subsections folded into it."""

    code: str
    name: str
    code_name: str
    blocks: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # headings still waiting for text below them

    def add(self, heading: str, blocks: list[str]) -> None:
        if heading:
            self.pending.append(heading)
        if blocks and self.pending:
            blocks = ["\n".join([*self.pending, blocks[0]]), *blocks[1:]]
            self.pending = []
        self.blocks.extend(blocks)

    def texts(self) -> list[str]:
        # Headings with no text below are content too: a contraindication can be a bare title.
        return passage_texts([*self.blocks, "\n".join(self.pending)])


def sniff(path: Path, head: bytes) -> bool:
    return b"urn:hl7-org:v3" in head and b"<document" in head


def load(path: Path) -> Iterator[Source]:
    document = parse_xml(path)
    if document.tag != "{urn:hl7-org:v3}document":
        raise LoaderError(f"{path}: not an SPL label (root is <{local_name(document)}>)")
    document_id = _attribute(document, "v:id", "root")
    set_id = _attribute(document, "v:setId", "root") or document_id
    if not set_id:
        raise LoaderError(f"{path}: the label has neither a setId nor a document id")
    is_otc = _attribute(document, "v:code", "code") == OTC_LABEL
    products = _products(document)
    effective = _attribute(document, "v:effectiveTime", "value")
    source = Source(
        source_id=f"spl:{set_id}",
        title=_title(document, products, is_otc) or f"Drug label {set_id}",
        kind=EvidenceLevel.DRUG_LABEL,
        year=int(effective[:4]) if effective[:4].isdigit() else None,
        url=f"https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid={set_id}",
        publisher=text_of(document.find("v:author/v:assignedEntity/v:representedOrganization/v:name", NS)),
        licence=LICENCE,
        origin={
            "dataset": "DailyMed",
            "set_id": set_id,
            "document_id": document_id,
            "version": _attribute(document, "v:versionNumber", "value"),
        },
        meta=_product_meta(products),
    )
    for group in _groups(document, is_otc):
        for text in group.texts():
            source.passages.append(
                Passage(text=text, section=group.name, meta={"loinc": group.code, "section_code_name": group.code_name})
            )
    source.finalise()
    yield source


def _attribute(element: etree._Element, path: str, name: str) -> str:
    found = element.find(path, NS)
    return (found.get(name) or "").strip() if found is not None else ""


@dataclass
class _Product:
    name: str
    generic: str
    ingredients: list[tuple[str, str]]  # (name, UNII)


def _products(document: etree._Element) -> list[_Product]:
    products = []
    for product in document.iterfind(".//v:subject/v:manufacturedProduct/v:manufacturedProduct", NS):
        name = product.find("v:name", NS)
        products.append(
            _Product(
                # The brand name and its suffix are separate elements: "TRIAMINIC" + "Night Time Cough".
                name=clean(" ".join(name.itertext())) if name is not None else "",
                generic=text_of(product.find("v:asEntityWithGeneric/v:genericMedicine/v:name", NS)),
                ingredients=_active_ingredients(product),
            )
        )
    return products


def _active_ingredients(product: etree._Element) -> list[tuple[str, str]]:
    ingredients = []
    for ingredient in product.iterfind("v:ingredient", NS):
        substance = ingredient.find("v:ingredientSubstance", NS)
        if ingredient.get("classCode") not in ACTIVE_INGREDIENT_CLASSES or substance is None:
            continue
        code = substance.find("v:code", NS)
        unii = code.get("code", "") if code is not None and code.get("codeSystem") == UNII_SYSTEM else ""
        ingredients.append((text_of(substance.find("v:name", NS)), unii))
    return ingredients


def _unique(values: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        if value and value.lower() not in seen:
            seen[value.lower()] = value
    return list(seen.values())


def _product_meta(products: list[_Product]) -> dict:
    ingredients = {unii or name: (name, unii) for p in products for name, unii in p.ingredients}
    return {
        "product_names": _unique([p.name for p in products]),
        "generic_names": _unique([p.generic for p in products]),
        "active_ingredients": [{"name": name, "unii": unii} for name, unii in ingredients.values()],
        "uniis": [unii for _, unii in ingredients.values() if unii],
    }


def _title(document: etree._Element, products: list[_Product], is_otc: bool) -> str:
    """The label's own title without the highlights boilerplate, or one built from its product.

    Titles such as "Drug Facts" or an empty <title> do not say which drug; the product names do.
    """
    title_element = document.find("v:title", NS)
    lines = element_lines(title_element, breaks=BREAKS) if title_element is not None else []
    title = " ".join(line for line in lines if not TITLE_BOILERPLATE.match(line)) or " ".join(lines)
    names = [p.name for p in products if p.name]
    if not names or (title and any(n.lower() in title.lower() for n in names)):
        return title
    generic = products[0].generic
    product = names[0] if not generic or generic.lower() == names[0].lower() else f"{names[0]} ({generic})"
    return f"{product} — {title or ('Drug Facts' if is_otc else 'prescribing information')}"


def _groups(document: etree._Element, is_otc: bool) -> list[_Group]:
    groups: list[_Group] = []
    for section in document.iterfind("v:component/v:structuredBody/v:component/v:section", NS):
        if _attribute(section, "v:code", "code") not in SKIPPED_SECTIONS:
            _collect(section, None, groups, is_otc)
    return groups


def _collect(section: etree._Element, parent: _Group | None, groups: list[_Group], is_otc: bool) -> None:
    """Fold a section into its parent's passages, or start its own when its code names a section.

    Labels put boxed-warning codes on emphasised text inside other sections (dosing boxes), and
    unclassified subsections are just numbered headings, so neither starts passages of its own.
    """
    code = _attribute(section, "v:code", "code")
    code_name = _attribute(section, "v:code", "displayName")
    title_element = section.find("v:title", NS)
    title = " ".join(element_lines(title_element, breaks=BREAKS)) if title_element is not None else ""
    if parent is None or (code in SECTION_NAMES and code not in (BOXED_WARNING, parent.code)):
        name = _section_name(code, code_name, title, is_otc)
        group = _Group(code, name, code_name)
        groups.append(group)
        heading = "" if _same_words(title, name) else title
    else:
        group, heading = parent, title
    text = section.find("v:text", NS)
    group.add(heading, _blocks(text) if text is not None else [])
    for child in section.iterfind("v:component/v:section", NS):
        _collect(child, group, groups, is_otc)


def _section_name(code: str, code_name: str, title: str, is_otc: bool) -> str:
    if is_otc and code in OTC_SECTION_NAMES:
        return OTC_SECTION_NAMES[code]
    if code in SECTION_NAMES:
        return SECTION_NAMES[code]
    if code != UNCLASSIFIED and code_name:
        tidy = re.sub(r"^(SPL |OTC - )|\s*SECTION$", "", code_name, flags=re.I).strip()
        return tidy[:1].upper() + tidy[1:].lower()
    title = NUMBERING.sub("", title)
    return (title.capitalize() if title.isupper() else title) or "Other information"


def _same_words(title: str, name: str) -> bool:
    def words(text: str) -> str:
        return re.sub(r"[^a-z]", "", NUMBERING.sub("", text).lower())

    return words(title) == words(name)


def _blocks(text: etree._Element) -> list[str]:
    """The paragraphs, lists and tables of a section's <text>, each one block, footnotes after it."""
    blocks = []
    if text.text and text.text.strip():
        blocks.append(clean(text.text))
    for child in text:
        if not isinstance(child.tag, str):
            continue
        tag = local_name(child)
        if tag == "renderMultiMedia":
            lines = []
        elif tag == "list":
            lines = _list_lines(child)
        elif tag == "table":
            lines = _table_lines(child)
        else:
            lines = element_lines(child, breaks=BREAKS, skip=INLINE_SKIPPED)
        lines += [text_of(note) for note in child.iter("{urn:hl7-org:v3}footnote")]
        if lines:
            blocks.append("\n".join(lines))
        if child.tail and child.tail.strip():
            blocks.append(clean(child.tail))
    return blocks


def _list_lines(element: etree._Element, depth: int = 0) -> list[str]:
    lines = []
    numbered = element.get("listType") == "ordered"
    for number, item in enumerate(element.iterfind("v:item", NS), start=1):
        text = " ".join(element_lines(item, breaks=BREAKS, skip=INLINE_SKIPPED | {"list", "caption"}))
        if text:
            lines.append(f"{'  ' * depth}{f'{number}.' if numbered else '-'} {text}")
        for inner in item.iterfind("v:list", NS):
            lines.extend(_list_lines(inner, depth + 1))
    return lines


def _table_lines(table: etree._Element) -> list[str]:
    head = [_row_cells(row) for row in table.iterfind("v:thead/v:tr", NS)]
    bodies = [[_row_cells(row) for row in tbody.iterfind("v:tr", NS)] for tbody in table.iterfind("v:tbody", NS)]
    if not head and len(bodies) > 1:
        head = bodies.pop(0)  # labels often set their header rows apart in a tbody of their own
    body = [row for rows in bodies for row in rows] + [_row_cells(row) for row in table.iterfind("v:tr", NS)]
    notes = [text_of(row) for row in table.iterfind("v:tfoot/v:tr", NS)]
    caption = table.find("v:caption", NS)
    caption_text = " ".join(element_lines(caption, skip=INLINE_SKIPPED)) if caption is not None else ""
    return table_lines(grid(body), grid(head), caption=caption_text, notes=notes)


def _row_cells(row: etree._Element) -> list[Cell]:
    cells = []
    for cell in row:
        if isinstance(cell.tag, str) and local_name(cell) in ("td", "th"):
            text = "\n".join(element_lines(cell, breaks=BREAKS, skip=INLINE_SKIPPED))
            cells.append((text, span(cell.get("colspan")), span(cell.get("rowspan"))))
    return cells
