"""One module per real format. Each module has:

- ``NAME``: the format's short name, shown in progress and errors;
- ``sniff(path, head) -> bool``: whether the file is in this format (``head`` is its first 4 kB,
  already gunzipped);
- ``load(path) -> Iterator[Source]``: the sources it holds, streamed so memory stays constant on large
  inputs; raises ``LoaderError`` naming the problem when the file is malformed;
- optionally ``read_alongside(path) -> set[Path]``: other files this file's loader reads itself (an
  OpenStax collection reads its modules), so a folder walk does not load them a second time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from bedside.library.loaders import (
    bedside_jsonl,
    cnxml,
    document,
    fda_indications,
    medline,
    medquad,
    pubmed,
    pubmedqa,
    spl,
)
from bedside.library.loaders._files import read_head
from bedside.library.model import LoaderError

# Order matters only where two formats could both claim a file: the more specific first.
LOADERS: list[ModuleType] = [bedside_jsonl, medquad, pubmed, medline, pubmedqa, fda_indications, spl, cnxml, document]


def loader_for(path: Path) -> ModuleType | None:
    """The loader whose format this file is in, or None if bedside does not read it."""
    head = read_head(path)
    for loader in LOADERS:
        if loader.sniff(path, head):
            return loader
    return None


def walk(path: Path) -> Iterator[tuple[Path, ModuleType | None, bool]]:
    """Each file at or under ``path`` with its loader, in a stable order.

    Yields (file, loader or None, named) where ``named`` says the user named the file itself; a file
    of an unknown format is an error when named and quietly skipped inside a folder (READMEs, licences).
    """
    if not path.exists():
        raise LoaderError(f"{path}: no such file or folder")
    if path.is_file():
        yield path, loader_for(path), True
        return
    files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    if not files:
        raise LoaderError(f"{path}: the folder holds no files")
    found = [(f, loader_for(f)) for f in files]
    read_by_others: set[Path] = set()
    for f, loader in found:
        if loader is not None and hasattr(loader, "read_alongside"):
            read_by_others |= {p.resolve() for p in loader.read_alongside(f)}
    for f, loader in found:
        if f.resolve() not in read_by_others:
            yield f, loader, False


__all__ = ["LOADERS", "LoaderError", "loader_for", "walk"]
