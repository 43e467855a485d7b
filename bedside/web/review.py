"""The editorial web routes: sign-in, the review queue, review actions, and the review API.

Browsers sign in at /login and carry a session cookie (HttpOnly, SameSite=Lax, Secure over https); every
form that changes anything carries the session's CSRF token, and the sign-in form a CSRF token of its own
(a cookie scoped to /login). Scripts send ``Authorization: Bearer TOKEN``. 401 without credentials (or
with a forged or revoked token), 403 for a role that may not act or a missing CSRF token, 409 when the
article changed meanwhile, 422 for an unknown decision or a missing comment.

``review_panel`` is a Jinja global: ``review_panel.html`` (included by the article page) calls it to
show the review actions to reviewers and the history to everyone.
"""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from bedside.answer.article import Article
from bedside.core import Bedside
from bedside.editorial.users import SESSION_HOURS, THROTTLE_WINDOW, Accounts, Session, User, same_secret
from bedside.editorial.workflow import DECISIONS, STATUS_LABELS, ReviewError
from bedside.web.deps import get_bedside, render, templates

router = APIRouter()

SESSION_COOKIE = "bedside_session"
LOGIN_CSRF_COOKIE = "bedside_login_csrf"
DEFAULT_NEXT = "/review"

ACTION_LABELS = {
    "created": "Written by the answer engine and submitted for review",
    "start": "Started the review",
    "approve": "Approved",
    "request_changes": "Requested changes",
    "version_regenerated": "Regenerated: a new version, submitted for review",
    "version_edited": "Edited: a new version, submitted for review",
    "version_generated": "A new version, submitted for review",
}
DECISION_BUTTONS = {"start": "Start review", "approve": "Approve this version", "request_changes": "Request changes"}


# --- who is asking ---------------------------------------------------------------------------------
def accounts_of(request: Request) -> Accounts:
    return Accounts(get_bedside(request).articles.engine)


