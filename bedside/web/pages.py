"""The pages: ask, article, editorial policy, the API reference, and the health check."""

from __future__ import annotations

import secrets
from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.responses import Response

from bedside.answer.article import Article
from bedside.answer.engine import MAX_QUESTION_CHARS, QuestionError
from bedside.core import Bedside
from bedside.editorial.users import same_secret
from bedside.web.deps import get_bedside, render
from bedside.web.view import AUDIENCES

router = APIRouter()

EXAMPLE_QUESTIONS = [
    "What is the recommended approach to using ketamine for CRPS secondary to spinal cord injury?",
    "What are the first-line treatments for high blood pressure in adults?",
    "What are the side effects of metformin?",
    "How is iron deficiency anaemia treated in pregnancy?",
    "What are the symptoms of Lyme disease and how is it treated?",
]
RECENT_APPROVED = 8
# The ask and follow-up forms carry a token that must match this cookie (double submit), so another
# site cannot make a visitor's browser ask questions in their name.
ASK_CSRF_COOKIE = "bedside_ask_csrf"


def render_with_ask_form(request: Request, template: str, context: dict, status_code: int = 200) -> Response:
    token = request.cookies.get(ASK_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, template, context | {"ask_csrf": token}, status_code)
    response.set_cookie(
        ASK_CSRF_COOKIE,
        token,
        max_age=12 * 3600,
        path="/ask",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    return response


def compose(request: Request, bedside: Bedside, question: str, audience: str, follow_up_of: str | None) -> Article:
    """Answer in this worker thread, one composition at a time (see create_app)."""
    with request.app.state.ask_lock:
        return bedside.ask(question, audience, follow_up_of)


async def compose_in_worker(
    request: Request, bedside: Bedside, question: str, audience: str, follow_up_of: str | None
) -> Article:
    """Compose in a worker thread, one at a time. Requests waiting their turn wait here without holding a
    thread, so pages go on being served from the threadpool however many articles are queued."""
    limiter = getattr(request.app.state, "compose_limiter", None)
    if limiter is None:
        limiter = request.app.state.compose_limiter = anyio.CapacityLimiter(1)
    return await anyio.to_thread.run_sync(compose, request, bedside, question, audience, follow_up_of, limiter=limiter)


def recent_approved(bedside: Bedside) -> list[Article]:
    return bedside.articles.recent("approved", RECENT_APPROVED)


def ask_page(request: Request, bedside: Bedside, status_code: int = 200, **context) -> Response:
    context = {
        "examples": EXAMPLE_QUESTIONS,
        "recent": recent_approved(bedside),
        "max_chars": MAX_QUESTION_CHARS,
        "question": "",
        "audience": "clinician",
        **context,
    }
    return render_with_ask_form(request, "ask.html", context, status_code)


@router.get("/", include_in_schema=False)
def home(request: Request, bedside: Annotated[Bedside, Depends(get_bedside)]):
    return ask_page(request, bedside)


@router.post("/ask", include_in_schema=False)
async def ask(
    request: Request,
    bedside: Annotated[Bedside, Depends(get_bedside)],
    question: Annotated[str, Form()] = "",
    audience: Annotated[str, Form()] = "clinician",
    follow_up_of: Annotated[str, Form()] = "",
    ask_token: Annotated[str, Form()] = "",
):
    """The ask form: compose the article, then redirect to it (303), or show the form again with the reason."""
    if not same_secret(request.cookies.get(ASK_CSRF_COOKIE), ask_token):
        raise HTTPException(403, "The form was missing its security token (CSRF). Reload the page and try again.")
    if audience not in AUDIENCES:
        audience = "clinician"
    follow_up_of = follow_up_of.strip() or None
    parent = bedside.articles.get(follow_up_of) if follow_up_of else None
    try:
        article = await compose_in_worker(request, bedside, question, audience, follow_up_of)
    except QuestionError as exc:
        return ask_page(
            request,
            bedside,
            422,
            error=str(exc),
            question=question[:MAX_QUESTION_CHARS],
            audience=audience,
            parent=parent,
        )
    suffix = "?audience=patient" if audience == "patient" else ""
    return RedirectResponse(f"/articles/{article.id}{suffix}", status_code=303)


@router.get("/ask", include_in_schema=False)
def ask_again():
    """The ask form lives at / (a reload after a failed boosted submit lands here)."""
    return RedirectResponse("/", status_code=303)


@router.get("/articles/{article_id}", include_in_schema=False)
def article_page(
    request: Request,
    article_id: str,
    bedside: Annotated[Bedside, Depends(get_bedside)],
    audience: Annotated[str | None, Query()] = None,
):
    stored = shown_article(bedside, article_id)
    if stored is None:
        raise HTTPException(404, f"There is no article with id “{article_id}”. It may have been mistyped.")
    if audience is not None and audience not in AUDIENCES:
        raise HTTPException(422, f"unknown audience {audience!r}; use clinician or patient")
    audience = audience or stored.audience
    article = bedside.for_audience(stored, audience) if audience != stored.audience else stored
    parent = bedside.articles.get(stored.follow_up_of) if stored.follow_up_of else None
    context = {"article": article, "audience": audience, "parent": parent, "review": review_state(bedside, article_id)}
    return render_with_ask_form(request, "article.html", context)


def shown_article(bedside: Bedside, article_id: str) -> Article | None:
    """What readers see: the newest approved version (with its reviewer and date), else the newest."""
    return bedside.articles.published(article_id)


def review_state(bedside: Bedside, article_id: str) -> dict | None:
    return bedside.articles.review_state(article_id)


@router.get("/favicon.ico", include_in_schema=False)
def favicon():
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/editorial-policy", include_in_schema=False)
def editorial_policy(request: Request):
    return render(request, "policy.html")


@router.get("/docs", include_in_schema=False)
def api_docs(request: Request):
    """The API reference, rendered from the OpenAPI document (no CDN, no inline script)."""
    return render(request, "api_docs.html", {"spec": request.app.openapi()})


@router.get("/healthz", tags=["health"], summary="Is the library loaded?")
def healthz(bedside: Annotated[Bedside, Depends(get_bedside)]):
    """200 with the library's counts when passages are loaded and searchable; 503 when the library is empty."""
    counts = bedside.store.counts()
    loaded = counts["passages"] > 0 and getattr(bedside.searcher, "lexical", True) is not None
    body = {
        "status": "ok" if loaded else "library not loaded",
        "library_loaded": loaded,
        "sources": counts["sources"],
        "passages": counts["passages"],
        "search": bedside.settings.search_backend,
    }
    return JSONResponse(body, status_code=200 if loaded else 503)
