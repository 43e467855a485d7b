"""FDA "Indications and Usage" summaries keyed by UNII (MedRecPro's labelProductIndication.md).

After a Markdown preamble, the file holds ``ProductNames|UNII|IndicationsSummary`` records separated by
``---`` lines: the product names (brand and generic, comma-separated) and the UNII on the first line,
then a ``# <name> Summary`` heading and the summary text. One source per UNII; its product names travel
as metadata because they are how retrieval connects a brand name to its generic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bedside.library.loaders._files import open_binary
from bedside.library.loaders._text import clean, passage_texts
from bedside.library.model import EvidenceLevel, LoaderError, Passage, Source

NAME = "fda_indications"
HEADER = "ProductNames|UNII|IndicationsSummary"
SEPARATOR = "---"
PUBLISHER = "U.S. Food and Drug Administration (label text via MedRecPro)"
LICENCE = "FDA label text public domain; compilation Apache-2.0 (MedRecPro)"
SECTION = "Indications and usage"
UNII = re.compile(r"[A-Z0-9]{10}")
SUMMARY_HEADING = re.compile(r"#\s*(.*?)\s+Summary\s*$")
# Names are separated by bare commas; a comma followed by a space belongs inside one name
# ("Butalbital, Acetaminophen and Caffeine").
NAME_SEPARATOR = re.compile(r",(?! )")


@dataclass
class _Record:
    names: list[str]
    unii: str
    heading: str = ""
    paragraphs: list[str] = field(default_factory=list)


def sniff(path: Path, head: bytes) -> bool:
    return HEADER.encode() in head


def load(path: Path) -> Iterator[Source]:
    for record in _records(path):
        source = _source(record)
        if source.passages:
            yield source


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """The file's lines, numbered from 1, streamed; bytes that are not UTF-8 are an error."""
    with open_binary(path) as f:
        for number, raw in enumerate(f, start=1):
            try:
                yield number, raw.decode("utf-8-sig" if number == 1 else "utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                raise LoaderError(f"{path}: line {number} is not valid UTF-8 text (byte {exc.start})") from exc


def _records(path: Path) -> Iterator[_Record]:
    lines = _lines(path)
    # Skip the preamble: the same iterator then continues with the first record.
    if not any(line.strip() == HEADER for _, line in lines):
        raise LoaderError(f"{path}: no '{HEADER}' header line")
    record: _Record | None = None
    for number, line in lines:
        if line.strip() == SEPARATOR:
            if record is not None:
                yield record
            record = None
        elif record is None:
            if line.strip():
                record = _first_line(path, number, line)
        elif (heading := SUMMARY_HEADING.match(line)) and not record.heading and not record.paragraphs:
            record.heading = heading.group(1)
        elif any(ch.isalnum() for ch in line):  # some summaries are a lone "."
            record.paragraphs.append(clean(line))
    if record is not None:
        yield record


def _first_line(path: Path, number: int, line: str) -> _Record:
    parts = line.split("|", 2)
    if len(parts) != 3 or not UNII.fullmatch(parts[1].strip()):
        raise LoaderError(f"{path}: line {number} should read 'ProductNames|UNII|', got {line[:80]!r}")
    names, unii, rest = parts
    record = _Record(names=_names(names), unii=unii.strip())
    if rest.strip():
        record.paragraphs.append(clean(rest))
    return record


def _names(field_text: str) -> list[str]:
    seen: dict[str, str] = {}
    for name in NAME_SEPARATOR.split(field_text):
        name = clean(name)
        if name and name.lower() not in seen:
            seen[name.lower()] = name
    return list(seen.values())


def _source(record: _Record) -> Source:
    # The summary heading names the ingredient ("Pregabalin"); the product list starts with brands.
    name = record.heading or (record.names[-1] if record.names else record.unii)
    return Source(
        source_id=f"fda-unii:{record.unii}",
        title=f"{name} — FDA indications",
        kind=EvidenceLevel.DRUG_LABEL,
        url=f"https://precision.fda.gov/uniisearch/srs/unii/{record.unii}",
        publisher=PUBLISHER,
        licence=LICENCE,
        origin={"dataset": "FDA indications", "unii": record.unii},
        meta={"product_names": record.names, "unii": record.unii, "ingredient": name},
        passages=[Passage(text=text, section=SECTION) for text in passage_texts(record.paragraphs)],
    ).finalise()
