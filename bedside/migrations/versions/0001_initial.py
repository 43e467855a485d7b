"""The first schema: the library (sources, passages, ingested files, generation) and stored articles.

Revision ID: 0001_initial
Revises:
Create Date: 2025-01-01

Databases created before migrations existed (by ``metadata.create_all``) already hold some or all
of these tables: each is created only when missing, so such a database is simply stamped.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def _missing(name: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(name)


def upgrade() -> None:
    if _missing("sources"):
        op.create_table(
            "sources",
            sa.Column("source_id", sa.String(200), primary_key=True),
            sa.Column("title", sa.Text, nullable=False),
            sa.Column("kind", sa.String(40), nullable=False),
            sa.Column("year", sa.Integer),
            sa.Column("url", sa.Text, nullable=False),
            sa.Column("authors", sa.JSON, nullable=False),
            sa.Column("publisher", sa.Text, nullable=False),
            sa.Column("pmid", sa.String(20), nullable=False),
            sa.Column("doi", sa.Text, nullable=False),
            sa.Column("licence", sa.Text, nullable=False),
            sa.Column("origin", sa.JSON, nullable=False),
            sa.Column("meta", sa.JSON, nullable=False),
            sa.Column("content_hash", sa.String(64), nullable=False),
            sa.Column("ingested_from", sa.Text, nullable=False),
            sa.Column("updated_at", sa.String(40), nullable=False),
        )
        op.create_index("ix_sources_pmid", "sources", ["pmid"])
    if _missing("passages"):
        op.create_table(
            "passages",
            sa.Column("passage_id", sa.String(240), primary_key=True),
            sa.Column("source_id", sa.String(200), sa.ForeignKey("sources.source_id"), nullable=False),
            sa.Column("position", sa.Integer, nullable=False),
            sa.Column("section", sa.Text, nullable=False),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("origin", sa.JSON, nullable=False),
            sa.Column("meta", sa.JSON, nullable=False),
        )
        op.create_index("ix_passages_source_id", "passages", ["source_id"])
    if _missing("ingested_files"):
        op.create_table(
            "ingested_files",
            sa.Column("path", sa.Text, primary_key=True),
            sa.Column("signature", sa.String(80), nullable=False),
            sa.Column("sources", sa.Integer, nullable=False),
            sa.Column("finished_at", sa.String(40), nullable=False),
        )
    if _missing("library_state"):
        op.create_table(
            "library_state",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("generation", sa.Integer, nullable=False),
        )
    if _missing("articles"):
        op.create_table(
            "articles",
            sa.Column("id", sa.String(32), primary_key=True),
            sa.Column("question", sa.Text, nullable=False),
            sa.Column("audience", sa.String(20), nullable=False),
            sa.Column("status", sa.String(30), nullable=False),
            sa.Column("version", sa.Integer, nullable=False),
            sa.Column("follow_up_of", sa.String(32)),
            sa.Column("created_at", sa.String(40), nullable=False),
            sa.Column("updated_at", sa.String(40), nullable=False),
            sa.Column("payload", sa.JSON, nullable=False),
        )
        op.create_index("ix_articles_status", "articles", ["status"])
        op.create_index("ix_articles_follow_up_of", "articles", ["follow_up_of"])


def downgrade() -> None:
    for table in ("articles", "library_state", "ingested_files", "passages", "sources"):
        op.drop_table(table)
