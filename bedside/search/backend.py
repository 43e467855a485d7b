"""Choosing the search backend, and the error every backend raises when its engine cannot be reached.

Both backends have the same interface (``refresh``, ``is_stale``, ``search``, ``search_many``,
``similarity``, ``vocabulary``, ``encoder``): the local one (tantivy + numpy, bedside.search.engine)
and Milvus (bedside.search.milvus, imported only when chosen, so the local path loads nothing more).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bedside.config import Settings
    from bedside.library.store import Store


class SearchUnavailable(ValueError):
    """The search engine cannot be reached or failed; the message names it. The web app answers 503
    with this message; the command line prints it and exits 2."""


def open_searcher(settings: Settings, store: Store):
    """The searcher that ``settings.search_backend`` names (BEDSIDE_SEARCH)."""
    if settings.search_backend == "milvus":
        from bedside.search.milvus import MilvusSearcher

        return MilvusSearcher(
            store, settings.index_dir, [settings.starter_dir], settings.milvus_uri, token=settings.milvus_token
        )
    from bedside.search.engine import Searcher

    return Searcher(store, settings.index_dir, [settings.starter_dir])
