"""How much of K-QA's must-have coverage an extractive answer could reach from this library.

    .venv/bin/python benchmarks/answer_ceiling.py [--limit N] [--hits 10 40]

The shared scorer counts a must-have statement as covered when one sentence of the answer holds 60% of
its content words. An extractive composer can only show sentences of the library, so this prints, with
the scorer's own definition of "covered":
- the bedside article (what `bedside eval answers` scores);
- the pool: the share covered by *any* sentence of the passages the answer engine retrieved for the
  question's facets, at its hit count and at larger ones (a perfect statement selector, no word cap);
- the library: the share covered by any sentence anywhere in the library (perfect retrieval too).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import read_jsonl

from bedside.answer import engine
from bedside.answer.plan import plan
from bedside.answer.question import analyse_question
from bedside.answer.sentences import split
from bedside.core import Bedside
from bedside.eval.answers import KQA
from bedside.eval.retrieval import SHARED_EVAL


def load_scorer():
    spec = importlib.util.spec_from_file_location("score", SHARED_EVAL / "score.py")
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    return scorer


class SentenceIndex:
    """Content-word sets of sentences, with postings so a statement's best match is found quickly."""

    def __init__(self, scorer, texts):
        self.scorer = scorer
        self.sentences = [scorer.content(s) for text in texts for s in split(text)]
        self.postings: dict[str, list[int]] = defaultdict(list)
        for i, words in enumerate(self.sentences):
            for word in words:
                self.postings[word].append(i)

    def covers(self, statement: str) -> bool:
        words = self.scorer.content(statement)
        shared = Counter(i for w in words for i in self.postings.get(w, ()))
        return bool(words) and any(n / len(words) >= 0.6 for n in shared.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N questions")
    parser.add_argument("--hits", type=int, nargs="+", default=[engine.HITS_PER_FACET, 40])
    args = parser.parse_args()
    scorer = load_scorer()
    gold = read_jsonl(KQA)[: args.limit]
    bedside = Bedside.open()
    bedside.seed_starter()
    searcher = bedside.searcher
    searcher.refresh()
    library = SentenceIndex(scorer, (row["text"] for row in searcher.store.iter_passages_for_index()))

    covered: Counter[str] = Counter()
    total = 0
    for record in gold:
        text = bedside.answerer.answer(record["question"]).plain_text()
        article = SentenceIndex(scorer, [" ".join(text.split()[: scorer.WORD_CAP])])  # the scorer reads 500 words
        question = analyse_question(record["question"], searcher.vocabulary)
        queries = [f.query[: engine.MAX_QUERY_CHARS] for f in plan(question)]
        pools = {
            k: SentenceIndex(
                scorer, [h["text"] for hits in searcher.search_many(queries, k, question_field=False) for h in hits]
            )
            for k in args.hits
        }
        for statement in record["must_have"]:
            total += 1
            covered["bedside article (first 500 words)"] += article.covers(statement)
            for k, pool in pools.items():
                covered[f"any sentence of the retrieved passages, {k} hits a facet"] += pool.covers(statement)
            covered["any sentence of the library"] += library.covers(statement)

    print(f"K-QA must-have statements: {total} over {len(gold)} questions\n")
    print("| what could cover a must-have statement | coverage |\n| --- | --- |")
    for name, n in covered.items():
        print(f"| {name} | {n / total:.4f} |")


if __name__ == "__main__":
    main()
