"""How an article is shown: status wording, evidence-level badges, dates, safe links, quotes.

Pure functions of the Article, registered as Jinja2 globals and filters, so the templates stay plain.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote, urlsplit

from jinja2 import Environment

from bedside.answer.article import Article, Reference
from bedside.editorial.workflow import STATUS_LABELS
from bedside.library.model import EVIDENCE_LABEL, EvidenceLevel

AUDIENCES = {"clinician": "Healthcare professional", "patient": "Patient or caregiver"}

STATUS = {
    "submitted": ("Pending review", "Submitted to the medical advisory board; not yet reviewed."),
    "under_review": ("Pending review", "Under review by the medical advisory board."),
    "changes_requested": ("Pending review", "The medical advisory board has asked for changes; not yet approved."),
    "approved": ("Approved", "Reviewed and approved by the medical advisory board."),
    "superseded": ("Superseded", "A newer version of this article has replaced this one."),
}

# Where a reviewer's name and the approval date may be kept on an article (by the editorial workflow).
REVIEWER_KEYS = ("approved_by", "reviewer", "reviewed_by")
APPROVED_AT_KEYS = ("approved_at", "reviewed_at", "review_date")


def status_title(status: str) -> str:
    return STATUS.get(status, ("Pending review", ""))[0]


def status_text(status: str) -> str:
    return STATUS.get(status, ("", f"Status: {status.replace('_', ' ')}."))[1]


def status_name(status: str) -> str:
    """Submitted / Under review / Changes requested / Approved, as the workflow names them."""
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def approval(article: Article, review: dict | None = None) -> dict:
    """Who approved the article and when, from a review record or the article's meta, where known."""
    sources = [review or {}, article.meta or {}]
    reviewer = next((str(s[k]) for s in sources for k in REVIEWER_KEYS if s.get(k)), "")
    when = next((str(s[k]) for s in sources for k in APPROVED_AT_KEYS if s.get(k)), "")
    return {"reviewer": reviewer, "date": when}


def nice_date(value: str | None) -> str:
    """'2026-11-25T16:22:34+00:00' → '25 Nov 2026'; anything unparsable is shown as given."""
    if not value:
        return ""
    try:
        return datetime.fromisoformat(str(value)).strftime("%-d %b %Y")
    except ValueError:
        return str(value)


def evidence_label(kind: str) -> str:
    try:
        return EVIDENCE_LABEL[EvidenceLevel(kind)]
    except ValueError:
        return kind.replace("_", " ").capitalize() or "Other"


def evidence_class(kind: str) -> str:
    """A CSS class per evidence level (letters and underscores only, so it is safe in an attribute)."""
    return "level-" + (kind if kind in EvidenceLevel._value2member_map_ else "other")


def safe_url(url: str | None) -> str:
    """The URL if it is an http(s) link, else '' (never javascript:, data: or relative tricks)."""
    if not url:
        return ""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme in ("http", "https") and parts.netloc else ""


def pubmed_url(reference: Reference) -> str:
    pmid = str((reference.origin or {}).get("pmid", "")).strip()
    return f"https://pubmed.ncbi.nlm.nih.gov/{quote(pmid)}/" if pmid.isdigit() else ""


def quotes_by_reference(article: Article) -> dict[int, list[str]]:
    """The distinct quotes each reference supports in the article, in reading order."""
    found: dict[int, list[str]] = {}
    for statement in article.statements():
        for evidence in statement.evidence:
            quotes = found.setdefault(evidence.n, [])
            if evidence.quote and evidence.quote not in quotes:
                quotes.append(evidence.quote)
    return found


def references_by_n(article: Article) -> dict[int, Reference]:
    return {r.n: r for r in article.references}


def citation_quote(statement, n: int) -> str:
    """The supporting quote behind citation n of a statement (for the hover/tap popover)."""
    return " … ".join(e.quote for e in statement.evidence if e.n == n and e.quote)


def shorten(text: str, limit: int = 320) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def install(env: Environment) -> None:
    env.globals.update(
        AUDIENCES=AUDIENCES,
        status_title=status_title,
        status_text=status_text,
        status_name=status_name,
        approval=approval,
        evidence_label=evidence_label,
        evidence_class=evidence_class,
        safe_url=safe_url,
        pubmed_url=pubmed_url,
        quotes_by_reference=quotes_by_reference,
        citation_quote=citation_quote,
        references_by_n=references_by_n,
        EVIDENCE_LEVELS=[(level.value, EVIDENCE_LABEL[level]) for level in EvidenceLevel],
    )
    env.filters.update(nice_date=nice_date, shorten=shorten)
