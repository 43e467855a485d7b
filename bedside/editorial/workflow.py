"""The review workflow of the medical advisory board.

    submitted ──start──▶ under_review ──approve──────────▶ approved
                                      └─request_changes──▶ changes_requested   (a comment is required)
    any status ──new version (edit or regenerate)──▶ the new version is submitted

Statuses belong to versions: an approval applies to one version, and a newer version re-enters review
while readers go on seeing the approved one. A version that was still waiting (submitted or under
review) when a newer one arrived is ``superseded``.

Every step is one transaction: the guarded update of the article head
(``UPDATE articles … WHERE id = ? AND version = ? AND status = ?``), the version's status, the review
row and the audit entry. When the guard matches no row, someone else acted first: nothing is written
and the caller gets a conflict (409) to reload and look again. So two reviewers acting at the same
moment leave one decision on record, never two, and a killed process leaves none half-written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, insert, select, update

from bedside.editorial import audit
from bedside.editorial.schema import article_versions, articles, reviews
from bedside.editorial.users import REVIEW_ROLES, User

SUBMITTED = "submitted"
UNDER_REVIEW = "under_review"
APPROVED = "approved"
CHANGES_REQUESTED = "changes_requested"
SUPERSEDED = "superseded"
STATUSES = (SUBMITTED, UNDER_REVIEW, APPROVED, CHANGES_REQUESTED, SUPERSEDED)

# decision → (the status it acts on, the status it leads to)
DECISIONS = {
    "start": (SUBMITTED, UNDER_REVIEW),
    "approve": (UNDER_REVIEW, APPROVED),
    "request_changes": (UNDER_REVIEW, CHANGES_REQUESTED),
}
MAX_COMMENT = 10_000

STATUS_LABELS = {
    SUBMITTED: "Submitted",
    UNDER_REVIEW: "Under review",
    APPROVED: "Approved",
    CHANGES_REQUESTED: "Changes requested",
    SUPERSEDED: "Superseded",
}


class ReviewError(Exception):
    """A step that cannot be taken, with the HTTP status that says why (400, 403, 404, 409, 422)."""

    def __init__(self, status_code: int, reason: str):
        super().__init__(reason)
        self.status_code = status_code
        self.reason = reason


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Head:
    article_id: str
    version: int
    status: str


def read_head(conn: Connection, article_id: str) -> Head | None:
    row = conn.execute(select(articles.c.version, articles.c.status).where(articles.c.id == article_id)).first()
    return Head(article_id, row.version, row.status) if row else None


def move_head(tx: Connection, head: Head, *, to_status: str, to_version: int | None = None, **values) -> None:
    """The guarded step: move the head from exactly (version, status) or raise a conflict. A new version
    (``to_version``) is guarded by the version alone: it may follow any review step on the one before."""
    guard = [articles.c.id == head.article_id, articles.c.version == head.version]
    if to_version is None:
        guard.append(articles.c.status == head.status)
    moved = tx.execute(
        update(articles)
        .where(*guard)
        .values(status=to_status, version=to_version or head.version, updated_at=now(), **values)
    ).rowcount
    if moved != 1:
        raise ReviewError(409, "the article changed while you were looking at it (someone else acted first); reload")


def set_version_status(tx: Connection, article_id: str, version: int, status: str, **values) -> None:
    tx.execute(
        update(article_versions)
        .where(article_versions.c.article_id == article_id, article_versions.c.version == version)
        .values(status=status, **values)
    )


class Workflow:
    def __init__(self, engine: Engine):
        self.engine = engine

    def decide(
        self, article_id: str, decision: object, user: User, comment: object = "", version: object = None
    ) -> dict:
        """Take one review step on the article's current version; returns the review record.

        ``version``, when given, is the version the reviewer read: a step on any other is refused, so
        nobody approves a version they did not see.
        """
        if not user.may_review:
            raise ReviewError(403, f"the {user.role} role may not review articles (reviewers and editors may)")
        if not isinstance(decision, str) or decision not in DECISIONS:
            raise ReviewError(422, f"unknown decision {decision!r}; use one of {', '.join(DECISIONS)}")
        if comment is None:
            comment = ""
        if not isinstance(comment, str):
            raise ReviewError(422, "the comment must be text")
        comment = comment.strip()
        if len(comment) > MAX_COMMENT:
            raise ReviewError(422, f"the comment is too long (at most {MAX_COMMENT:,} characters)")
        if decision == "request_changes" and not comment:
            raise ReviewError(422, "say what should change: a comment is required to request changes")
        if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
            raise ReviewError(422, "the version must be a whole number")
        with self.engine.connect() as conn:
            head = read_head(conn, article_id)
            created_by = None
            if head is not None:
                created_by = conn.execute(
                    select(article_versions.c.created_by).where(
                        article_versions.c.article_id == article_id, article_versions.c.version == head.version
                    )
                ).scalar_one_or_none()
        if head is None:
            raise ReviewError(404, f"no article with id {article_id!r}")
        if version is not None and version != head.version:
            raise ReviewError(409, f"version {version} is not the current version of this article ({head.version})")
        from_status, to_status = DECISIONS[decision]
        if head.status != from_status:
            raise ReviewError(
                409,
                f"cannot {decision.replace('_', ' ')} an article that is {STATUS_LABELS[head.status].lower()}"
                f" (only one that is {STATUS_LABELS[from_status].lower()})",
            )
        if decision == "approve" and created_by == user.name:
            raise ReviewError(403, "you made this version; another reviewer must approve it")
        at = now()
        with self.engine.begin() as tx:
            move_head(tx, head, to_status=to_status)
            decided = {"decided_by": user.name, "decided_at": at} if decision != "start" else {}
            set_version_status(tx, article_id, head.version, to_status, **decided)
            record = {
                "article_id": article_id,
                "version": head.version,
                "reviewer": user.name,
                "role": user.role,
                "decision": decision,
                "from_status": from_status,
                "to_status": to_status,
                "comment": comment,
                "created_at": at,
            }
            review_id = tx.execute(insert(reviews).values(**record)).inserted_primary_key[0]
            audit.append(
                tx,
                actor=user.name,
                action=decision,
                article_id=article_id,
                version=head.version,
                comment=comment,
                detail={"from": from_status, "to": to_status, "role": user.role},
                at=at,
            )
        return {"id": review_id, **record}

    def queue(self, statuses: tuple[str, ...] = (SUBMITTED, UNDER_REVIEW)) -> list[dict]:
        """Articles waiting for the board, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(
                    articles.c.id,
                    articles.c.question,
                    articles.c.audience,
                    articles.c.status,
                    articles.c.version,
                    articles.c.updated_at,
                )
                .where(articles.c.status.in_(statuses))
                .order_by(articles.c.updated_at, articles.c.id)
            ).all()
        return [dict(row._mapping) for row in rows]

    def history(self, article_id: str) -> dict | None:
        """Versions, reviews and audit entries of one article, oldest first; None for an unknown id."""
        with self.engine.connect() as conn:
            head = read_head(conn, article_id)
            if head is None:
                return None
            versions = conn.execute(
                select(
                    article_versions.c.version,
                    article_versions.c.status,
                    article_versions.c.created_at,
                    article_versions.c.created_by,
                    article_versions.c.reason,
                    article_versions.c.decided_by,
                    article_versions.c.decided_at,
                )
                .where(article_versions.c.article_id == article_id)
                .order_by(article_versions.c.version)
            ).all()
            review_rows = conn.execute(
                select(reviews).where(reviews.c.article_id == article_id).order_by(reviews.c.id)
            ).all()
            entries = audit.entries(conn, article_id)
        return {
            "article_id": article_id,
            "status": head.status,
            "version": head.version,
            "versions": [dict(v._mapping) for v in versions],
            "reviews": [dict(r._mapping) for r in review_rows],
            "audit": entries,
        }

    def review_state(self, article_id: str) -> dict | None:
        """What an article page says about review, or None for an unknown id:

        ``status`` and ``version`` of the newest version; ``approved_version``, ``reviewer`` and
        ``approved_at`` of the newest approved version (None when none is); ``shown_version``, the one
        readers see (the approved one when there is one, else the newest); ``pending_newer_version``, true
        when a newer version than the shown approved one waits for review.
        """
        with self.engine.connect() as conn:
            head = read_head(conn, article_id)
            if head is None:
                return None
            approved = conn.execute(
                select(article_versions.c.version, article_versions.c.decided_by, article_versions.c.decided_at)
                .where(article_versions.c.article_id == article_id, article_versions.c.status == APPROVED)
                .order_by(article_versions.c.version.desc())
                .limit(1)
            ).first()
        if approved is None and head.status == APPROVED:  # an article stored before versions were kept
            approved_version, reviewer, approved_at = head.version, None, None
        elif approved is not None:
            approved_version, reviewer, approved_at = approved
        else:
            approved_version, reviewer, approved_at = None, None, None
        return {
            "article_id": article_id,
            "status": head.status,
            "status_label": STATUS_LABELS.get(head.status, head.status),
            "version": head.version,
            "approved_version": approved_version,
            "reviewer": reviewer,
            "approved_at": approved_at,
            "shown_version": approved_version or head.version,
            "pending_newer_version": approved_version is not None and head.version > approved_version,
        }


def may_review(user: User | None) -> bool:
    return user is not None and user.role in REVIEW_ROLES
