"""What every page and router of the web app shares: the open Bedside, the templates, a render helper.

Routers of other parts of the product (the editorial review pages, say) use these, so their pages
extend ``base.html`` and reach the same library::

    from bedside.web.deps import get_bedside, render

    @router.get("/review")
    def queue(request: Request, bedside: Bedside = Depends(get_bedside)):
        return render(request, "review_queue.html", {"articles": ...})
"""

from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from bedside.core import Bedside
from bedside.web import view

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"

# Autoescaping is on for every template (Starlette's default): source and question text is never markup.
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
view.install(templates.env)


def get_bedside(request: Request) -> Bedside:
    """The Bedside the app opened at startup (a FastAPI dependency)."""
    return request.app.state.bedside


def render(request: Request, name: str, context: dict | None = None, status_code: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context or {}, status_code=status_code)
