"""A real PostgreSQL server for the tests, and a fresh database on it for each test.

``scripts/test`` starts one server for the whole run (scripts/setup-postgres) and exports its URL as
BEDSIDE_TEST_POSTGRES_URL; run alone, the session fixture starts its own in a temporary directory and
stops it at the end. Without PostgreSQL installed the tests are skipped, except in CI, where that
is a failure. In a test module: ``import postgres_server``, then ``pg_server = postgres_server.pg_server``
and ``pg_url = postgres_server.pg_url``.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from bedside.config import REPO_ROOT
from bedside.library.store import normalise_url

SCRIPT = REPO_ROOT / "scripts" / "setup-postgres"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The URL of a running server's maintenance database (``…/postgres``)."""
    given = os.environ.get("BEDSIDE_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    folder = tempfile.mkdtemp(prefix="bedside-pg-")
    started = subprocess.run([str(SCRIPT), "start", folder], capture_output=True, text=True)
    if started.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        message = f"no PostgreSQL server for the tests: {started.stderr.strip()}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run([str(SCRIPT), "stop", folder], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server) -> Iterator[str]:
    """A new, empty database for one test; dropped afterwards."""
    name = f"test_{secrets.token_hex(6)}"
    admin = sa.create_engine(normalise_url(pg_server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'create database "{name}"'))
    url = pg_server.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'drop database if exists "{name}" with (force)'))
        admin.dispose()
