"""The starter library: built from ../shared/data by our own loaders, shipped compressed in the
repository, and loaded into an empty store so a fresh clone answers questions without ../shared.
"""

from __future__ import annotations

import gzip
import io
import shutil
from pathlib import Path

from bedside.library import loaders
from bedside.library.loaders import bedside_jsonl
from bedside.library.model import Source

# name in data/starter → folder under ../shared/data, and the licence files to ship beside it.
DATASETS: dict[str, tuple[str, list[str]]] = {
    "medquad": ("medquad", ["LICENSE.txt"]),
    "pubmedqa": ("pubmedqa", ["LICENSE"]),
    "fda-indications": ("fda-indications", ["LICENSE.txt"]),
    "openstax-nursing": ("openstax-nursing", ["LICENSE"]),
    "spl-labels": ("spl-fixtures", ["COPYING.openfda.txt"]),
}


def read_dataset(folder: Path) -> list[Source]:
    found: list[Source] = []
    for file, loader, _named in loaders.walk(folder):
        if loader is not None:
            found.extend(loader.load(file))
    # Sorted so a rebuild from the same data gives byte-identical files.
    return sorted(found, key=lambda s: s.source_id)


def build(shared_data: Path, out_dir: Path) -> dict[str, dict[str, int]]:
    """Write data/starter/<name>.jsonl.gz and licences/ for every dataset. Returns counts by dataset."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "licences").mkdir(exist_ok=True)
    counts = {}
    for name, (folder, licence_files) in DATASETS.items():
        sources = read_dataset(shared_data / folder)
        target = out_dir / f"{name}.jsonl.gz"
        partial = target.with_suffix(".gz.partial")
        # mtime=0 keeps the gzip header stable across rebuilds, so git sees no change when none happened.
        with open(partial, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
            bedside_jsonl.write(iter(sources), io.TextIOWrapper(gz, encoding="utf-8", write_through=True))
        partial.replace(target)
        for licence in licence_files:
            shutil.copyfile(shared_data / folder / licence, out_dir / "licences" / f"{name}-{licence}")
        counts[name] = {"sources": len(sources), "passages": sum(len(s.passages) for s in sources)}
    return counts


def files(starter_dir: Path) -> list[Path]:
    return sorted(starter_dir.glob("*.jsonl.gz"))
