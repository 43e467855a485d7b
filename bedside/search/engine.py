"""Finding evidence: runs a query against the indexes and returns Passage hits, best first."""

from __future__ import annotations

from collections.abc import Callable

from bedside.library.store import Store
from bedside.search import query as q
from bedside.search.index_dir import built_generation
from bedside.search.lexical import LexicalIndex

MAX_K = 200
METHODS = ("bm25", "dense", "hybrid", "hybrid+priors")


class Searcher:
    def __init__(self, store: Store, index_dir):
        self.store = store
        self.lexical_path = index_dir / "lexical"
        self.lexical: LexicalIndex | None = None

    def is_stale(self) -> bool:
        return built_generation(self.lexical_path) != self.store.generation()

    def refresh(self, on_progress: Callable[[int], None] | None = None) -> None:
        """Rebuild the indexes if the library changed since they were built; open them."""
        if self.is_stale():
            self.lexical = LexicalIndex.build(
                self.lexical_path, self.store.iter_passages_for_index(), self.store.generation(), on_progress
            )
        elif self.lexical is None:
            self.lexical = LexicalIndex(self.lexical_path)

    def search(self, text: str, k: int = 10, method: str = "bm25") -> list[dict]:
        if not 1 <= k <= MAX_K:
            raise q.QueryError(f"k must be between 1 and {MAX_K}")
        if self.lexical is None:
            self.refresh()
        ranked = self.lexical.search(q.terms(text), k)
        found = self.store.passages_by_id(pid for pid, _ in ranked)
        return [found[pid] | {"score": round(score, 4)} for pid, score in ranked if pid in found]
