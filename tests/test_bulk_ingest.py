"""Bulk ingest: files parsed in parallel worker processes give exactly what a serial ingest gives, on
SQLite and on PostgreSQL; a bad file among them is reported alone; unchanged files are not parsed again."""

from __future__ import annotations

import hashlib

import postgres_server
import pytest
import sqlalchemy as sa

from bedside.library.ingest import ingest
from bedside.library.store import Store
from bedside.library.synthetic import write_pubmed_baseline

pg_server = postgres_server.pg_server
pg_url = postgres_server.pg_url


@pytest.fixture(scope="module")
def baseline_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("baseline")
    files = []
    for i in range(3):
        path = folder / f"pubmed25n{i:04d}.xml.gz"
        write_pubmed_baseline(path, 400, seed=i)
        files.append(path)
    return files


def fingerprint(store: Store) -> tuple[dict, str]:
    """The counts, and a digest of every passage and source row that matters."""
    digest = hashlib.sha256()
    with store.engine.connect() as conn:
        for row in conn.execute(
            sa.text("select passage_id, source_id, position, section, text from passages order by passage_id")
        ):
            digest.update(repr(tuple(row)).encode())
        for row in conn.execute(sa.text("select source_id, title, kind, year, content_hash from sources order by 1")):
            digest.update(repr(tuple(row)).encode())
    return store.counts(), digest.hexdigest()


def test_parallel_parsing_stores_exactly_what_serial_ingest_stores(baseline_files, tmp_path):
    serial = Store(f"sqlite:///{tmp_path / 'serial.db'}")
    parallel = Store(f"sqlite:///{tmp_path / 'parallel.db'}")
    one = ingest(serial, baseline_files, workers=1)
    many = ingest(parallel, baseline_files, workers=3)
    assert not one.errors and not many.errors
    assert (many.added, many.passages, many.files_read) == (one.added, one.passages, one.files_read) != (0, 0, 0)
    assert fingerprint(parallel) == fingerprint(serial)
    assert parallel.generation() == serial.generation() == 3


def test_parallel_ingest_into_postgresql_matches_sqlite(baseline_files, tmp_path, pg_url):
    sqlite = Store(f"sqlite:///{tmp_path / 'lib.db'}")
    postgres = Store(pg_url)
    ingest(sqlite, baseline_files, workers=1)
    report = ingest(postgres, baseline_files, workers=2)
    assert not report.errors
    assert fingerprint(postgres) == fingerprint(sqlite)


def test_a_bad_file_among_parallel_ones_is_reported_alone(baseline_files, tmp_path):
    truncated = tmp_path / "pubmed25n9999.xml.gz"
    truncated.write_bytes(baseline_files[0].read_bytes()[:2000])  # cut off mid-stream
    store = Store(f"sqlite:///{tmp_path / 'lib.db'}")
    report = ingest(store, [baseline_files[0], truncated, baseline_files[1]], workers=2)
    assert len(report.errors) == 1 and truncated.name in report.errors[0]
    assert report.files_read == 2
    assert store.file_signature(str(truncated.resolve())) is None


def test_unchanged_files_are_skipped_before_parsing(baseline_files, tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'lib.db'}")
    ingest(store, baseline_files, workers=2)
    generation = store.generation()
    again = ingest(store, baseline_files, workers=2)
    assert (again.files_unchanged, again.files_read, again.added) == (3, 0, 0)
    assert store.generation() == generation
