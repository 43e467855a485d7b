"""Latency of `search` and `ask` with the library loaded, and of whole batch commands.

    .venv/bin/python benchmarks/latency.py            # uses BEDSIDE_HOME, or a fresh home with the starter

Prints p50/p95 per call over the LiveQA-Med development questions (search) and the first 60 K-QA
questions (ask), the time of `search --batch` and `ask --batch` of 40 questions including process
start, and the resident memory of the loaded library.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import TABLE_HEADER, fresh_home, peak_rss_mib, read_jsonl, summary

from bedside.config import REPO_ROOT
from bedside.core import Bedside
from bedside.eval.retrieval import question_text

SHARED_EVAL = REPO_ROOT.parent / "shared" / "eval"


def main() -> None:
    if "BEDSIDE_HOME" not in os.environ:
        fresh_home("bedside-bench-")
    bedside = Bedside.open()
    bedside.seed_starter()
    bedside.searcher.refresh()
    bedside.searcher.search("warm up")
    loaded_rss = peak_rss_mib()

    questions = [question_text(row) for row in read_jsonl(SHARED_EVAL / "liveqa-medquad/questions.jsonl")]
    kqa_all = [row["question"] for row in read_jsonl(SHARED_EVAL / "longform/kqa-silver.jsonl")]
    kqa = kqa_all[:60]
    # Every query is new to the searcher (it remembers recent query vectors, so a repeat would be cheap).
    search_queries = questions + kqa_all[100:160]

    search_times = []
    for text in search_queries:
        start = time.perf_counter()
        bedside.searcher.search(text, 10)
        search_times.append(time.perf_counter() - start)
    ask_times = []
    for text in kqa:
        start = time.perf_counter()
        bedside.answerer.answer(text)
        ask_times.append(time.perf_counter() - start)

    print(TABLE_HEADER)
    print(summary("search (hybrid+priors, k=10), LiveQA + K-QA questions, each new", search_times))
    print(summary("ask (clinician article), K-QA questions", ask_times))
    print(
        f"\nresident memory with the starter library loaded, after warm-up: {loaded_rss:.0f} MiB; "
        f"after the runs: {peak_rss_mib():.0f} MiB"
    )
    for command, key, texts in (("search", "query", questions), ("ask", "question", kqa)):
        batch = Path(tempfile.mkstemp(suffix=".jsonl")[1])
        batch.write_text("".join(json.dumps({"id": i, key: t}) + "\n" for i, t in enumerate(texts[:40])))
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bedside", command, "--batch", str(batch), "--json"], check=True, capture_output=True
        )
        print(f"`{command} --batch` of 40, including process start: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
