"""BM25 over passages with tantivy: the field layout, building the index, and querying it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import tantivy

from bedside.search.index_dir import building

# Query-side weights: a match in what the passage is about (its title, the question it answers, the
# condition or drug it is on) says more than a match somewhere in its text.
FIELD_BOOSTS = {"title": 2.0, "question": 2.0, "focus": 1.5, "text": 1.0}


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("passage_id", stored=True, tokenizer_name="raw")
    for name in FIELD_BOOSTS:
        builder.add_text_field(name, stored=False, tokenizer_name="en_stem")
    return builder.build()


def index_fields(row: dict) -> dict[str, str]:
    """The searchable text of one passage row (from Store.iter_passages_for_index)."""
    meta, source_meta = row["meta"] or {}, row["source_meta"] or {}
    about = [meta.get("focus", ""), *meta.get("synonyms", []), *source_meta.get("product_names", [])]
    return {
        "passage_id": row["passage_id"],
        "title": row["title"],
        "question": meta.get("question") or row["section"] or "",
        "focus": " ; ".join(a for a in about if a),
        "text": row["text"],
    }


class LexicalIndex:
    def __init__(self, path: Path):
        self.path = path
        self.index = tantivy.Index(schema(), path=str(path), reuse=True)
        self.searcher = self.index.searcher()

    @classmethod
    def build(
        cls, path: Path, rows: Iterable[dict], generation: int, on_progress: Callable[[int], None] | None = None
    ) -> LexicalIndex:
        """Build a fresh index and swap it in whole."""
        with building(path, generation) as staging:
            index = tantivy.Index(schema(), path=str(staging))
            # One writer thread: documents keep the store's passage-id order, so passages with equal BM25
            # scores come back in the same order from every build (two threads split them between
            # segments at random, which moved nDCG@10 by up to 0.006 between builds).
            writer = index.writer(heap_size=256_000_000, num_threads=1)
            for n, row in enumerate(rows, start=1):
                writer.add_document(tantivy.Document(**index_fields(row)))
                if on_progress and n % 5000 == 0:
                    on_progress(n)
            writer.commit()
            writer.wait_merging_threads()
        return cls(path)

    def search(self, query_string: str, k: int, fields: dict[str, float] = FIELD_BOOSTS) -> list[tuple[str, float]]:
        """(passage_id, BM25 score) best first. The query string is built by search.query from clean
        words only; user text never reaches the parser."""
        query = self.index.parse_query(query_string, list(fields), field_boosts=fields)
        hits = self.searcher.search(query, limit=k, count=False).hits
        return [(self.searcher.doc(address)["passage_id"][0], score) for score, address in hits]
