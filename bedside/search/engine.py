"""Finding evidence: runs a question against the indexes and returns Passage hits, best first.

Methods (``bedside eval retrieval --method`` compares them):
- ``bm25``: BM25 over passage text with the question's words as typed: the plain baseline;
- ``dense``: all-MiniLM-L6-v2 cosine similarity only;
- ``hybrid``: fielded BM25 on the understood question (typos fixed, names expanded) fused by
  reciprocal rank fusion with dense retrieval over passages and over the questions they answer, and
  with BM25 over those questions alone;
- ``hybrid+priors`` (the default): hybrid, then evidence level, recency and section priors.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bedside.library.store import Store
from bedside.search import query as q
from bedside.search.dense import DenseIndex
from bedside.search.embed import Encoder
from bedside.search.fuse import prior, reciprocal_rank_fusion
from bedside.search.index_dir import built_generation
from bedside.search.lexical import LexicalIndex
from bedside.search.vocabulary import FILE as VOCABULARY_FILE
from bedside.search.vocabulary import Vocabulary, VocabularyBuilder

MAX_K = 200
METHODS = ("bm25", "dense", "hybrid", "hybrid+priors")
DEFAULT_METHOD = "hybrid+priors"
CANDIDATES = 100  # per ranking, before fusion
# Lexical over all fields, dense over passages, dense over the questions passages answer, and lexical
# over those questions alone. Lexical over all fields counts double: it carries the typo fixes and name
# expansions (measured in docs/search.md).
FUSION_WEIGHTS = [2.0, 1.0, 1.0, 1.0]


def check_request(texts: list[str], k: int, method: str) -> None:
    """Refuse a bad k, an unknown method, or an empty or wordless query before any work (any backend)."""
    if not 1 <= k <= MAX_K:
        raise q.QueryError(f"k must be between 1 and {MAX_K}")
    if method not in METHODS:
        raise q.QueryError(f"unknown search method {method!r}; use one of {', '.join(METHODS)}")
    for text in texts:
        q.terms(text)


class Searcher:
    def __init__(self, store: Store, index_dir: Path, known_vector_dirs: list[Path] | None = None):
        self.store = store
        self.lexical_path = index_dir / "lexical"
        self.dense_path = index_dir / "dense"
        # Folders of vectors computed elsewhere (the starter library's), reused for unchanged text.
        self.known_vector_dirs = known_vector_dirs or []
        self.lexical: LexicalIndex | None = None
        self.dense: DenseIndex | None = None
        self.vocabulary: Vocabulary | None = None
        self._encoder: Encoder | None = None

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = Encoder.load()
        return self._encoder

    def is_stale(self) -> bool:
        generation = self.store.generation()
        return built_generation(self.lexical_path) != generation or built_generation(self.dense_path) != generation

    def refresh(
        self,
        on_index_progress: Callable[[int], None] | None = None,
        on_embed_progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """Rebuild whatever the library changed since it was built, then open the indexes."""
        generation = self.store.generation()
        if built_generation(self.lexical_path) != generation:
            vocabulary = VocabularyBuilder()
            rows = vocabulary.observe(self.store.iter_passages_for_index())
            LexicalIndex.build(self.lexical_path, rows, generation, on_index_progress)
            vocabulary.save(self.lexical_path / VOCABULARY_FILE)
        if built_generation(self.dense_path) != generation:
            DenseIndex.build(
                self.dense_path,
                self.store.iter_passages_for_index,
                generation,
                lambda texts: self.encoder.encode(texts),
                self.known_vector_dirs,
                on_embed_progress,
            )
        self.lexical = LexicalIndex(self.lexical_path)
        self.vocabulary = Vocabulary.load(self.lexical_path / VOCABULARY_FILE)
        self.dense = DenseIndex(self.dense_path)

    def search(self, text: str, k: int = 10, method: str = DEFAULT_METHOD) -> list[dict]:
        return self.search_many([text], k, method)[0]

    def search_many(
        self, texts: list[str], k: int = 10, method: str = DEFAULT_METHOD, question_field: bool = True
    ) -> list[list[dict]]:
        """Several searches at once: the query embeddings are computed in one batch.

        ``question_field=False`` leaves out BM25 over the MedQuAD questions: it helps a consumer's own
        question find its twin, but the answer engine's short facet queries ("ketamine dosage
        administration") it pulls towards whole-topic Q&A pages (K-QA coverage 0.0476 → 0.0448 with it)."""
        check_request(texts, k, method)
        if self.lexical is None:
            self.refresh()
        vectors = self.encoder.encode_queries(texts) if method != "bm25" else [None] * len(texts)
        ranked = [
            self._rank(text, vector, k, method, question_field) for text, vector in zip(texts, vectors, strict=True)
        ]
        found = self.store.passages_by_id({pid for scored in ranked for pid, _ in scored})
        return [self._hits(scored, found, k, method) for scored in ranked]

    def similarity(self, text: str, passage_ids: list[str]) -> list[float]:
        """Cosine similarity of a text to passages, from the stored vectors."""
        if self.dense is None:
            self.refresh()
        return self.dense.similarity(self.encoder.encode_queries([text])[0], passage_ids)

    @staticmethod
    def _hits(scored: list[tuple[str, float]], found: dict[str, dict], k: int, method: str) -> list[dict]:
        hits = [found[pid] | {"score": score} for pid, score in scored if pid in found]
        if method == "hybrid+priors":
            for hit in hits:
                hit["score"] *= prior(hit)
            hits.sort(key=lambda h: h["score"], reverse=True)
        for hit in hits:
            hit["score"] = round(hit["score"], 6)
        return hits[:k]

    def _rank(self, text: str, vector, k: int, method: str, question_field: bool) -> list[tuple[str, float]]:
        if method == "bm25":
            return self.lexical.search(" ".join(q.terms(text)), k, fields={"text": 1.0})
        if method == "dense":
            return self.dense.search(vector, k)
        analysed = q.analyse(text, self.vocabulary)
        lexical_query = analysed.lexical_query()
        rankings = [
            [pid for pid, _ in self.lexical.search(lexical_query, CANDIDATES)],
            [pid for pid, _ in self.dense.search(vector, CANDIDATES, view="passage")],
            [pid for pid, _ in self.dense.search(vector, CANDIDATES, view="question")],
        ]
        if question_field:
            rankings.append(
                [pid for pid, _ in self.lexical.search(lexical_query, CANDIDATES, fields={"question": 1.0})]
            )
        fused = reciprocal_rank_fusion(rankings, FUSION_WEIGHTS[: len(rankings)])
        # Keep more than k so the priors can promote a slightly lower passage of better evidence.
        return sorted(fused.items(), key=lambda item: item[1], reverse=True)[: max(k * 2, 20)]
