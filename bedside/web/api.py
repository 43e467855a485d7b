"""The JSON API of DESIGN.md: compose an article, read it back. Errors are ``{"detail": reason}``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from bedside.answer.article import Article
from bedside.answer.engine import MAX_QUESTION_CHARS, QuestionError
from bedside.core import Bedside
from bedside.web.deps import get_bedside
from bedside.web.pages import compose_in_worker, shown_article

router = APIRouter(prefix="/api", tags=["articles"])


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(description=f"The clinical question, at most {MAX_QUESTION_CHARS:,} characters.")
    audience: Literal["clinician", "patient"] = "clinician"
    follow_up_of: str | None = Field(default=None, description="The id of the article this question follows up.")


class Problem(BaseModel):
    detail: str | list


ERRORS = {404: {"model": Problem, "description": "No such article"}}


@router.post(
    "/articles",
    status_code=201,
    summary="Answer a question with a cited article",
    response_model=Article,
    responses={422: {"model": Problem, "description": "The question cannot be answered as sent; detail says why"}},
)
async def create_article(request: Request, body: AskRequest, bedside: Annotated[Bedside, Depends(get_bedside)]):
    """Compose an article from the library and store it for review (status `submitted`).

    The article is composed in a worker thread: the server goes on answering other requests meanwhile.
    """
    try:
        article = await compose_in_worker(request, bedside, body.question, body.audience, body.follow_up_of)
    except QuestionError as exc:
        raise HTTPException(422, str(exc)) from exc
    return JSONResponse(article.to_json(), status_code=201, headers={"Location": f"/api/articles/{article.id}"})


@router.get("/articles/{article_id}", summary="Read an article", response_model=Article, responses=ERRORS)
def read_article(
    article_id: str,
    bedside: Annotated[Bedside, Depends(get_bedside)],
    audience: Annotated[Literal["clinician", "patient"] | None, Query()] = None,
):
    """The article as readers see it (the newest approved version, else the newest, pending review); with
    `audience`, its version for clinicians or for patients and caregivers."""
    article = shown_article(bedside, article_id)
    if article is None:
        raise HTTPException(404, f"no article with id {article_id!r}")
    if audience is not None and audience != article.audience:
        article = bedside.for_audience(article, audience)
    return JSONResponse(article.to_json())
