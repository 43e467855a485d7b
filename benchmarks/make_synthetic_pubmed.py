"""Write a synthetic PubMed baseline file, to benchmark ingestion at baseline scale without downloading one.

    python benchmarks/make_synthetic_pubmed.py --articles 30000 --out /tmp/pubmed25n9999.xml.gz

A real baseline file holds about 30,000 citations; the default is a little over three of them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bedside.library.synthetic import write_pubmed_baseline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000, help="citations to write (default 100000)")
    parser.add_argument("--out", type=Path, required=True, help="output file; gzip when it ends in .gz")
    parser.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same file")
    args = parser.parse_args()
    with_abstract = write_pubmed_baseline(args.out, args.articles, seed=args.seed)
    size = args.out.stat().st_size / 1e6
    print(f"{args.out}: {args.articles} citations, {with_abstract} with an abstract, {size:.1f} MB")


if __name__ == "__main__":
    main()
