"""The audit log: who did what, when, to which article version, with what comment.

Append-only: entries are written inside the transaction of the change they record (so a change and its
entry land together or not at all) and are never updated or deleted; the database refuses both.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select

from bedside.editorial.schema import audit_log


def append(
    tx: Connection,
    *,
    actor: str,
    action: str,
    article_id: str | None = None,
    version: int | None = None,
    comment: str = "",
    detail: dict | None = None,
    at: str | None = None,
) -> None:
    tx.execute(
        insert(audit_log).values(
            at=at or datetime.now(UTC).isoformat(timespec="seconds"),
            actor=actor,
            action=action,
            article_id=article_id,
            version=version,
            comment=comment,
            detail=detail or {},
        )
    )


def entries(conn: Connection, article_id: str | None = None) -> list[dict]:
    """Entries in the order they were written, for one article or for all."""
    query = select(audit_log).order_by(audit_log.c.id)
    if article_id is not None:
        query = query.where(audit_log.c.article_id == article_id)
    return [dict(row._mapping) for row in conn.execute(query)]
