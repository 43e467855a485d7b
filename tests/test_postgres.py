"""The store on a real PostgreSQL server, and the Alembic migrations on SQLite and PostgreSQL.

The ingest tests of tests/test_ingest.py run here a second time with BEDSIDE_DATABASE_URL pointing
at a fresh PostgreSQL database (this module's ``home`` fixture overrides conftest's).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import postgres_server
import pytest
import sqlalchemy as sa
from test_ingest import (
    synthetic_sources,
    test_a_bad_new_version_of_a_file_leaves_the_stored_one_intact,
    test_a_changed_file_updates_its_source_in_place,
    test_bad_inputs_are_reported_one_line_each_and_the_rest_is_ingested,
    test_hostile_xml_cannot_read_local_files,
    test_ingesting_the_same_files_twice_changes_nothing,
)

from bedside import migrations
from bedside.library.store import Store, StoreUnavailable, make_engine, masked, normalise_url

# The fixtures: a PostgreSQL server for the session, a fresh database per test.
pg_server = postgres_server.pg_server
pg_url = postgres_server.pg_url

REUSED = (
    test_a_bad_new_version_of_a_file_leaves_the_stored_one_intact,
    test_a_changed_file_updates_its_source_in_place,
    test_bad_inputs_are_reported_one_line_each_and_the_rest_is_ingested,
    test_hostile_xml_cannot_read_local_files,
    test_ingesting_the_same_files_twice_changes_nothing,
)


@pytest.fixture
def home(tmp_path, monkeypatch, pg_url) -> Path:
    """Like conftest's home, but the store is a fresh PostgreSQL database."""
    monkeypatch.setenv("BEDSIDE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("BEDSIDE_STARTER", "off")
    monkeypatch.setenv("BEDSIDE_DATABASE_URL", pg_url)
    return tmp_path / "home"


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


LIBRARY_TABLES = {"sources", "passages", "ingested_files", "library_state", "articles", "alembic_version"}


def test_the_head_constant_is_alembics_head():
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(migrations.config()).get_current_head() == migrations.HEAD


def test_a_new_postgresql_store_is_migrated_to_head(pg_url):
    store = Store(pg_url)
    assert store.engine.dialect.name == "postgresql"
    assert migrations.current_revision(store.engine) == migrations.HEAD
    assert table_names(pg_url) >= LIBRARY_TABLES


def test_migrations_downgrade_and_upgrade_again_on_postgresql(pg_url):
    from alembic import command

    engine = Store(pg_url).engine
    command.downgrade(migrations.config(engine), "base")
    assert migrations.current_revision(engine) is None
    assert "sources" not in table_names(pg_url)
    migrations.upgrade(engine)
    assert table_names(pg_url) >= LIBRARY_TABLES


def test_several_processes_opening_a_new_database_at_once_migrate_it_once(pg_url):
    code = "import sys; from bedside.library.store import Store; Store(sys.argv[1])"
    runs = [subprocess.Popen([sys.executable, "-c", code, pg_url], stderr=subprocess.PIPE) for _ in range(4)]
    errors = [p.communicate()[1].decode() for p in runs]
    assert [p.returncode for p in runs] == [0] * 4, errors
    with make_engine(pg_url).connect() as conn:
        assert conn.execute(sa.text("select version_num from alembic_version")).scalars().all() == [migrations.HEAD]


def test_a_sqlite_store_made_before_migrations_is_stamped_and_keeps_its_data(tmp_path):
    from bedside.library import store as store_module

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    store_module.metadata.create_all(engine)  # how the store was created before Alembic
    with engine.begin() as tx:
        tx.execute(sa.insert(store_module.library_state).values(id=1, generation=7))
    store = Store(url)
    assert migrations.current_revision(store.engine) == migrations.HEAD
    assert store.generation() == 7
    assert table_names(url) >= LIBRARY_TABLES


def test_postgresql_urls_use_psycopg_and_passwords_are_masked():
    assert normalise_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"
    assert "s3cret" not in masked("postgresql+psycopg://u:s3cret@h/db")
    assert "u:***@h" in masked("postgresql+psycopg://u:s3cret@h/db")


def test_an_unreachable_postgresql_is_a_clear_error_naming_the_uri(home, bedside, monkeypatch):
    url = "postgresql://reader:s3cret@127.0.0.1:1/library"  # nothing listens on port 1
    with pytest.raises(StoreUnavailable) as caught:
        Store(url)
    assert "127.0.0.1:1/library" in str(caught.value) and "s3cret" not in str(caught.value)

    monkeypatch.setenv("BEDSIDE_DATABASE_URL", url)
    result = bedside("search", "asthma")
    assert result.exit_code == 2
    assert "127.0.0.1:1/library" in result.stderr and "s3cret" not in result.output
    assert "Traceback" not in result.output


def test_an_ingest_killed_midway_resumes_without_duplicates_or_gaps_on_postgresql(home, pg_url, tmp_path):
    small, big = tmp_path / "a-small.jsonl", tmp_path / "b-big.jsonl"
    small.write_text("\n".join(synthetic_sources(50, "small")) + "\n")
    big.write_text("\n".join(synthetic_sources(60_000, "big")) + "\n")
    # The ingest itself, without the index refresh `bedside ingest` runs after it (embedding 60,000
    # passages would take minutes and is not what this test is about).
    code = (
        "import sys; from pathlib import Path; from bedside.library.ingest import ingest; "
        "from bedside.library.store import Store; r = ingest(Store(sys.argv[1]), [Path(p) for p in sys.argv[2:]]); "
        "print(f'{r.files_unchanged} files already ingested', file=sys.stderr); sys.exit(2 if r.errors else 0)"
    )
    command = [sys.executable, "-c", code, pg_url, str(small), str(big)]
    env = os.environ.copy()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    store = Store(pg_url)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if store.file_signature(str(small.resolve())):
                break
            time.sleep(0.05)
        assert process.poll() is None, "the ingest finished before it could be killed; make the big file bigger"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
    assert store.counts() == {"sources": 50, "passages": 50}  # the big file's transaction never committed

    resumed = subprocess.run(command, env=env, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "1 files already ingested" in " ".join(resumed.stderr.split())
    assert store.counts() == {"sources": 60_050, "passages": 60_050}
    with store.engine.connect() as conn:
        ids = conn.execute(sa.text("select source_id from sources where source_id like 'big:%'")).scalars().all()
    assert sorted(int(i.split(":")[1]) for i in ids) == list(range(60_000))  # no gaps, no duplicates
