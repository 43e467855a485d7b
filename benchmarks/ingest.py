"""Ingest throughput and peak memory: the starter library, and a synthetic PubMed baseline file.

    .venv/bin/python benchmarks/ingest.py                 # starter + 100,000 synthetic abstracts
    .venv/bin/python benchmarks/ingest.py --articles 20000

Each ingest runs in a fresh process and home, so peak memory is the ingest's own. Index building
(BM25 and embeddings) is timed separately from loading into the store.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bedside.config import REPO_ROOT

CHILD = r"""
import json, os, resource, sys, time
from pathlib import Path
from bedside.core import Bedside
from bedside.library.ingest import ingest
bedside = Bedside.open()
start = time.perf_counter()
report = ingest(bedside.store, [Path(p) for p in sys.argv[1:]])
load = time.perf_counter() - start
start = time.perf_counter()
bedside.searcher.refresh() if os.environ.get("WITH_INDEX") else None
index = time.perf_counter() - start
print(json.dumps({"passages": report.passages, "sources": report.added, "load_s": load, "index_s": index,
                  "errors": report.errors, "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(paths: list[str], with_index: bool) -> dict:
    home = tempfile.mkdtemp(prefix="bedside-ingest-")
    env = {"BEDSIDE_HOME": home, "BEDSIDE_STARTER": "off", "PATH": "/usr/bin:/bin"}
    if with_index:
        env["WITH_INDEX"] = "1"
    result = subprocess.run([sys.executable, "-c", CHILD, *paths], env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000)
    args = parser.parse_args()

    from bedside.library.synthetic import write_pubmed_baseline

    starter = sorted(str(p) for p in (REPO_ROOT / "data/starter").glob("*.jsonl.gz"))
    synthetic = Path(tempfile.mkdtemp()) / "pubmed-synthetic.xml.gz"
    write_pubmed_baseline(synthetic, args.articles, seed=1)

    print("| input | size on disk | sources | passages | load s | passages/s | index s | peak RSS MiB |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, paths, with_index in (
        ("starter library (8 files)", starter, True),
        (f"synthetic PubMed, {args.articles:,} articles (.xml.gz)", [str(synthetic)], False),
    ):
        size = sum(Path(p).stat().st_size for p in paths) / 2**20
        r = run(paths, with_index)
        assert not r["errors"], r["errors"]
        print(
            f"| {name} | {size:.1f} MiB | {r['sources']:,} | {r['passages']:,} | {r['load_s']:.1f} | "
            f"{r['passages'] / r['load_s']:,.0f} | {r['index_s']:.1f} | {r['peak_rss_mib']:.0f} |"
        )


if __name__ == "__main__":
    main()
