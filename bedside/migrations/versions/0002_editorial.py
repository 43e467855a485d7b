"""The editorial tables: article versions, reviews, the append-only audit log, users, tokens, sessions.

Revision ID: 0002_editorial
Revises: 0001_initial
Create Date: 2026-01-01

``articles`` came with 0001_initial. The other tables are the ones of bedside.editorial.schema, with the
same portable types, indexes and constraints. Before this revision ``ArticleStore`` made them itself
(``metadata.create_all`` plus the audit log's trigger), so each table is created only when missing and
the trigger statements are idempotent: such a database is simply brought to this revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bedside.editorial.schema import AUDIT_APPEND_ONLY_DDL

revision = "0002_editorial"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

TABLES = ("article_versions", "reviews", "audit_log", "users", "api_tokens", "web_sessions", "sign_in_failures")

# What undoes AUDIT_APPEND_ONLY_DDL, per dialect (dropping the table drops its triggers, not the function).
AUDIT_APPEND_ONLY_UNDO = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_log_no_update",
        "DROP TRIGGER IF EXISTS audit_log_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log",
        "DROP FUNCTION IF EXISTS audit_log_append_only()",
    ],
}


def _missing(name: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(name)


def upgrade() -> None:
    if _missing("article_versions"):
        op.create_table(
            "article_versions",
            sa.Column("article_id", sa.String(32), nullable=False),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("status", sa.String(30), nullable=False),
            sa.Column("created_at", sa.String(40), nullable=False),
            sa.Column("created_by", sa.String(64), nullable=False),
            sa.Column("reason", sa.String(30), nullable=False),
            sa.Column("decided_by", sa.String(64)),
            sa.Column("decided_at", sa.String(40)),
            sa.Column("payload", sa.JSON, nullable=False),
            sa.PrimaryKeyConstraint("article_id", "version"),
        )
    if _missing("reviews"):
        op.create_table(
            "reviews",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("article_id", sa.String(32), nullable=False),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("reviewer", sa.String(64), nullable=False),
            sa.Column("role", sa.String(20), nullable=False),
            sa.Column("decision", sa.String(30), nullable=False),
            sa.Column("from_status", sa.String(30), nullable=False),
            sa.Column("to_status", sa.String(30), nullable=False),
            sa.Column("comment", sa.Text, nullable=False),
            sa.Column("created_at", sa.String(40), nullable=False),
        )
        op.create_index("ix_reviews_article_id", "reviews", ["article_id"])
    if _missing("audit_log"):
        op.create_table(
            "audit_log",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("at", sa.String(40), nullable=False),
            sa.Column("actor", sa.String(64), nullable=False),
            sa.Column("action", sa.String(40), nullable=False),
            sa.Column("article_id", sa.String(32)),
            sa.Column("version", sa.Integer),
            sa.Column("comment", sa.Text, nullable=False),
            sa.Column("detail", sa.JSON, nullable=False),
        )
        op.create_index("ix_audit_log_article_id", "audit_log", ["article_id"])
    if _missing("users"):
        op.create_table(
            "users",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("name", sa.String(64), nullable=False),
            sa.Column("role", sa.String(20), nullable=False),
            sa.Column("password_hash", sa.Text, nullable=False),
            sa.Column("created_at", sa.String(40), nullable=False),
            sa.UniqueConstraint("name", name="uq_users_name"),
        )
    if _missing("api_tokens"):
        op.create_table(
            "api_tokens",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("user_name", sa.String(64), nullable=False),
            sa.Column("token_hash", sa.String(64), nullable=False),
            sa.Column("created_at", sa.String(40), nullable=False),
            sa.Column("revoked_at", sa.String(40)),
            sa.UniqueConstraint("token_hash", name="uq_api_tokens_hash"),
        )
        op.create_index("ix_api_tokens_user_name", "api_tokens", ["user_name"])
    if _missing("web_sessions"):
        op.create_table(
            "web_sessions",
            sa.Column("id_hash", sa.String(64), primary_key=True),
            sa.Column("user_name", sa.String(64), nullable=False),
            sa.Column("csrf_token", sa.String(64), nullable=False),
            sa.Column("created_at", sa.String(40), nullable=False),
            sa.Column("expires_at", sa.String(40), nullable=False),
        )
        op.create_index("ix_web_sessions_user_name", "web_sessions", ["user_name"])
    if _missing("sign_in_failures"):
        op.create_table(
            "sign_in_failures",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("name", sa.String(64), nullable=False),
            sa.Column("client", sa.String(64), nullable=False),
            sa.Column("at", sa.String(40), nullable=False),
        )
        op.create_index("ix_sign_in_failures_name_at", "sign_in_failures", ["name", "at"])
        op.create_index("ix_sign_in_failures_client_at", "sign_in_failures", ["client", "at"])
    # The audit log is append-only in the database too. Each statement may run again harmlessly
    # (IF NOT EXISTS, OR REPLACE, DROP … IF EXISTS then CREATE), so a trigger made earlier is fine.
    for statement in AUDIT_APPEND_ONLY_DDL.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade() -> None:
    for statement in AUDIT_APPEND_ONLY_UNDO.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    for table in reversed(TABLES):
        op.drop_table(table)
