"""Retrieval evaluation on LiveQA-Med: run the questions through search, score with the shared scorer.

The judged documents are MedQuAD question–answer pairs named ``<source>_<document id>_Sec<pid>``; a hit
from any other dataset is written under its passage id and so counts as not relevant. Many judged
answers come from collections whose text MedQuAD withheld (A.D.A.M., MedlinePlus drugs and herbs), so
no system working from this library can find them: ``ceiling_run`` writes the best run that is
possible here, which bounds every number.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from bedside.config import REPO_ROOT
from bedside.search.query import subject_and_message

SHARED_EVAL = REPO_ROOT.parent / "shared" / "eval"
# Collections judged in the qrels whose answers are not in MedQuAD as distributed.
WITHHELD = ("ADAM_", "MPlusDrugs_", "MPlusHerbsSuppls_")


def judged_docid(hit: dict) -> str:
    origin = hit.get("origin") or {}
    if origin.get("dataset") == "MedQuAD":
        return f"{origin['source']}_{origin['document_id']}_Sec{origin['qa_pair']}"
    return hit["passage_id"]


def question_text(record: dict) -> str:
    return subject_and_message(record.get("subject") or "", record.get("message") or "")


def write_run(
    questions: Path, run_path: Path, search: Callable[[str, int], list[dict]], k: int = 10, tag: str = "bedside"
) -> int:
    """Search every question and write a TREC run file; returns the number of questions run."""
    n = 0
    with open(questions) as source, open(run_path, "w") as run:
        for line in source:
            if not line.strip():
                continue
            record = json.loads(line)
            seen: set[str] = set()
            rank = 0
            for hit in search(question_text(record), k * 3):
                docid = judged_docid(hit)
                if docid in seen:
                    continue
                seen.add(docid)
                rank += 1
                run.write(f"{record['qid']} Q0 {docid} {rank} {hit['score']:.6f} {tag}\n")
                if rank == k:
                    break
            n += 1
    return n


def ceiling_run(qrels: Path, run_path: Path) -> None:
    """The best ranking this library allows: every judged answer it holds, best grade first."""
    judged: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for line in qrels.read_text().splitlines():
        if line.strip():
            qid, _, doc, grade = line.split()
            if not doc.startswith(WITHHELD):
                judged[qid].append((int(grade), doc))
    with open(run_path, "w") as run:
        for qid, docs in judged.items():
            for rank, (grade, doc) in enumerate(sorted(docs, reverse=True)[:10], start=1):
                run.write(f"{qid} Q0 {doc} {rank} {10 - rank + grade / 10:.3f} ceiling\n")


def score(qrels: Path, run_path: Path, scorer: Path) -> dict:
    return run_scorer("retrieval", qrels, run_path, scorer)


def run_scorer(mode: str, gold: Path, output: Path, scorer: Path) -> dict:
    """The shared scorer, run as its authors run it."""
    result = subprocess.run(
        [sys.executable, str(scorer), mode, str(gold), str(output)], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)