def browser_session(request: Request) -> Session | None:
    return accounts_of(request).session(request.cookies.get(SESSION_COOKIE))


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def safe_next(target: str | None) -> str:
    """A local path to go to after sign-in; anything else (another site, //host, \\host) is the queue."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or any(c in target for c in "\r\n"):
        return DEFAULT_NEXT
    return target


def api_user(request: Request) -> User:
    """The caller of the JSON API: a bearer token, or a browser session sending its CSRF token as
    ``X-CSRF-Token``. 401 otherwise."""
    header = request.headers.get("authorization")
    challenge = {"WWW-Authenticate": "Bearer"}
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(401, "send 'Authorization: Bearer TOKEN'", headers=challenge)
        user = accounts_of(request).user_for_token(token.strip())
        if user is None:
            raise HTTPException(401, "the token is not valid (unknown, revoked, or of a removed account)", challenge)
        return user
    session = browser_session(request)
    if session is None:
        raise HTTPException(
            401, "sign in: send 'Authorization: Bearer TOKEN' (a token from `bedside users token NAME`)", challenge
        )
    if not same_secret(request.headers.get("x-csrf-token"), session.csrf_token):
        raise HTTPException(403, "a signed-in browser must send its CSRF token in the X-CSRF-Token header")
    return session.user


def form_session(request: Request, csrf_token: str) -> Session:
    """The signed-in browser behind a form post with a valid CSRF token, else 401 or 403."""
    session = browser_session(request)
    if session is None:
        raise HTTPException(401, "Sign in first: your session has ended or you are not signed in.")
    if not same_secret(csrf_token, session.csrf_token):
        raise HTTPException(403, "The form was missing its security token (CSRF). Reload the page and try again.")
    return session


def review_error(exc: ReviewError) -> HTTPException:
    return HTTPException(exc.status_code, exc.reason)


# --- sign-in and sign-out ----------------------------------------------------------------------------
def login_page(request: Request, next_path: str, status_code: int = 200, error: str = "", name: str = "") -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    session = browser_session(request)
    context = {
        "csrf_token": token,
        "next": next_path,
        "error": error,
        "name": name,
        "signed_in": session.user if session else None,
        "session_csrf": session.csrf_token if session else "",
    }
    response = render(request, "login.html", context, status_code)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        path="/login",
        secure=is_https(request),
        httponly=True,
        samesite="strict",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/login", include_in_schema=False)
def login_form(request: Request, next: str = DEFAULT_NEXT):
    return login_page(request, safe_next(next))


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = DEFAULT_NEXT,
):
    next_path = safe_next(next)
    if not same_secret(request.cookies.get(LOGIN_CSRF_COOKIE), csrf_token):
        return login_page(request, next_path, 403, "The sign-in form had expired. Please try again.", name)
    accounts = accounts_of(request)
    client = client_of(request)
    if accounts.throttled(name, client):
        minutes = int(THROTTLE_WINDOW.total_seconds() // 60)
        response = login_page(
            request, next_path, 429, f"Too many failed sign-ins. Wait {minutes} minutes and try again.", name
        )
        response.headers["Retry-After"] = str(int(THROTTLE_WINDOW.total_seconds()))
        return response
    user = accounts.authenticate(name, password)
    if user is None:
        accounts.record_failure(name, client)
        return login_page(request, next_path, 401, "Wrong name or password.", name)
    accounts.clear_failures(name)
    accounts.end_session(request.cookies.get(SESSION_COOKIE))  # never carry a session id across sign-in
    session_id, _ = accounts.start_session(user)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=SESSION_HOURS * 3600,
        path="/",
        secure=is_https(request),
        httponly=True,
        samesite="lax",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, csrf_token: Annotated[str, Form()] = ""):
    form_session(request, csrf_token)
    accounts_of(request).end_session(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- pages for the board -------------------------------------------------------------------------------
def board_member(request: Request) -> Session | Response:
    """The signed-in session of someone who may see pending versions, or a redirect to sign in."""
    session = browser_session(request)
    if session is None:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    if session.user.role == "reader":
        raise HTTPException(403, "Only reviewers, editors and admins may see articles waiting for review.")
    return session


@router.get("/review", include_in_schema=False)
def review_queue(request: Request, bedside: Annotated[Bedside, Depends(get_bedside)]):
    session = board_member(request)
    if isinstance(session, Response):
        return session
    context = {
        "session": session,
        "user": session.user,
        "queue": bedside.articles.workflow.queue(),
        "changes_requested": bedside.articles.workflow.queue(("changes_requested",)),
        "labels": STATUS_LABELS,
    }
    return render(request, "review_queue.html", context)


@router.get("/articles/{article_id}/versions/{version}", include_in_schema=False)
def version_page(request: Request, article_id: str, version: int, bedside: Annotated[Bedside, Depends(get_bedside)]):
    """Any version of an article, for the board (readers see only the published one)."""
    session = board_member(request)
    if isinstance(session, Response):
        return session
    article = bedside.articles.get_version(article_id, version)
    if article is None:
        raise HTTPException(404, f"Article {article_id!r} has no version {version}.")
    parent = bedside.articles.get(article.follow_up_of) if article.follow_up_of else None
    state = bedside.articles.review_state(article_id)
    context = {"article": article, "audience": article.audience, "parent": parent, "review": state}
    return render(request, "article.html", context)


@router.post("/articles/{article_id}/review", include_in_schema=False)
def review_form(
    request: Request,
    article_id: str,
    bedside: Annotated[Bedside, Depends(get_bedside)],
    decision: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
    version: Annotated[int | None, Form()] = None,
    csrf_token: Annotated[str, Form()] = "",
):
    """A decision from the review panel of the article page; back to the article."""
    session = form_session(request, csrf_token)
    try:
        bedside.articles.workflow.decide(article_id, decision, session.user, comment, version)
    except ReviewError as exc:
        raise review_error(exc) from exc
    return RedirectResponse(f"/articles/{article_id}#review", status_code=303)


@router.post("/articles/{article_id}/regenerate", include_in_schema=False)
def regenerate_form(
    request: Request,
    article_id: str,
    bedside: Annotated[Bedside, Depends(get_bedside)],
    version: Annotated[int | None, Form()] = None,
    csrf_token: Annotated[str, Form()] = "",
):
    """An editor regenerates the article from the current library: a new version, submitted for review."""
    session = form_session(request, csrf_token)
    try:
        regenerate(request, bedside, article_id, session.user, version)
    except ReviewError as exc:
        raise review_error(exc) from exc
    return RedirectResponse(f"/articles/{article_id}#review", status_code=303)


def regenerate(request: Request, bedside: Bedside, article_id: str, user: User, version: int | None):
    if not user.may_edit:
        raise ReviewError(403, f"the {user.role} role may not make new versions (editors may)")
    current = bedside.articles.get(article_id)
    if current is None:
        raise ReviewError(404, f"no article with id {article_id!r}")
    parent = bedside.articles.get(current.follow_up_of) if current.follow_up_of else None
    with request.app.state.ask_lock:
        fresh = bedside.answerer.answer(current.question, parent)
    return bedside.articles.add_version(article_id, fresh, by=user.name, reason="regenerated", expected_version=version)


# --- the JSON API ---------------------------------------------------------------------------------------
class ReviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: str = Field(description=f"One of: {', '.join(DECISIONS)}.")
    comment: str = Field(default="", description="Required to request changes.", max_length=10_000)
    version: int | None = Field(default=None, description="The version reviewed; refused (409) if not current.")


class VersionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    regenerate: bool = Field(default=False, description="Compose the article again from the current library.")
    article: dict | None = Field(default=None, description="An edited Article (JSON) to store as the new version.")
    version: int | None = Field(default=None, description="The version the edit started from.")


PROBLEMS = {
    code: {"description": text}
    for code, text in {
        401: "No credentials, or a forged or revoked token",
        403: "A role that may not act, or a browser without its CSRF token",
        404: "No such article",
        409: "Not allowed in the article's status, or the article changed meanwhile",
        422: "Unknown decision, missing comment, or a malformed body",
    }.items()
}


@router.post(
    "/api/articles/{article_id}/reviews",
    status_code=201,
    tags=["review"],
    summary="Take a review step (reviewers and editors)",
    responses=PROBLEMS,
)
def post_review(
    article_id: str,
    body: ReviewRequest,
    user: Annotated[User, Depends(api_user)],
    bedside: Annotated[Bedside, Depends(get_bedside)],
):
    """`start` (submitted → under_review), `approve` (under_review → approved) or `request_changes`
    (under_review → changes_requested, with a comment), on the article's current version. Returns the
    review record and the article's review state."""
    try:
        review = bedside.articles.workflow.decide(article_id, body.decision, user, body.comment, body.version)
    except ReviewError as exc:
        raise review_error(exc) from exc
    state = bedside.articles.review_state(article_id)
    return JSONResponse({"review": review, "state": state}, status_code=201)


