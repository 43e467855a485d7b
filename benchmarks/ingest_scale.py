"""Ingest at scale: a synthetic PubMed baseline through the store and into both search backends.

    .venv/bin/python benchmarks/ingest_scale.py                      # 100,000 abstracts in 4 files
    .venv/bin/python benchmarks/ingest_scale.py --articles 20000 --skip-milvus

Steps, each in a fresh process so its peak RSS is its own (workers' peaks are reported separately):
1. load into the store (SQLite, or --database-url postgresql://…): serially, then with one parser per core;
2. embedding throughput, measured on a sample of passages (all-MiniLM-L6-v2, numpy) and extrapolated,
   because embedding 100k abstracts takes hours on two cores;
3. the local indexes (tantivy BM25 + the int8 dense index) and the Milvus Lite collection (BM25 function,
   two dense fields), both fed stand-in vectors from a vector file so that the index is what is timed,
   not the embedding (the same reuse path that ships the starter library's vectors).

Prints a Markdown table; docs/benchmarks.md "Ingest at scale" and docs/scaling.md quote it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

LOAD = r"""
import json, resource, sys, time
from pathlib import Path
from bedside.library.ingest import ingest
from bedside.library.store import Store
store = Store(sys.argv[1])
start = time.perf_counter()
report = ingest(store, [Path(p) for p in sys.argv[3:]], workers=int(sys.argv[2]))
seconds = time.perf_counter() - start
print(json.dumps({"passages": report.passages, "sources": report.added, "seconds": seconds, "errors": report.errors,
    "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "child_rss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""

EMBED = r"""
import json, resource, sys, time
from itertools import islice
from bedside.library.store import Store
from bedside.search.dense import passage_text
from bedside.search.embed import Encoder
store = Store(sys.argv[1])
texts = [passage_text(r) for r in islice(store.iter_passages_for_index(), int(sys.argv[2]))]
encoder = Encoder.load()
start = time.perf_counter()
encoder.encode(texts)
seconds = time.perf_counter() - start
print(json.dumps({"passages": len(texts), "seconds": seconds,
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

# Stand-in vectors for every passage and view, keyed like real ones, in the starter library's file format.
VECTORS = r"""
import sys
from pathlib import Path
import numpy as np
from bedside.library.store import Store
from bedside.search import dense
store, out = Store(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(0)
for view, text_of in dense.VIEWS.items():
    ids, keys = [], []
    for row in store.iter_passages_for_index():
        if text := text_of(row):
            ids.append(row["passage_id"]); keys.append(dense.text_key(text))
    v = rng.standard_normal((len(ids), dense.DIM)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True) if len(ids) else 1
    dense.save_vectors(out / dense.file_name(view), ids, keys, v)
"""

INDEX = r"""
import json, resource, sys, time
from pathlib import Path
from bedside.library.store import Store
store, backend, index_dir, vectors = Store(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
if backend == "local":
    from bedside.search.engine import Searcher
    searcher = Searcher(store, index_dir, [vectors])
else:
    from bedside.search.milvus import MilvusSearcher
    searcher = MilvusSearcher(store, index_dir, [vectors], str(index_dir / "milvus.db"))
searcher._encoder = object()  # any embedding at all would be a bug here: every vector is in the file
start = time.perf_counter()
searcher.refresh()
seconds = time.perf_counter() - start
query_start = time.perf_counter()
searcher._encoder = None
searcher.search("apixaban major bleeding in atrial fibrillation", 10)
print(json.dumps({"seconds": seconds, "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "first_query_s": time.perf_counter() - query_start}))
"""


def child(code: str, *args: str, env: dict | None = None) -> dict | None:
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"benchmark step failed:\n{result.stderr[-3000:]}")
    lines = result.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else None


def size_mib(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000, help="synthetic abstracts in all (default 100000)")
    parser.add_argument("--files", type=int, default=4, help="split into this many baseline files (default 4)")
    parser.add_argument("--embed-sample", type=int, default=500, help="passages embedded to time the encoder")
    parser.add_argument("--database-url", default="", help="a PostgreSQL URL to load into instead of SQLite")
    parser.add_argument("--skip-milvus", action="store_true")
    args = parser.parse_args()

    from bedside.library.synthetic import write_pubmed_baseline

    work = Path(tempfile.mkdtemp(prefix="bedside-scale-"))
    inputs = []
    for i in range(args.files):
        path = work / "in" / f"pubmed25n{i + 1:04d}.xml.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        write_pubmed_baseline(path, args.articles // args.files, seed=i)
        inputs.append(str(path))
    input_mib = sum(size_mib(Path(p)) for p in inputs)
    cores = os.cpu_count() or 1
    print(f"{args.articles:,} synthetic abstracts in {args.files} files, {input_mib:.0f} MiB gzip; {cores} cores\n")
    print("| step | passages | seconds | passages/s | peak RSS MiB | note |")
    print("| --- | --- | --- | --- | --- | --- |")

    def row(step: str, passages: int, seconds: float, rss: float, note: str = "") -> None:
        print(
            f"| {step} | {passages:,} | {seconds:,.1f} | {passages / seconds:,.0f} | {rss:,.0f} | {note} |", flush=True
        )

    db = args.database_url
    for workers in (1, cores):
        url = db or f"sqlite:///{work / f'load-{workers}.db'}"
        if db and workers > 1:  # load the same database again: drop what the serial run wrote first
            import sqlalchemy as sa

            from bedside.library.store import make_engine

            with make_engine(db).begin() as tx:
                tx.execute(sa.text("delete from passages; delete from sources; delete from ingested_files"))
        r = child(LOAD, url, str(workers), *inputs)
        assert not r["errors"], r["errors"]
        kind = "PostgreSQL" if db else "SQLite"
        note = f"workers' peak {r['child_rss']:,.0f} MiB" if workers > 1 else ""
        row(
            f"load into {kind}, {workers} parser{'s' if workers > 1 else ''}",
            r["passages"],
            r["seconds"],
            r["rss"],
            note,
        )
        passages = r["passages"]
    store_url = db or f"sqlite:///{work / f'load-{cores}.db'}"
    if not db:
        on_disk = sum(size_mib(p) for p in work.glob(f"load-{cores}.db*"))
        print(f"| (store size on disk) | | | | | {on_disk:,.0f} MiB SQLite |")

    e = child(EMBED, store_url, str(args.embed_sample))
    rate = e["passages"] / e["seconds"]
    row(
        f"embed a sample ({e['passages']} passages)",
        e["passages"],
        e["seconds"],
        e["rss"],
        f"all {passages:,} would take {passages / rate / 3600:,.1f} h on this machine",
    )

    vectors = work / "vectors"
    child(VECTORS, store_url, str(vectors))
    for backend in ("local", *(() if args.skip_milvus else ("milvus",))):
        index_dir = work / f"index-{backend}"
        r = child(INDEX, store_url, backend, str(index_dir), str(vectors))
        note = f"{size_mib(index_dir):,.0f} MiB on disk; first query {r['first_query_s']:.2f} s"
        name = (
            "local indexes (tantivy + int8 dense)" if backend == "local" else "Milvus Lite collection (BM25 + 2 dense)"
        )
        row(f"{name}, vectors given", passages, r["seconds"], r["rss"], note)


if __name__ == "__main__":
    main()
