"""bedside's own interchange format: JSON Lines of Source records (how the starter library ships).

One ``Source.to_record()`` per line, gzip optional. Exporting and re-ingesting a library is lossless.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

from bedside.library.loaders._files import open_binary
from bedside.library.model import LoaderError, Source

NAME = "bedside-jsonl"


def sniff(path: Path, head: bytes) -> bool:
    name = path.name.lower()
    return name.endswith((".jsonl", ".jsonl.gz")) and head.lstrip().startswith(b'{"source_id"')


def load(path: Path) -> Iterator[Source]:
    with open_binary(path) as raw:
        lines = io.TextIOWrapper(raw, encoding="utf-8", errors="strict")
        try:
            for number, line in enumerate(lines, start=1):
                if line.strip():
                    yield _source(path, number, line)
        except UnicodeDecodeError as exc:
            raise LoaderError(f"{path}: not valid UTF-8 text") from exc


def _source(path: Path, number: int, line: str) -> Source:
    try:
        return Source.from_record(json.loads(line)).finalise()
    except (json.JSONDecodeError, TypeError, KeyError, ValueError) as exc:
        raise LoaderError(f"{path}: line {number} is not a bedside source record ({exc})") from exc


def write(sources: Iterator[Source], out: io.TextIOBase) -> int:
    n = 0
    for source in sources:
        out.write(json.dumps(source.to_record(), ensure_ascii=False, separators=(",", ":")) + "\n")
        n += 1
    return n
