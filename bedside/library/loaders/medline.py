"""The MEDLINE text format: PubMed's "PubMed format" export and efetch with rettype=medline.

Each record is a run of ``TAG - value`` lines (the tag padded to four characters), long values wrapped
onto lines indented six spaces, records separated by blank lines. A record becomes the same Source the
XML loader makes for that PMID, so the two formats of one article are one source.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from bedside.library.loaders._files import open_binary
from bedside.library.loaders.pubmed import article_source, evidence_level, first_year
from bedside.library.model import LoaderError, Source

NAME = "medline"

_FIELD = re.compile(r"([A-Z][A-Z0-9 ]{3})- ?(.*)")

# MEDLINE keeps a structured abstract as one AB field with its labels inline: "BACKGROUND: ... METHODS:
# ...". A label is an uppercase phrase opening the abstract or following the end of a sentence, which
# keeps abbreviations inside sentences ("the HIV: ...") from splitting it.
_LABEL = re.compile(r"(?:^|(?<=[.?!] ))([A-Z][A-Z ,&/-]{1,60}[A-Z]): ")


def sniff(path: Path, head: bytes) -> bool:
    return re.search(rb"(?m)^PMID- ", head) is not None


def load(path: Path) -> Iterator[Source]:
    for fields in _records(path):
        source = _source(fields)
        if source is not None and source.passages:
            yield source


def split_sections(abstract: str) -> list[tuple[str, str]]:
    """(label, text) per labelled part of an abstract; an unlabelled abstract is one "Abstract" part."""
    parts = _LABEL.split(abstract)
    sections = [("Abstract", parts[0].strip())] if parts[0].strip() else []
    sections += [(label, text.strip()) for label, text in zip(parts[1::2], parts[2::2], strict=True)]
    return sections


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with open_binary(path) as f:
        for number, raw in enumerate(f, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise LoaderError(
                    f"{path}: line {number} is not valid UTF-8 text; convert the file to UTF-8 first"
                ) from exc
            yield number, line.rstrip("\r\n")


def _records(path: Path) -> Iterator[list[list[str]]]:
    """Each record as its [tag, value] fields in file order, continuation lines joined."""
    fields: list[list[str]] = []
    for number, line in _lines(path):
        if not line.strip():
            if fields:
                yield fields
            fields = []
            continue
        match = _FIELD.fullmatch(line)
        if match is None:
            if not fields:
                raise LoaderError(f"{path}: line {number} is neither a MEDLINE field nor its continuation")
            fields[-1][1] += " " + line.strip()
            continue
        tag = match[1].rstrip()
        if tag == "PMID" and fields:
            yield fields  # some exports omit the blank line between records
            fields = []
        fields.append([tag, match[2].strip()])
    if fields:
        yield fields


def _values(fields: list[list[str]], *tags: str) -> list[str]:
    return [value for tag, value in fields if tag in tags and value]


def _first(fields: list[list[str]], *tags: str) -> str:
    """The first value of the first of these tags present, so tags are tried in order of preference."""
    for tag in tags:
        values = _values(fields, tag)
        if values:
            return values[0]
    return ""


def _source(fields: list[list[str]]) -> Source | None:
    pmid = _first(fields, "PMID")
    if not pmid:
        return None
    publication_types = _values(fields, "PT")
    # "Information Storage and Retrieval/*methods" and "*Software": the descriptor without qualifiers
    # or the major-topic star.
    mesh = [heading.split("/")[0].lstrip("*") for heading in _values(fields, "MH")]
    ids = _values(fields, "LID") + _values(fields, "AID")
    dois = [value.removesuffix(" [doi]") for value in ids if value.endswith(" [doi]")]
    return article_source(
        pmid,
        _first(fields, "TI", "TT"),
        [section for abstract in _values(fields, "AB") for section in split_sections(abstract)],
        kind=evidence_level(publication_types, mesh),
        meta={"publication_types": publication_types, "mesh": mesh},
        year=first_year(_first(fields, "DP")),
        authors=_values(fields, "AU", "CN"),
        publisher=_first(fields, "JT", "TA"),
        doi=next(iter(dois), ""),
    )
