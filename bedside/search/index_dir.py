"""Index folders that are rebuilt whole and swapped in, stamped with the library generation they reflect."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

GENERATION_FILE = "GENERATION"
# Raised when what an index holds changes (fields, vocabulary), so indexes built by an older bedside
# are rebuilt rather than read with the wrong expectations.
INDEX_FORMAT = 3


def built_generation(path: Path) -> int | None:
    """The library generation an index reflects, or None if it is missing or of another format."""
    marker = path / GENERATION_FILE
    if not marker.exists():
        return None
    generation, _, index_format = marker.read_text().partition(" ")
    return int(generation) if index_format.strip() == str(INDEX_FORMAT) else None


@contextmanager
def building(path: Path, generation: int) -> Iterator[Path]:
    """A staging folder to build into; on success it replaces ``path``, so readers never see half an
    index, and a build that fails or is killed leaves the old index in place."""
    staging = path.with_name(path.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    yield staging
    (staging / GENERATION_FILE).write_text(f"{generation} {INDEX_FORMAT}")
    old = path.with_name(path.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if path.exists():
        path.rename(old)
    staging.rename(path)
    shutil.rmtree(old, ignore_errors=True)
