"""Stored articles: what was asked, what was answered, and where it stands in review."""

from __future__ import annotations

import secrets

from sqlalchemy import JSON, Column, Engine, Integer, MetaData, String, Table, Text, insert, select

from bedside.answer.article import Article

metadata = MetaData()

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


def new_article_id() -> str:
    return secrets.token_hex(6)


class ArticleStore:
    def __init__(self, engine: Engine):
        self.engine = engine
        metadata.create_all(engine)

    def save(self, article: Article) -> None:
        with self.engine.begin() as tx:
            tx.execute(
                insert(articles).values(
                    id=article.id,
                    question=article.question,
                    audience=article.audience,
                    status=article.status,
                    version=article.version,
                    follow_up_of=article.follow_up_of,
                    created_at=article.created_at,
                    updated_at=article.updated_at,
                    payload=article.to_json(),
                )
            )

    def get(self, article_id: str) -> Article | None:
        with self.engine.connect() as conn:
            payload = conn.execute(select(articles.c.payload).where(articles.c.id == article_id)).scalar_one_or_none()
        return Article.from_json(payload) if payload else None
