"""The loaded product: settings, the library's store and its search, shared by the CLI and the web."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bedside.answer.article import Article
from bedside.answer.engine import Answerer
from bedside.config import Settings
from bedside.editorial.articles import ArticleStore
from bedside.library import starter
from bedside.library.ingest import IngestReport, ingest
from bedside.library.store import Store
from bedside.search.engine import Searcher


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
        searcher = Searcher(store, settings.index_dir, [settings.starter_dir])
        return cls(settings, store, searcher, Answerer(searcher), ArticleStore(store.engine))

    def ask(self, question: str, audience: str = "clinician", follow_up_of: str | None = None) -> Article:
        """Answer a question and store the article for review."""
        article = self.answerer.answer(question, audience, follow_up_of)
        self.articles.save(article)
        return article

    def for_audience(self, article: Article, audience: str) -> Article:
        """The same article for another audience (clinician or patient); the patient version is derived
        from the stored clinician article, so both rest on the same evidence."""
        return article

    def wants_starter(self) -> bool:
        """The store is empty, the settings allow the starter library, and it is there to load."""
        return self.settings.use_starter and self.store.is_empty() and bool(starter.files(self.settings.starter_dir))

    def seed_starter(self, on_progress: Callable[[Path, int], None] | None = None) -> IngestReport | None:
        """Load the bundled starter library into an empty store."""
        if not self.wants_starter():
            return None
        return ingest(self.store, starter.files(self.settings.starter_dir), on_progress)
