"""The FastAPI app: ``create_app()`` builds it around one open Bedside; ``bedside serve`` runs it.

Pages (pages.py) and the JSON API (api.py) are routers; so are other parts of the product (see the
marked place in create_app). Every response carries the security headers of security.py.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from bedside.core import Bedside
from bedside.search.backend import SearchUnavailable
from bedside.web import api, pages, review
from bedside.web.deps import STATIC_DIR, render
from bedside.web.security import BodyLimit, SecurityHeaders

log = logging.getLogger("bedside.web")

DESCRIPTION = """Cited answers to clinical questions, from evidence you can see.

`POST /api/articles` composes an article from the library and stores it for review (201, the Article
JSON); `GET /api/articles/{id}` reads it back. Every statement carries numbered citations and the
verbatim quote of the passage it rests on. Errors are JSON: `{"detail": "the reason"}`.
"""


def open_bedside() -> Bedside:
    """Open the library from the environment, loading the starter library and building indexes on first use."""
    bedside = Bedside.open()
    if bedside.wants_starter():
        log.info("loading the starter library")
        bedside.seed_starter()
    prepare(bedside)
    return bedside


def prepare(bedside: Bedside) -> None:
    """Bring the indexes up to date and load the models before the first request, not during it."""
    if bedside.searcher.is_stale() or bedside.searcher.vocabulary is None:
        bedside.searcher.refresh()
    bedside.searcher.encoder  # noqa: B018 (loads the embedding model once)


def create_app(bedside: Bedside | None = None) -> FastAPI:
    """The web app around an open Bedside, or around one opened from the environment at startup."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "bedside", None) is None:
            app.state.bedside = open_bedside()
        else:
            prepare(app.state.bedside)
        yield

    app = FastAPI(
        title="bedside",
        summary="Cited answers to clinical questions.",
        description=DESCRIPTION,
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # FastAPI's Swagger page loads scripts from a CDN; /docs is our own page (pages.py)
        redoc_url=None,
    )
    app.state.bedside = bedside
    # Composing an article is CPU work in a worker thread; one at a time, so the engine's lazily built
    # parts are never raced, while pages and the API go on being served from other threads.
    app.state.ask_lock = threading.Lock()

    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)
    # routers of other parts of the product are included here
    app.include_router(review.router)  # sign-in, review queue and actions, review API (bedside.editorial)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return error_page(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        errors = [{k: e[k] for k in ("loc", "msg", "type") if k in e} for e in exc.errors()]
        if wants_json(request):
            return JSONResponse({"detail": errors}, status_code=422)
        reason = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or 'request'}: {e['msg']}" for e in errors)
        return error_page(request, 422, reason)

    @app.exception_handler(SearchUnavailable)
    async def search_unavailable(request: Request, exc: SearchUnavailable):
        log.error("search unavailable on %s %s: %s", request.method, request.url.path, exc)
        reason = f"Search is unavailable at the moment: {exc}"
        if wants_json(request):
            return JSONResponse({"detail": reason}, status_code=503, headers={"Retry-After": "30"})
        return error_page(request, 503, reason)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception):
        log.exception("internal error on %s %s", request.method, request.url.path)
        reason = "Something went wrong on our side. The error has been logged."
        if wants_json(request):
            return JSONResponse({"detail": reason}, status_code=500)
        return error_page(request, 500, reason)

    return app


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


TITLES = {
    404: "Not found",
    405: "Method not allowed",
    413: "Too large",
    422: "Cannot answer that",
    500: "Error",
    503: "Unavailable",
}


def error_page(request: Request, status_code: int, reason: str):
    title = TITLES.get(status_code, "Error")
    if status_code == 404 and reason in ("Not Found", ""):
        reason = "There is no page at this address."
    return render(request, "error.html", {"title": title, "reason": reason, "status_code": status_code}, status_code)
