"""FDA indications by UNII (MedRecPro): the real file, and broken ones."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from bedside.library.loaders import fda_indications, loader_for
from bedside.library.loaders._files import read_head
from bedside.library.model import EvidenceLevel, LoaderError

SHARED = Path(os.environ.get("BEDSIDE_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))
INDICATIONS = SHARED / "data" / "fda-indications" / "labelProductIndication.md"


@pytest.fixture(scope="module")
def by_unii() -> dict[str, object]:
    if not INDICATIONS.is_file():
        pytest.skip(f"the FDA indications file is not at {INDICATIONS}")
    return {source.origin["unii"]: source for source in fda_indications.load(INDICATIONS)}


def test_every_record_with_text_is_a_source(by_unii):
    assert len(by_unii) == 1001
    assert "NWQ5N31VKK" not in by_unii  # daptomycin's summary is a lone "."
    assert loader_for(INDICATIONS) is fda_indications


def test_pregabalin_carries_its_brand_names(by_unii):
    pregabalin = by_unii["55JG375S6M"]
    assert pregabalin.source_id == "fda-unii:55JG375S6M"
    assert pregabalin.title == "Pregabalin — FDA indications"
    assert pregabalin.kind == EvidenceLevel.DRUG_LABEL
    assert pregabalin.meta["product_names"] == ["Lyrica", "Lyrica CR", "Pregabalin"]
    assert pregabalin.meta["unii"] == "55JG375S6M"
    assert pregabalin.url == "https://precision.fda.gov/uniisearch/srs/unii/55JG375S6M"
    assert pregabalin.publisher == "U.S. Food and Drug Administration (label text via MedRecPro)"
    assert pregabalin.licence == "FDA label text public domain; compilation Apache-2.0 (MedRecPro)"
    assert pregabalin.origin == {"dataset": "FDA indications", "unii": "55JG375S6M"}
    (passage,) = pregabalin.passages
    assert passage.section == "Indications and usage"
    assert "Management of fibromyalgia" in passage.text


def test_summary_lines_are_kept_and_the_heading_is_not_text(by_unii):
    penicillamine = by_unii["GNN1DV99GX"]
    assert penicillamine.meta["product_names"] == ["AAGYLUR", "Depen", "Penicillamine"]
    text = penicillamine.passages[0].text
    assert text.startswith("DEPEN is indicated in the treatment of Wilson’s disease")
    assert "# Penicillamine Summary" not in text


def test_a_comma_followed_by_a_space_stays_inside_a_product_name(by_unii):
    names = {name for source in by_unii.values() for name in source.meta["product_names"]}
    assert "Butalbital, Acetaminophen and Caffeine" in names
    assert "Acetaminophen and Caffeine" not in names


# Small files


def write(tmp_path: Path, body: str, name: str = "indications.md") -> Path:
    path = tmp_path / name
    path.write_text(f"# Reference\n\n## Data\n\n{fda_indications.HEADER}\n{body}", encoding="utf-8")
    return path


def test_a_long_summary_is_split_on_line_boundaries(tmp_path):
    lines = "\n".join(f"Line {n} " + "word " * 99 for n in range(5))
    path = write(tmp_path, f"Brand,generic drug|ABCDEFGH12|\n# Generic Drug Summary\n{lines}\n---\n")
    (source,) = fda_indications.load(path)
    assert source.title == "Generic Drug — FDA indications"
    assert len(source.passages) == 2
    assert all(len(p.text.split()) <= 350 for p in source.passages)
    assert source.passages[1].text.startswith("Line 3 ")


def test_a_gzipped_file_streams_the_same(tmp_path):
    plain = write(tmp_path, "Aspirin|R16CO5Y76E|\n# Aspirin Summary\nPain relief.\n---\n")
    packed = tmp_path / "indications.md.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert fda_indications.sniff(packed, read_head(packed))
    assert [s.source_id for s in fda_indications.load(packed)] == ["fda-unii:R16CO5Y76E"]


def test_a_file_without_the_header_is_not_this_format(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("# Notes\nAspirin|R16CO5Y76E|\n", encoding="utf-8")
    assert not fda_indications.sniff(path, read_head(path))
    with pytest.raises(LoaderError, match="header"):
        list(fda_indications.load(path))


def test_a_broken_record_names_its_line(tmp_path):
    path = write(tmp_path, "Aspirin|R16CO5Y76E|\n# Aspirin Summary\nPain.\n---\nno pipes here\n")
    with pytest.raises(LoaderError, match="line 10"):
        list(fda_indications.load(path))


def test_latin1_bytes_are_refused(tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes(f"{fda_indications.HEADER}\nCaf\xe9|R16CO5Y76E|\n".encode("latin-1"))
    with pytest.raises(LoaderError, match="UTF-8"):
        list(fda_indications.load(path))
