"""The library's storage: sources, passages and the files they came from, through SQLAlchemy.

SQLite (WAL) by default, PostgreSQL by URL (``postgresql://…``); the schema is kept by the Alembic
revisions in bedside/migrations, applied when the store opens. Every write of one input file happens in one
transaction, so a killed ingest leaves either the whole file or none of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, NoSuchModuleError, OperationalError

from bedside import migrations
from bedside.library.model import EvidenceLevel, Passage, Source

metadata = MetaData()

sources = Table(
    "sources",
    metadata,
    Column("source_id", String(200), primary_key=True),
    Column("title", Text, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("year", Integer),
    Column("url", Text, nullable=False, default=""),
    Column("authors", JSON, nullable=False, default=list),
    Column("publisher", Text, nullable=False, default=""),
    Column("pmid", String(20), nullable=False, default="", index=True),
    Column("doi", Text, nullable=False, default=""),
    Column("licence", Text, nullable=False, default=""),
    Column("origin", JSON, nullable=False, default=dict),
    Column("meta", JSON, nullable=False, default=dict),
    Column("content_hash", String(64), nullable=False),
    Column("ingested_from", Text, nullable=False, default=""),
    Column("updated_at", String(40), nullable=False),
)

passages = Table(
    "passages",
    metadata,
    Column("passage_id", String(240), primary_key=True),
    Column("source_id", String(200), ForeignKey("sources.source_id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("section", Text, nullable=False, default=""),
    Column("text", Text, nullable=False),
    Column("origin", JSON, nullable=False, default=dict),
    Column("meta", JSON, nullable=False, default=dict),
)

ingested_files = Table(
    "ingested_files",
    metadata,
    Column("path", Text, primary_key=True),
    Column("signature", String(80), nullable=False),
    Column("sources", Integer, nullable=False),
    Column("finished_at", String(40), nullable=False),
)

# One row: a counter bumped by every write, so derived indexes know when they are stale.
library_state = Table(
    "library_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("generation", Integer, nullable=False),
)

SOURCE_FIELDS = [c.name for c in sources.columns if c.name not in ("content_hash", "ingested_from", "updated_at")]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# Seconds to wait for a PostgreSQL server before saying it cannot be reached.
CONNECT_TIMEOUT = 5


class StoreUnavailable(ValueError):
    """The database named by BEDSIDE_DATABASE_URL cannot be opened; the message names it (password masked)."""


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean PostgreSQL through psycopg 3, the driver bedside ships."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def masked(url: str) -> str:
    """The URL as it may be shown: the password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("postgresql"):
        # pre_ping: a pooled connection that a server restart closed is replaced, not handed out.
        engine = create_engine(url, connect_args={"connect_timeout": CONNECT_TIMEOUT}, pool_pre_ping=True)
    else:
        engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

    return engine


