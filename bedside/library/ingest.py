"""Loading files into the store: idempotent, resumable, one transaction per file.

A file already ingested with the same content is skipped whole; a source whose content is unchanged
is skipped; a changed source replaces its old version. A file that fails (malformed, wrong encoding,
truncated) is rolled back and reported, and the rest of the batch goes on.

Bulk loads scale by parsing files in parallel worker processes (one per core) while this process
writes them in order, one transaction per file, in batches of BATCH sources: memory stays a few
batches whatever the input size, and a killed ingest restarts at the first file not committed.
"""

from __future__ import annotations

import hashlib
import importlib
import multiprocessing
import os
import pickle
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from types import ModuleType

from bedside.library import loaders
from bedside.library.model import LoaderError, Source
from bedside.library.store import Store

BATCH = 500
PARALLEL_MIN_BYTES = 4 << 20

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


def ingest(
    store: Store, paths: list[Path], on_progress: Progress | None = None, workers: int | None = None
) -> IngestReport:
    """Load ``paths`` into ``store``. ``workers`` processes parse files in parallel (default: one per
    core when there is enough to parse, see ``parallel_workers``); writing stays one transaction per
    file, in the order the files were given, so a killed ingest resumes exactly where it stopped."""
    report = IngestReport()
    todo: list[tuple[Path, ModuleType]] = []
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
            todo.append((file, loader))
    workers = parallel_workers(todo) if workers is None else workers
    if workers > 1 and len(todo) > 1:
        _ingest_parallel(store, todo, report, on_progress, workers)
        return report
    for file, loader in todo:
        with _reported(file, report):
            _ingest_file(store, file, loader, report, on_progress)
    return report


@contextmanager
def _reported(file: Path, report: IngestReport) -> Iterator[None]:
    try:
        yield
    except LoaderError as exc:
        report.errors.append(str(exc))
    except OSError as exc:
        report.errors.append(f"{file}: cannot be read ({exc.strerror or exc})")
    except Exception as exc:  # a loader tripped on input it did not foresee: report, go on
        report.errors.append(f"{file}: could not be loaded ({type(exc).__name__}: {exc})")


def parallel_workers(todo: list[tuple[Path, ModuleType]]) -> int:
    """One parser per core when at least two files hold PARALLEL_MIN_BYTES between them (starting
    worker processes costs about half a second); BEDSIDE_INGEST_WORKERS overrides it."""
    if os.environ.get("BEDSIDE_INGEST_WORKERS"):
        return max(1, int(os.environ["BEDSIDE_INGEST_WORKERS"]))
    size = sum(f.stat().st_size for f, _ in todo if f.exists())
    return min(os.cpu_count() or 1, len(todo)) if len(todo) > 1 and size >= PARALLEL_MIN_BYTES else 1


def _ingest_file(
    store: Store, path: Path, loader: ModuleType, report: IngestReport, on_progress: Progress | None
) -> None:
    key = str(path.resolve())
    signature = file_signature(path)
    if store.file_signature(key) == signature:
        report.files_unchanged += 1
        return
    _write_file(store, path, key, signature, batched(loader.load(path), BATCH), report, on_progress)


def _write_file(
    store: Store,
    path: Path,
    key: str,
    signature: str,
    batches: Iterable[list[Source]],
    report: IngestReport,
    on_progress: Progress | None,
) -> None:
    outcome: Counter[str] = Counter()
    n_sources = n_passages = 0
    with store.begin() as tx:  # the whole file or nothing
        for batch in batches:
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


# --- parallel parsing -------------------------------------------------------------------------------
# Worker processes parse whole files into spool files of pickled batches on local disk (memory stays
# one batch per worker, whatever the file size); this process writes each spooled file in one
# transaction as soon as it and every file before it are parsed. "spawn" rather than fork: the parent
# may hold database connections and gRPC threads that must not be copied into a child.


def _parse_to_spool(job: tuple[str, str, str]) -> tuple[str, str, str | None]:
    file, loader_name, spool_dir = job
    path = Path(file)
    spool = Path(spool_dir) / f"{hashlib.sha1(file.encode()).hexdigest()}.pickle"
    report = IngestReport()
    with _reported(path, report), open(spool, "wb") as out:
        loader = importlib.import_module(loader_name)
        for batch in batched(loader.load(path), BATCH):
            pickle.dump(batch, out, protocol=pickle.HIGHEST_PROTOCOL)
    return file, str(spool), report.errors[0] if report.errors else None


def _read_spool(spool: Path) -> Iterator[list[Source]]:
    with open(spool, "rb") as f:
        while True:
            try:
                yield pickle.load(f)
            except EOFError:
                return


def _ingest_parallel(
    store: Store,
    todo: list[tuple[Path, ModuleType]],
    report: IngestReport,
    on_progress: Progress | None,
    workers: int,
) -> None:
    signatures: dict[str, tuple[str, str]] = {}
    for file, _loader in todo:  # unchanged files are skipped before any parsing
        with _reported(file, report):
            key, signature = str(file.resolve()), file_signature(file)
            if store.file_signature(key) == signature:
                report.files_unchanged += 1
                continue
            signatures[str(file)] = (key, signature)
    with tempfile.TemporaryDirectory(prefix="bedside-ingest-") as spool_dir:
        jobs = [(str(f), loader.__name__, spool_dir) for f, loader in todo if str(f) in signatures]
        if not jobs:
            return
        with multiprocessing.get_context("spawn").Pool(min(workers, len(jobs))) as pool:
            for file, spool, error in pool.imap(_parse_to_spool, jobs):  # in order, parsed ahead in parallel
                if error is not None:
                    report.errors.append(error)
                else:
                    key, signature = signatures[file]
                    with _reported(Path(file), report):
                        _write_file(store, Path(file), key, signature, _read_spool(Path(spool)), report, on_progress)
                Path(spool).unlink(missing_ok=True)


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
