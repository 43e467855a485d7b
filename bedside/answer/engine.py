"""From a question to a verified article: analyse, plan facets, retrieve each, compose, verify."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from bedside.answer.article import Article, renumber
from bedside.answer.compose import assemble, candidates_for
from bedside.answer.plan import plan
from bedside.answer.question import analyse_question, inherit
from bedside.answer.verify import verify
from bedside.editorial.articles import new_article_id
from bedside.search.engine import Searcher
from bedside.search.query import MAX_QUERY_CHARS, QueryError

MAX_QUESTION_CHARS = 4000
HITS_PER_FACET = 10
# Below this cosine similarity between the question and its best passages, the library has nothing
# on the question and the article says so rather than stringing together loosely related sentences.
MIN_RELEVANCE = 0.3


class QuestionError(ValueError):
    """A question that cannot be answered as typed; the message says why."""


def check_question(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise QuestionError("the question is empty")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"the question is {len(text):,} characters long; ask it in at most {MAX_QUESTION_CHARS:,} characters"
        )
    printable = sum(c.isprintable() or c.isspace() for c in text)
    if "\x00" in text or printable < 0.95 * len(text):
        raise QuestionError("the question contains binary data, not text")
    return text


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Answerer:
    def __init__(self, searcher: Searcher):
        self.searcher = searcher

    def answer(self, text: str, parent: Article | None = None) -> Article:
        """A clinician article for the question; ``parent`` is the article a follow-up question follows.
        (The patient version is derived from it: bedside.answer.audience.)"""
        started = time.perf_counter()
        text = check_question(text)
        if self.searcher.vocabulary is None:
            self.searcher.refresh()
        question = analyse_question(text, self.searcher.vocabulary)
        if parent is not None:
            question = inherit(question, parent.meta)
        facets = plan(question)
        try:
            hits = self.searcher.search_many(
                [f.query[:MAX_QUERY_CHARS] for f in facets], HITS_PER_FACET, question_field=False
            )
        except QueryError as exc:
            raise QuestionError(f"the question has no words to search for ({exc})") from exc
        stamp = now()
        article = Article(
            id=new_article_id(),
            question=text,
            audience="clinician",
            status="submitted",
            created_at=stamp,
            updated_at=stamp,
            abstained=False,
            bottom_line=[],
            sections=[],
            pitfalls=[],
            references=[],
            follow_up_of=parent.id if parent else None,
            meta={
                "intents": question.intents,
                "conditions": question.conditions,
                "drugs": question.drugs,
                "populations": question.populations,
            },
        )
        best = hits[-1][:3]  # the question in its own words is the last facet
        relevance = max(self.searcher.similarity(question.search_text, [h["passage_id"] for h in best]), default=0.0)
        if relevance < MIN_RELEVANCE:
            return self._abstain(article, "The library holds no evidence that addresses this question.", started)
        per_facet = [
            candidates_for(facet, i, facet_hits, question, self.searcher.vocabulary)
            for i, (facet, facet_hits) in enumerate(zip(facets, hits, strict=True))
        ]
        article.bottom_line, article.sections, article.pitfalls, article.references = assemble(
            facets, per_facet, question
        )
        passages = {h["passage_id"]: h for facet_hits in hits for h in facet_hits}
        removed = verify(article, passages)
        renumber(article)
        if not article.statements():
            return self._abstain(article, "No passage in the library states an answer to this question.", started)
        article.evidence_cutoff = max((r.year for r in article.references if r.year), default=None)
        article.meta |= {"removed_by_verifier": removed, "ms": round(1000 * (time.perf_counter() - started))}
        return article

    @staticmethod
    def _abstain(article: Article, reason: str, started: float) -> Article:
        article.abstained = True
        article.abstain_reason = reason
        article.bottom_line, article.sections, article.pitfalls, article.references = [], [], [], []
        article.meta["ms"] = round(1000 * (time.perf_counter() - started))
        return article
