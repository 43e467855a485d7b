"""Schema migrations (Alembic) for the store, on SQLite and PostgreSQL alike.

``upgrade(engine)`` runs on every store open. When the database is already at ``HEAD`` it costs one
small query and Alembic is not even imported (its import alone takes about half a second), so the
default SQLite store opens as fast as before. Otherwise Alembic brings the schema to ``HEAD``; on
PostgreSQL under an advisory lock, so several web workers starting at once migrate it only once.

From the shell: ``python -m bedside.migrations [upgrade|current|history]`` with BEDSIDE_DATABASE_URL
set, or ``alembic -c bedside/migrations/alembic.ini …`` for everything else Alembic does.

Adding a revision (see versions/0002_editorial.py for the pattern): a new file in versions/ with
``revision = "0003_…"``, ``down_revision = HEAD`` (the previous one), and ``HEAD`` below set to it.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

HERE = Path(__file__).resolve().parent
# The newest revision in versions/. tests/test_postgres.py checks it against Alembic's own idea of head.
HEAD = "0002_editorial"
VERSION_TABLE = "alembic_version"
# Any constant: the PostgreSQL advisory lock that serialises migrations across processes.
LOCK_ID = 7_130_421


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        return conn.execute(text(f"select version_num from {VERSION_TABLE}")).scalar_one_or_none()


def config(engine: Engine | None = None, url: str | None = None):
    from alembic.config import Config

    cfg = Config(str(HERE / "alembic.ini"))
    cfg.set_main_option("script_location", str(HERE))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest); a no-op when it is there already."""
    if revision == "head" and current_revision(engine) == HEAD:
        return
    from alembic import command

    try:
        command.upgrade(config(engine), revision)
    except (OperationalError, ProgrammingError, IntegrityError):
        # SQLite has no advisory lock: another process migrated the same file between our check and
        # our DDL. Its work is done or in progress; the revisions skip tables that exist, so run again.
        if current_revision(engine) != HEAD:
            command.upgrade(config(engine), revision)
