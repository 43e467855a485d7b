"""Index folders that are rebuilt whole and swapped in, stamped with the library generation they reflect."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

GENERATION_FILE = "GENERATION"


def built_generation(path: Path) -> int | None:
    marker = path / GENERATION_FILE
    return int(marker.read_text()) if marker.exists() else None


@contextmanager
def building(path: Path, generation: int) -> Iterator[Path]:
    """A staging folder to build into; on success it replaces ``path``, so readers never see half an
    index, and a build that fails or is killed leaves the old index in place."""
    staging = path.with_name(path.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    yield staging
    (staging / GENERATION_FILE).write_text(str(generation))
    old = path.with_name(path.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if path.exists():
        path.rename(old)
    staging.rename(path)
    shutil.rmtree(old, ignore_errors=True)
