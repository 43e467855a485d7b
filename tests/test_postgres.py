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
from bedside.editorial import audit
from bedside.editorial import schema as editorial_schema
from bedside.editorial.articles import ArticleStore
from bedside.editorial.users import Accounts, User
from bedside.library import store as store_module
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
# What 0002_editorial adds (articles came with 0001_initial).
EDITORIAL_TABLES = {
    "article_versions",
    "reviews",
    "audit_log",
    "users",
    "api_tokens",
    "web_sessions",
    "sign_in_failures",
}


def test_the_head_constant_is_alembics_head():
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(migrations.config()).get_current_head() == migrations.HEAD


def test_a_new_postgresql_store_is_migrated_to_head(pg_url):
    store = Store(pg_url)
    assert store.engine.dialect.name == "postgresql"
    assert migrations.current_revision(store.engine) == migrations.HEAD
    assert table_names(pg_url) >= LIBRARY_TABLES | EDITORIAL_TABLES


def test_migrations_downgrade_and_upgrade_again_on_postgresql(pg_url):
    from alembic import command

    engine = Store(pg_url).engine
    command.downgrade(migrations.config(engine), "base")
    assert migrations.current_revision(engine) is None
    assert "sources" not in table_names(pg_url)
    migrations.upgrade(engine)
    assert table_names(pg_url) >= LIBRARY_TABLES | EDITORIAL_TABLES


@pytest.fixture(params=["sqlite", "postgresql"])
def any_url(request, tmp_path) -> str:
    """An empty database: a new SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'bedside.db'}"
    return request.getfixturevalue("pg_url")


def refuses_to_change_the_audit_log(engine: sa.Engine) -> bool:
    """Writes one audit entry, then tries to update it and to delete it: True when both are refused."""
    with engine.begin() as tx:
        audit.append(tx, actor="probe", action="probe")
    refused = []
    for statement in (
        sa.update(editorial_schema.audit_log).values(actor="mallory"),
        sa.delete(editorial_schema.audit_log),
    ):
        try:
            with engine.begin() as tx:
                tx.execute(statement)
        except sa.exc.DatabaseError as exc:
            refused.append("append-only" in str(exc))
        else:
            refused.append(False)
    return all(refused)


def audit_triggers(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            query = "select count(*) from sqlite_master where type = 'trigger' and tbl_name = 'audit_log'"
        else:
            query = "select count(*) from pg_trigger where tgrelid = 'audit_log'::regclass and not tgisinternal"
        return conn.execute(sa.text(query)).scalar_one()


def test_the_migrations_make_exactly_the_tables_the_code_defines(any_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = Store(any_url).engine
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            # Columns, types, nullability, primary keys, indexes and unique constraints, table by table.
            assert compare_metadata(context, [store_module.metadata, editorial_schema.metadata]) == []
        assert refuses_to_change_the_audit_log(engine)
    finally:
        engine.dispose()


def test_the_editorial_revision_downgrades_to_0001_and_upgrades_again_on_postgresql(pg_url):
    from alembic import command

    engine = make_engine(pg_url)
    try:
        migrations.upgrade(engine)  # an empty database, straight to head
        assert migrations.current_revision(engine) == migrations.HEAD == "0002_editorial"
        assert table_names(pg_url) >= LIBRARY_TABLES | EDITORIAL_TABLES
        assert refuses_to_change_the_audit_log(engine) and audit_triggers(engine) == 1

        command.downgrade(migrations.config(engine), "0001_initial")
        assert migrations.current_revision(engine) == "0001_initial"
        tables = table_names(pg_url)
        assert tables >= LIBRARY_TABLES and not tables & EDITORIAL_TABLES  # articles belongs to 0001
        with engine.connect() as conn:
            functions = conn.execute(sa.text("select count(*) from pg_proc where proname = 'audit_log_append_only'"))
            assert functions.scalar_one() == 0

        migrations.upgrade(engine)
        assert migrations.current_revision(engine) == migrations.HEAD
        assert table_names(pg_url) >= LIBRARY_TABLES | EDITORIAL_TABLES
        assert refuses_to_change_the_audit_log(engine) and audit_triggers(engine) == 1
        articles = ArticleStore(engine)
        assert articles.workflow.queue() == [] and Accounts(engine).list() == []
    finally:
        engine.dispose()


def test_a_database_whose_editorial_tables_predate_their_migration_is_brought_to_head(any_url):
    """A home made by the code before 0002_editorial: the library at 0001_initial, and the editorial tables
    and the audit trigger made by ArticleStore's ``create_all``. Opening it keeps everything and adds nothing twice."""
    engine = make_engine(any_url)
    try:
        migrations.upgrade(engine, "0001_initial")
        editorial_schema.metadata.create_all(engine)  # what ArticleStore did, trigger included
        triggers = audit_triggers(engine)
        assert triggers >= 1
        Accounts(engine).add("alice", "reviewer", "correct horse battery staple")
        with engine.connect() as conn:
            entries = len(audit.entries(conn))

        store = Store(any_url)  # as Bedside.open and the editorial CLI open it
        assert migrations.current_revision(store.engine) == migrations.HEAD
        assert audit_triggers(engine) == triggers
        assert Accounts(engine).authenticate("alice", "correct horse battery staple") == User("alice", "reviewer")
        with engine.connect() as conn:
            assert len(audit.entries(conn)) == entries
        assert refuses_to_change_the_audit_log(engine)
        store.engine.dispose()
    finally:
        engine.dispose()


def test_several_processes_opening_a_new_database_at_once_migrate_it_once(pg_url):
    code = "import sys; from bedside.library.store import Store; Store(sys.argv[1])"
    runs = [subprocess.Popen([sys.executable, "-c", code, pg_url], stderr=subprocess.PIPE) for _ in range(4)]
    errors = [p.communicate()[1].decode() for p in runs]
    assert [p.returncode for p in runs] == [0] * 4, errors
    with make_engine(pg_url).connect() as conn:
        assert conn.execute(sa.text("select version_num from alembic_version")).scalars().all() == [migrations.HEAD]


def test_a_sqlite_store_made_before_migrations_is_stamped_and_keeps_its_data(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    store_module.metadata.create_all(engine)  # how the store was created before Alembic
    with engine.begin() as tx:
        tx.execute(sa.insert(store_module.library_state).values(id=1, generation=7))
    store = Store(url)
    assert migrations.current_revision(store.engine) == migrations.HEAD
    assert store.generation() == 7
    assert table_names(url) >= LIBRARY_TABLES | EDITORIAL_TABLES


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
