"""Answer evaluation on K-QA: must-have coverage of bedside's articles against two baselines, in the
same harness — the single top search hit as the answer, and the reference answers themselves (the
ceiling). The shared scorer reads only the first 500 words of each answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from bedside.eval.retrieval import SHARED_EVAL, run_scorer

KQA = SHARED_EVAL / "longform" / "kqa-silver.jsonl"


def questions(path: Path, limit: int | None = None) -> Iterator[dict]:
    with open(path) as f:
        for n, line in enumerate(f):
            if limit is not None and n >= limit:
                return
            if line.strip():
                yield json.loads(line)


def write_answers(path: Path, gold: Path, answer: Callable[[str], str], limit: int | None = None) -> int:
    n = 0
    with open(path, "w") as out:
        for record in questions(gold, limit):
            out.write(json.dumps({"id": record["id"], "answer": answer(record["question"])}) + "\n")
            n += 1
    return n


def write_gold_subset(gold: Path, path: Path, limit: int | None) -> Path:
    """The first ``limit`` gold records, so a partial run is scored against the questions it answered."""
    with open(path, "w") as out:
        for record in questions(gold, limit):
            out.write(json.dumps(record) + "\n")
    return path


def score(gold: Path, answers: Path, scorer: Path) -> dict:
    return run_scorer("coverage", gold, answers, scorer)
