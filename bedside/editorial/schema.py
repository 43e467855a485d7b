"""The editorial tables: articles and their versions, reviews, the audit log, accounts, tokens, sessions.

All in one SQLAlchemy Core ``metadata`` that migrations import. Only portable types: the same tables run on
SQLite and PostgreSQL. Times are ISO 8601 strings in UTC (as in the library's store), so they sort as text.
The database gets them from the Alembic revisions (``articles`` in 0001_initial, the rest in
0002_editorial), which must match these definitions; tests/test_postgres.py checks that they do.

The audit log is append-only: the code has no update or delete for it, and the database refuses both
through a trigger (``AUDIT_APPEND_ONLY_DDL``: 0002_editorial runs it, since autogenerate does not see
triggers; it is also attached to ``metadata.create_all``, for databases made without the migrations).
"""

from __future__ import annotations

from sqlalchemy import (
    DDL,
    JSON,
    Column,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)

metadata = MetaData()

# The article head: its latest version's number and status, and that version's payload.
# ``status`` and ``version`` are the guard of every workflow step: a step updates the head
# ``WHERE id = ? AND version = ? AND status = ?`` and gives up when no row matched.
articles = Table(
    "articles",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("question", Text, nullable=False),
    Column("audience", String(20), nullable=False),
    Column("status", String(30), nullable=False, index=True),
    Column("version", Integer, nullable=False, default=1),
    Column("follow_up_of", String(32), index=True),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    Column("payload", JSON, nullable=False),
)

# Every version of every article, as it was written; ``status`` is this version's own.
article_versions = Table(
    "article_versions",
    metadata,
    Column("article_id", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String(30), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("created_by", String(64), nullable=False),  # a user name, or "bedside" for the answer engine
    Column("reason", String(30), nullable=False),  # generated | regenerated | edited
    Column("decided_by", String(64)),  # who approved it or asked for changes
    Column("decided_at", String(40)),
    Column("payload", JSON, nullable=False),
    PrimaryKeyConstraint("article_id", "version"),
)

# One row per review decision (start, approve, request_changes).
reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(32), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("reviewer", String(64), nullable=False),
    Column("role", String(20), nullable=False),
    Column("decision", String(30), nullable=False),
    Column("from_status", String(30), nullable=False),
    Column("to_status", String(30), nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("created_at", String(40), nullable=False),
)

# Who did what, when, to which version, with what comment. Append-only.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(40), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(40), nullable=False),
    Column("article_id", String(32), index=True),
    Column("version", Integer),
    Column("comment", Text, nullable=False, default=""),
    Column("detail", JSON, nullable=False, default=dict),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    UniqueConstraint("name", name="uq_users_name"),
)

# API tokens: only a SHA-256 of the token is kept (tokens are 256 random bits, so no salt or stretching).
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_name", String(64), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("revoked_at", String(40)),
    UniqueConstraint("token_hash", name="uq_api_tokens_hash"),
)

# Browser sessions: the cookie holds a random id, the table its SHA-256, the CSRF token and the expiry.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_name", String(64), nullable=False, index=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("expires_at", String(40), nullable=False),
)

# Failed sign-ins, for the throttle: counted per name and per client address over a window.
sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("client", String(64), nullable=False),
    Column("at", String(40), nullable=False),
    Index("ix_sign_in_failures_name_at", "name", "at"),
    Index("ix_sign_in_failures_client_at", "client", "at"),
)

AUDIT_APPEND_ONLY_DDL = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$ LANGUAGE plpgsql",
        "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    ],
}

for _dialect, _statements in AUDIT_APPEND_ONLY_DDL.items():
    for _statement in _statements:
        event.listen(audit_log, "after_create", DDL(_statement).execute_if(dialect=_dialect))
