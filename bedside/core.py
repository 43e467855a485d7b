"""The loaded product: settings, the library's store and its search, shared by the CLI and the web."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bedside.answer.article import Article
from bedside.answer.audience import for_patients
from bedside.answer.engine import Answerer, QuestionError
from bedside.config import Settings
from bedside.editorial.articles import ArticleStore
from bedside.library import starter
from bedside.library.ingest import IngestReport, ingest
from bedside.library.store import Store
from bedside.search.backend import open_searcher
from bedside.search.engine import Searcher

AUDIENCES = ("clinician", "patient")
MAX_THREAD = 20


@dataclass
class Bedside:
    settings: Settings
    store: Store
    searcher: Searcher
    answerer: Answerer
    articles: ArticleStore

    @classmethod
    def open(cls, settings: Settings | None = None) -> Bedside:
        settings = settings or Settings.from_env()
        settings.home.mkdir(parents=True, exist_ok=True)
        store = Store(settings.database_url)
        searcher = open_searcher(settings, store)  # BEDSIDE_SEARCH: local (default) or milvus
        return cls(settings, store, searcher, Answerer(searcher), ArticleStore(store.engine))

    def ask(self, question: str, audience: str = "clinician", follow_up_of: str | None = None) -> Article:
        """Answer a question, store the article for review, and return it for the audience asked for.

        The clinician article is what is stored and reviewed; the patient version is derived from it on
        the same evidence, so one review covers both."""
        parent = None
        if follow_up_of is not None:
            parent = self.articles.get(follow_up_of)
            if parent is None:
                raise QuestionError(f"there is no article with id {follow_up_of!r} to follow up")
        article = self.answerer.answer(question, parent)
        self.articles.save(article)
        return self.for_audience(article, audience)

    def for_audience(self, article: Article, audience: str) -> Article:
        """The same article for another audience: the patient version keeps every statement's evidence."""
        if audience not in AUDIENCES:
            raise QuestionError(f"unknown audience {audience!r}; use one of {', '.join(AUDIENCES)}")
        if audience == article.audience:
            return article
        if self.searcher.vocabulary is None:
            self.searcher.refresh()
        return for_patients(article, self.searcher.vocabulary)

    def thread(self, article: Article) -> list[Article]:
        """The articles a follow-up follows, oldest first (at most MAX_THREAD of them)."""
        chain: list[Article] = []
        parent_id = article.follow_up_of
        while parent_id and len(chain) < MAX_THREAD:
            parent = self.articles.get(parent_id)
            if parent is None or parent in chain:
                break
            chain.insert(0, parent)
            parent_id = parent.follow_up_of
        return chain

    def wants_starter(self) -> bool:
        """The store is empty, the settings allow the starter library, and it is there to load."""
        return self.settings.use_starter and self.store.is_empty() and bool(starter.files(self.settings.starter_dir))

    def seed_starter(self, on_progress: Callable[[Path, int], None] | None = None) -> IngestReport | None:
        """Load the bundled starter library into an empty store."""
        if not self.wants_starter():
            return None
        return ingest(self.store, starter.files(self.settings.starter_dir), on_progress)