class Store:
    """Reads and writes the library. Writers pass an open transaction (``with store.begin() as tx``)."""

    def __init__(self, url: str):
        self.url = normalise_url(url)
        try:
            self.engine = make_engine(self.url)
            migrations.upgrade(self.engine)  # one small query when the schema is current
        except (ArgumentError, NoSuchModuleError) as exc:
            raise StoreUnavailable(f"BEDSIDE_DATABASE_URL {masked(self.url)} is not a database URL ({exc})") from exc
        except (OperationalError, InterfaceError) as exc:
            reason = str(exc.orig or exc).strip().splitlines()[0] if (exc.orig or str(exc)) else type(exc).__name__
            raise StoreUnavailable(f"cannot open the database at {masked(self.url)}: {reason}") from exc

    def begin(self):
        return self.engine.begin()

    # --- writing -----------------------------------------------------------------------------
    def write_sources(self, tx: Connection, batch: list[Source], ingested_from: str) -> dict[str, int]:
        """Add new sources, replace changed ones, skip unchanged ones. Returns counts by outcome."""
        hashes = {s.source_id: s.content_hash() for s in batch}
        known = dict(
            tx.execute(
                select(sources.c.source_id, sources.c.content_hash).where(sources.c.source_id.in_(list(hashes)))
            ).all()
        )
        counts = {"added": 0, "updated": 0, "skipped": 0}
        fresh: dict[str, Source] = {}
        for source in batch:  # a file may hold the same source twice: the last one wins
            fresh[source.source_id] = source
        changed = []
        for source_id, source in fresh.items():
            if known.get(source_id) == hashes[source_id]:
                counts["skipped"] += 1
            else:
                counts["updated" if source_id in known else "added"] += 1
                changed.append(source)
        if not changed:
            return counts
        stamp = now()
        replaced = [s.source_id for s in changed if s.source_id in known]
        if replaced:
            tx.execute(delete(passages).where(passages.c.source_id.in_(replaced)))
            tx.execute(delete(sources).where(sources.c.source_id.in_(replaced)))
        tx.execute(
            insert(sources),
            [
                {f: getattr(s, f) for f in SOURCE_FIELDS}
                | {
                    "kind": str(s.kind),
                    "content_hash": hashes[s.source_id],
                    "ingested_from": ingested_from,
                    "updated_at": stamp,
                }
                for s in changed
            ],
        )
        rows = [
            {
                "passage_id": p.passage_id,
                "source_id": s.source_id,
                "position": p.position,
                "section": p.section,
                "text": p.text,
                "origin": p.origin,
                "meta": p.meta,
            }
            for s in changed
            for p in s.passages
        ]
        if rows:
            tx.execute(insert(passages), rows)
        return counts

    def bump_generation(self, tx: Connection) -> None:
        if tx.execute(update(library_state).values(generation=library_state.c.generation + 1)).rowcount == 0:
            tx.execute(insert(library_state).values(id=1, generation=1))

    def file_signature(self, path: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(
                select(ingested_files.c.signature).where(ingested_files.c.path == path)
            ).scalar_one_or_none()

    def record_file(self, tx: Connection, path: str, signature: str, n_sources: int) -> None:
        tx.execute(delete(ingested_files).where(ingested_files.c.path == path))
        tx.execute(insert(ingested_files).values(path=path, signature=signature, sources=n_sources, finished_at=now()))

    # --- reading -----------------------------------------------------------------------------
    def generation(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(library_state.c.generation)).scalar_one_or_none() or 0

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                "sources": conn.execute(select(func.count()).select_from(sources)).scalar_one(),
                "passages": conn.execute(select(func.count()).select_from(passages)).scalar_one(),
            }

    def is_empty(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(sources.c.source_id).limit(1)).first() is None

    def iter_passages_for_index(self, batch_size: int = 5000) -> Iterator[dict]:
        """Every passage with the source fields an index needs, in passage-id order."""
        query = (
            select(
                passages.c.passage_id,
                passages.c.source_id,
                passages.c.section,
                passages.c.text,
                passages.c.meta,
                sources.c.title,
                sources.c.kind,
                sources.c.year,
                sources.c.meta.label("source_meta"),
            )
            .join(sources, sources.c.source_id == passages.c.source_id)
            .order_by(passages.c.passage_id)
        )
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=batch_size).execute(query)
            for row in result.mappings():
                yield dict(row)

    def passages_by_id(self, passage_ids: Iterable[str]) -> dict[str, dict]:
        """Passage hits (DESIGN.md's shape, without a score) for the given ids."""
        ids = list(passage_ids)
        if not ids:
            return {}
        query = (
            select(
                passages,
                sources.c.title,
                sources.c.kind,
                sources.c.year,
                sources.c.url,
                sources.c.origin.label("source_origin"),
                sources.c.publisher,
                sources.c.pmid,
            )
            .join(sources, sources.c.source_id == passages.c.source_id)
            .where(passages.c.passage_id.in_(ids))
        )
        with self.engine.connect() as conn:
            return {row["passage_id"]: passage_hit(row) for row in conn.execute(query).mappings()}

    def get_source(self, source_id: str) -> Source | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(sources).where(sources.c.source_id == source_id)).mappings().first()
            if row is None:
                return None
            rows = conn.execute(
                select(passages).where(passages.c.source_id == source_id).order_by(passages.c.position)
            ).mappings()
            return Source(
                **{f: row[f] for f in SOURCE_FIELDS if f != "kind"},
                kind=EvidenceLevel(row["kind"]),
                passages=[
                    Passage(
                        text=p["text"],
                        section=p["section"],
                        position=p["position"],
                        meta=p["meta"],
                        origin=p["origin"],
                        passage_id=p["passage_id"],
                        source_id=p["source_id"],
                    )
                    for p in rows
                ],
            )

    def iter_sources(self) -> Iterator[Source]:
        with self.engine.connect() as conn:
            ids = conn.execute(select(sources.c.source_id).order_by(sources.c.source_id)).scalars().all()
        for source_id in ids:
            source = self.get_source(source_id)
            if source is not None:
                yield source


def passage_hit(row) -> dict:
    return {
        "passage_id": row["passage_id"],
        "source_id": row["source_id"],
        "title": row["title"],
        "section": row["section"],
        "text": row["text"],
        "kind": row["kind"],
        "year": row["year"],
        "url": row["url"],
        "publisher": row["publisher"],
        "origin": {**row["source_origin"], **row["origin"]},
        "meta": row["meta"],
    }