@router.post(
    "/api/articles/{article_id}/versions",
    status_code=201,
    tags=["review"],
    summary="Make a new version: regenerate or edit (editors)",
    responses=PROBLEMS,
)
def post_version(
    request: Request,
    article_id: str,
    body: VersionRequest,
    user: Annotated[User, Depends(api_user)],
    bedside: Annotated[Bedside, Depends(get_bedside)],
):
    """The new version is submitted for review; readers go on seeing the approved version meanwhile."""
    if body.regenerate == (body.article is not None):
        raise HTTPException(422, "send either regenerate: true or an edited article, not both or neither")
    try:
        if body.regenerate:
            article = regenerate(request, bedside, article_id, user, body.version)
        else:
            if not user.may_edit:
                raise ReviewError(403, f"the {user.role} role may not edit articles (editors may)")
            try:
                edited = Article.from_json(body.article)
            except (KeyError, TypeError, ValueError) as exc:
                raise ReviewError(422, f"the article is not a valid Article ({exc})") from exc
            article = bedside.articles.add_version(
                article_id, edited, by=user.name, reason="edited", expected_version=body.version
            )
    except ReviewError as exc:
        raise review_error(exc) from exc
    return JSONResponse(
        {"article": article.to_json(), "state": bedside.articles.review_state(article_id)}, status_code=201
    )


@router.get(
    "/api/articles/{article_id}/history",
    tags=["review"],
    summary="Versions, reviews and audit entries of an article",
    responses={404: PROBLEMS[404]},
)
def get_history(article_id: str, bedside: Annotated[Bedside, Depends(get_bedside)]):
    """Oldest first. The audit log is append-only: who did what, when, to which version, with what comment."""
    history = bedside.articles.workflow.history(article_id)
    if history is None:
        raise HTTPException(404, f"no article with id {article_id!r}")
    return JSONResponse(history)


# --- the review panel of the article page --------------------------------------------------------------------
def review_panel(request: Request, article_id: str) -> dict:
    """What ``review_panel.html`` shows: the history to everyone, the actions to whoever may take them."""
    bedside = get_bedside(request)
    session = browser_session(request)
    user = session.user if session else None
    state = bedside.articles.review_state(article_id) or {}
    status = state.get("status")
    decisions = [d for d, (from_status, _) in DECISIONS.items() if from_status == status]
    history = bedside.articles.workflow.history(article_id) or {"versions": [], "audit": [], "reviews": []}
    return {
        "user": user,
        "csrf_token": session.csrf_token if session else "",
        "state": state,
        "history": history,
        "may_review": bool(user and user.may_review),
        "may_edit": bool(user and user.may_edit),
        "board": bool(user and user.role != "reader"),
        "decisions": decisions,
        "buttons": DECISION_BUTTONS,
        "labels": STATUS_LABELS,
        "actions": ACTION_LABELS,
        "here": request.url.path,
    }


templates.env.globals["review_panel"] = review_panel
