"""Alembic's environment: which database, and which tables the migrations describe.

``target_metadata`` lists the MetaData of every module that owns tables, so ``alembic revision
--autogenerate`` compares all of them with the database: the library's (bedside.library.store) and
the editorial ones (bedside.editorial.schema).
"""

from __future__ import annotations

import importlib

from alembic import context
from sqlalchemy import MetaData, text

from bedside.library import store


def editorial_metadata() -> list[MetaData]:
    """The editorial tables' MetaData: bedside.editorial.schema holds all of them (articles, versions,
    reviews, audit log, users, tokens, sessions); older checkouts had only articles.py."""
    for name in ("bedside.editorial.schema", "bedside.editorial.articles"):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        if isinstance(getattr(module, "metadata", None), MetaData):
            return [module.metadata]
    return []


target_metadata = [store.metadata, *editorial_metadata()]


def engine():
    given = context.config.attributes.get("engine")
    if given is not None:
        return given
    from bedside.config import Settings

    url = context.config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url
    return store.make_engine(store.normalise_url(url))


def run_migrations_offline() -> None:
    from bedside.config import Settings

    url = context.config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url
    context.configure(url=store.normalise_url(url), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with engine().connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                from bedside.migrations import LOCK_ID

                # Held until this transaction ends: concurrent starters wait, then find nothing to do.
                connection.execute(text("select pg_advisory_xact_lock(:id)"), {"id": LOCK_ID})
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
