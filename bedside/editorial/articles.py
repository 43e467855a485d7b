"""Stored articles and their versions: what was asked, what was answered, and where it stands in review.

The ``articles`` row is the head: the newest version's number, status and payload. Every version is
also kept whole in ``article_versions``. ``get`` gives the newest version (what the board reviews),
``published`` the one readers see (the newest approved version, else the newest).
"""

from __future__ import annotations

import secrets

from sqlalchemy import Engine, func, insert, select

from bedside import migrations
from bedside.answer.article import Article
from bedside.editorial import audit
from bedside.editorial.schema import article_versions, articles, metadata
from bedside.editorial.workflow import (
    SUBMITTED,
    SUPERSEDED,
    UNDER_REVIEW,
    ReviewError,
    Workflow,
    move_head,
    now,
    read_head,
    set_version_status,
)

__all__ = ["ArticleStore", "articles", "metadata", "new_article_id"]

ENGINE = "bedside"  # the author of versions the answer engine wrote
VERSION_REASONS = ("generated", "regenerated", "edited")


def new_article_id() -> str:
    return secrets.token_hex(6)


class ArticleStore:
    def __init__(self, engine: Engine):
        self.engine = engine
        # The tables come from the migrations (0002_editorial), which Store(...) applies on open; this is
        # one small query then, and makes an engine from make_engine alone (tests, scripts) work too.
        migrations.upgrade(engine)
        self.workflow = Workflow(engine)

    def save(self, article: Article, by: str = ENGINE) -> None:
        """Store a new article (its first version, submitted for review), with its audit entry."""
        payload = article.to_json()
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
                    payload=payload,
                )
            )
            tx.execute(
                insert(article_versions).values(
                    article_id=article.id,
                    version=article.version,
                    status=article.status,
                    created_at=article.updated_at,
                    created_by=by,
                    reason="generated",
                    payload=payload,
                )
            )
            audit.append(tx, actor=by, action="created", article_id=article.id, version=article.version)

    def get(self, article_id: str) -> Article | None:
        """The newest version, with its review status."""
        with self.engine.connect() as conn:
            row = conn.execute(
                select(articles.c.payload, articles.c.status, articles.c.version, articles.c.updated_at).where(
                    articles.c.id == article_id
                )
            ).first()
        if row is None:
            return None
        article = Article.from_json(row.payload)
        article.status, article.version, article.updated_at = row.status, row.version, row.updated_at
        return article

    def get_version(self, article_id: str, version: int) -> Article | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(article_versions.c.payload, article_versions.c.status).where(
                    article_versions.c.article_id == article_id, article_versions.c.version == version
                )
            ).first()
        if row is None:
            head = self.get(article_id)  # an article stored before versions were kept has only its head
            return head if head is not None and head.version == version else None
        article = Article.from_json(row.payload)
        article.status, article.version = row.status, version
        return article

    def published(self, article_id: str) -> Article | None:
        """What readers see: the newest approved version, else the newest version (pending review)."""
        state = self.workflow.review_state(article_id)
        if state is None:
            return None
        article = self.get_version(article_id, state["shown_version"]) or self.get(article_id)
        if article is not None and state["approved_version"] == article.version:
            article.meta = {**article.meta, "approved_by": state["reviewer"], "approved_at": state["approved_at"]}
        return article

    def recent(self, status: str = "approved", limit: int = 10) -> list[Article]:
        """The articles with a version in ``status``, newest first (by decision date, else creation), as
        readers see them (``published``). Used by the web app's ask page for recently approved articles."""
        when = func.max(func.coalesce(article_versions.c.decided_at, article_versions.c.created_at))
        with self.engine.connect() as conn:
            ids = conn.execute(
                select(article_versions.c.article_id)
                .where(article_versions.c.status == status)
                .group_by(article_versions.c.article_id)
                .order_by(when.desc(), article_versions.c.article_id)
                .limit(max(0, limit))
            ).scalars()
            ids = list(ids)
        return [article for article in map(self.published, ids) if article is not None]

    def review_state(self, article_id: str) -> dict | None:
        """See ``Workflow.review_state``."""
        return self.workflow.review_state(article_id)

    def add_version(
        self, article_id: str, article: Article, by: str, reason: str = "edited", expected_version: int | None = None
    ) -> Article:
        """Store ``article`` as the next version of ``article_id``, submitted for review.

        ``expected_version`` is the version the author started from: when another version was made
        meanwhile, nothing is written and a ReviewError(409) says so. A version that was still waiting
        for review is superseded; an approved one stays approved (and shown) until the new one is.
        """
        if reason not in VERSION_REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        with self.engine.connect() as conn:
            head = read_head(conn, article_id)
            original = conn.execute(
                select(articles.c.created_at, articles.c.question, articles.c.audience, articles.c.follow_up_of).where(
                    articles.c.id == article_id
                )
            ).first()
        if head is None or original is None:
            raise ReviewError(404, f"no article with id {article_id!r}")
        if expected_version is not None and expected_version != head.version:
            raise ReviewError(409, f"version {expected_version} is not the current version ({head.version}); reload")
        stamp = now()
        article.id = article_id
        article.version = head.version + 1
        article.status = SUBMITTED
        article.created_at = original.created_at
        article.updated_at = stamp
        article.question, article.audience, article.follow_up_of = (
            original.question,
            original.audience,
            original.follow_up_of,
        )
        payload = article.to_json()
        with self.engine.begin() as tx:
            # From here on this transaction holds the head: no review step on the old version can land.
            move_head(tx, head, to_status=SUBMITTED, to_version=article.version, payload=payload)
            previous_status = tx.execute(
                select(article_versions.c.status).where(
                    article_versions.c.article_id == article_id, article_versions.c.version == head.version
                )
            ).scalar_one_or_none()
            if previous_status in (SUBMITTED, UNDER_REVIEW):
                set_version_status(tx, article_id, head.version, SUPERSEDED)
            tx.execute(
                insert(article_versions).values(
                    article_id=article_id,
                    version=article.version,
                    status=SUBMITTED,
                    created_at=stamp,
                    created_by=ENGINE if reason == "regenerated" else by,  # the engine wrote it; `by` asked
                    reason=reason,
                    payload=payload,
                )
            )
            audit.append(
                tx,
                actor=by,
                action=f"version_{reason}",
                article_id=article_id,
                version=article.version,
                detail={"previous_version": head.version, "previous_status": previous_status or head.status},
                at=stamp,
            )
        return article
