"""Loading files into the store: idempotent, resumable, one transaction per file.

A file already ingested with the same content is skipped whole; a source whose content is unchanged
is skipped; a changed source replaces its old version. A file that fails (malformed, wrong encoding,
truncated) is rolled back and reported, and the rest of the batch goes on.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from types import ModuleType

from bedside.library import loaders
from bedside.library.model import LoaderError, Source
from bedside.library.store import Store

BATCH = 500

# on_progress(file, sources_so_far) lets the command line draw a progress bar without this module
# knowing about terminals.
Progress = Callable[[Path, int], None]


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    skipped: int = 0
    passages: int = 0
    files_read: int = 0
    files_unchanged: int = 0
    files_ignored: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)


def ingest(store: Store, paths: list[Path], on_progress: Progress | None = None) -> IngestReport:
    report = IngestReport()
    for path in paths:
        try:
            files = list(loaders.walk(path))
        except LoaderError as exc:
            report.errors.append(str(exc))
            continue
        for file, loader, named in files:
            if loader is None:
                if named:
                    report.errors.append(f"{file}: not a format bedside reads (see `bedside ingest --help`)")
                else:
                    report.files_ignored.append(str(file))
                continue
            try:
                _ingest_file(store, file, loader, report, on_progress)
            except LoaderError as exc:
                report.errors.append(str(exc))
            except OSError as exc:
                report.errors.append(f"{file}: cannot be read ({exc.strerror or exc})")
            except Exception as exc:  # a loader tripped on input it did not foresee: report, go on
                report.errors.append(f"{file}: could not be loaded ({type(exc).__name__}: {exc})")
    return report


def _ingest_file(
    store: Store, path: Path, loader: ModuleType, report: IngestReport, on_progress: Progress | None
) -> None:
    key = str(path.resolve())
    signature = file_signature(path)
    if store.file_signature(key) == signature:
        report.files_unchanged += 1
        return
    outcome: Counter[str] = Counter()
    n_sources = n_passages = 0
    with store.begin() as tx:  # the whole file or nothing
        for batch in batched(loader.load(path), BATCH):
            outcome.update(store.write_sources(tx, batch, key))
            n_sources += len(batch)
            n_passages += sum(len(s.passages) for s in batch)
            if on_progress:
                on_progress(path, n_sources)
        if outcome["added"] or outcome["updated"]:
            store.bump_generation(tx)
        store.record_file(tx, key, signature, n_sources)
    report.files_read += 1
    report.added += outcome["added"]
    report.updated += outcome["updated"]
    report.skipped += outcome["skipped"]
    report.passages += n_passages


def file_signature(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return f"{path.stat().st_size}:{digest.hexdigest()}"


def batched(items: Iterable[Source], size: int) -> Iterator[list[Source]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
