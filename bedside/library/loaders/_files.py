"""Opening input files safely: gzip transparently, hostile XML refused, errors that name the file."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from lxml import etree

from bedside.library.model import LoaderError

HEAD_BYTES = 4096


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


@contextmanager
def open_binary(path: Path) -> Iterator[IO[bytes]]:
    """The file's bytes, gunzipped when it is gzip; a truncated or corrupt gzip is a LoaderError."""
    try:
        with gzip.open(path, "rb") if is_gzip(path) else open(path, "rb") as f:
            yield f
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise LoaderError(f"{path}: damaged or truncated gzip file ({exc})") from exc


def read_head(path: Path) -> bytes:
    try:
        with open_binary(path) as f:
            return f.read(HEAD_BYTES)
    except LoaderError:
        # A damaged gzip cannot be sniffed; let the loader chosen by name report it.
        return b""
    except OSError as exc:
        raise LoaderError(f"{path}: cannot be read ({exc.strerror})") from exc


def read_text(path: Path) -> str:
    """The whole file as UTF-8 text (with or without BOM); any other encoding is a LoaderError."""
    with open_binary(path) as f:
        data = f.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoaderError(f"{path}: not valid UTF-8 text (byte {exc.start}); convert it to UTF-8 first") from exc


def iter_xml(path: Path, tag: str | tuple[str, ...]) -> Iterator[etree._Element]:
    """Stream the elements named ``tag`` from an XML file in constant memory.

    Entities are not resolved, no DTD is loaded and no network is touched, so an XML file cannot make
    us read local files (XXE), fetch a DTD by URL, or expand an entity bomb. Each yielded element is
    cleared after the caller is done with it.
    """
    try:
        with open_binary(path) as f:
            context = etree.iterparse(
                f,
                events=("end",),
                tag=tag,
                resolve_entities=False,
                load_dtd=False,
                no_network=True,
                huge_tree=False,
                remove_comments=True,
            )
            for _, element in context:
                yield element
                element.clear(keep_tail=False)
                while element.getprevious() is not None:
                    del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise LoaderError(f"{path}: malformed XML ({exc.msg})") from exc


def parse_xml(path: Path) -> etree._Element:
    """Parse a small XML file whole, with the same protections as ``iter_xml``."""
    parser = etree.XMLParser(
        resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False, remove_comments=True
    )
    try:
        with open_binary(path) as f:
            return etree.parse(f, parser).getroot()
    except etree.XMLSyntaxError as exc:
        raise LoaderError(f"{path}: malformed XML ({exc.msg})") from exc


def text_of(element: etree._Element | None) -> str:
    """All the text inside an element, whitespace collapsed; entity references are dropped."""
    if element is None:
        return ""
    # XPath's string value skips unresolved entity references, which itertext() would keep as "&x;".
    return " ".join(element.xpath("string()").split())
