"""MEDLINE text format: real NCBI exports, wrapped fields, structured abstracts, encodings."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from bedside.library.loaders import loader_for, medline, pubmed
from bedside.library.model import EvidenceLevel, LoaderError

SHARED = Path(os.environ.get("BEDSIDE_SHARED", Path(__file__).resolve().parents[2] / "shared"))
FIXTURES = SHARED / "data" / "ncbi-fixtures"

RECORD = """\
PMID- 27797938
TI  - Leucocyte telomere length, genetic variants at the TERT gene region and risk of
      pancreatic cancer.
LID - 10.1136/gutjnl-2016-312510 [doi]
AB  - OBJECTIVE: Telomere shortening occurs early. DESIGN: We measured telomere length
      in 386 cases. RESULTS: Shorter telomeres meant higher risk. CONCLUSIONS: They
      were associated.
FAU - Bao, Ying
AU  - Bao Y
CN  - Pancreatic Cancer Cohort Consortium
PT  - Journal Article
PT  - Observational Study
DP  - 2017 Jun
JT  - Gut
MH  - Case-Control Studies
MH  - Telomere Shortening/*genetics
"""


@pytest.fixture
def fixtures() -> Path:
    if not FIXTURES.is_dir():
        pytest.skip(f"shared data not found at {FIXTURES} (set BEDSIDE_SHARED)")
    return FIXTURES


def load_one(path: Path, pmid: str):
    return next(s for s in medline.load(path) if s.pmid == pmid)


def test_sniff_claims_medline_text_only(fixtures: Path) -> None:
    for name in ["medline_pubmed_result1.txt", "medline_pubmed_result2.txt", "medline_pubmed_result3.txt"]:
        assert loader_for(fixtures / name) is medline, name
    for name in ["pubmed1.xml", "esearch1.xml", "LICENSE.biopython.rst"]:
        assert not medline.sniff(fixtures / name, (fixtures / name).read_bytes()[:4096]), name


def test_unstructured_abstract_and_starred_mesh(fixtures: Path) -> None:
    (source,) = medline.load(fixtures / "medline_pubmed_result1.txt")
    assert source.source_id == "pubmed:12230038"
    assert source.title == "The Bio* toolkits--a brief overview."
    assert source.authors == ["Mangalam H"]
    assert source.publisher == "Briefings in bioinformatics"  # JT preferred to the TA abbreviation
    assert source.year == 2002
    assert source.doi == ""
    assert source.url == "https://pubmed.ncbi.nlm.nih.gov/12230038/"
    assert source.origin == {"dataset": "PubMed", "pmid": "12230038"}
    assert source.licence == pubmed.LICENCE
    assert source.meta["mesh"][:2] == ["Computational Biology", "Computer Systems"]
    assert [p.section for p in source.passages] == ["Abstract"]
    # Continuation lines are joined with single spaces.
    assert "The Open Source BioPerl, BioPython and Biojava projects" in source.passages[0].text
    assert source.passages[0].text.endswith("from the point of view of the beginning biologist programmer.")


def test_structured_abstract_is_split_on_its_labels(fixtures: Path) -> None:
    source = load_one(fixtures / "medline_pubmed_result2.txt", "16403221")
    assert [p.section for p in source.passages] == ["BACKGROUND", "RESULTS", "CONCLUSION"]
    assert source.passages[1].text.startswith("We have designed a set of python modules")
    assert "ASTRAL compendium" in source.passages[0].text  # a trailing space before the wrap is not doubled
    assert source.doi == "10.1186/1471-2105-7-10"  # from "AID - ... [doi]"
    assert source.authors == ["Casbon JA", "Crooks GE", "Saqi MA"]
    assert source.meta["publication_types"] == ["Evaluation Studies", "Journal Article"]
    assert "Information Storage and Retrieval" in source.meta["mesh"]  # "…/*methods" qualifier dropped
    assert source.kind == EvidenceLevel.OTHER


def test_every_record_of_a_multi_record_file(fixtures: Path) -> None:
    sources = list(medline.load(fixtures / "medline_pubmed_result2.txt"))
    assert [s.pmid for s in sources] == ["16403221", "16377612", "14871861", "14630660"]
    diagram = sources[1]
    assert [p.section for p in diagram.passages] == ["SUMMARY", "AVAILABILITY", "SUPPLEMENTARY INFORMATION"]
    # "Comparative Study" is an observational publication type, even on a software paper.
    assert sources[2].kind == EvidenceLevel.OBSERVATIONAL


def test_lid_doi_and_wrapped_mesh_heading(fixtures: Path) -> None:
    (source,) = medline.load(fixtures / "medline_pubmed_result3.txt")
    assert source.doi == "10.1118/1.4748329"
    assert source.year == 2012
    assert source.publisher == "Medical physics"
    assert [p.section for p in source.passages] == ["PURPOSE", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert source.passages[2].text.startswith("Based on the results of the fast-scanning method")
    # "High-Intensity Focused Ultrasound Ablation/adverse" wraps onto "effects/instrumentation/*methods".
    assert "High-Intensity Focused Ultrasound Ablation" in source.meta["mesh"]


def test_gzipped_file_gives_the_same_sources(fixtures: Path, tmp_path: Path) -> None:
    original = fixtures / "medline_pubmed_result2.txt"
    packed = tmp_path / "medline.txt.gz"
    packed.write_bytes(gzip.compress(original.read_bytes()))
    assert loader_for(packed) is medline
    assert [s.to_record() for s in medline.load(packed)] == [s.to_record() for s in medline.load(original)]


def test_record_matches_the_xml_loaders_shape(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text(RECORD)
    (source,) = medline.load(path)
    assert source.source_id == "pubmed:27797938"
    assert source.title == (
        "Leucocyte telomere length, genetic variants at the TERT gene region and risk of pancreatic cancer."
    )
    assert source.authors == ["Bao Y", "Pancreatic Cancer Cohort Consortium"]
    assert source.doi == "10.1136/gutjnl-2016-312510"
    assert source.year == 2017
    assert source.kind == EvidenceLevel.OBSERVATIONAL
    assert source.meta == {
        "publication_types": ["Journal Article", "Observational Study"],
        "mesh": ["Case-Control Studies", "Telomere Shortening"],
    }
    assert [p.section for p in source.passages] == ["OBJECTIVE", "DESIGN", "RESULTS", "CONCLUSIONS"]
    assert source.passages[3].text == "They were associated."


def test_records_without_blank_line_or_abstract(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text("PMID- 1\nTI  - No abstract here.\nPMID- 2\nTI  - Second.\nAB  - Some text.\n")
    assert [s.pmid for s in medline.load(path)] == ["2"]


@pytest.mark.parametrize(
    ("abstract", "sections"),
    [
        ("Plain text only.", [("Abstract", "Plain text only.")]),
        (
            "BACKGROUND: Why. MATERIALS AND METHODS: How. RESULTS: What.",
            [("BACKGROUND", "Why."), ("MATERIALS AND METHODS", "How."), ("RESULTS", "What.")],
        ),
        (
            "An opening sentence. RESULTS: Found it.",
            [("Abstract", "An opening sentence."), ("RESULTS", "Found it.")],
        ),
        # An uppercase abbreviation inside a sentence is not a label.
        ("Patients with HIV: a cohort. Load fell.", [("Abstract", "Patients with HIV: a cohort. Load fell.")]),
    ],
)
def test_split_sections(abstract: str, sections: list[tuple[str, str]]) -> None:
    assert medline.split_sections(abstract) == sections


def test_latin1_file_is_a_loader_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(RECORD.replace("Bao, Ying", "Müller, Jürgen").encode("latin-1"))
    with pytest.raises(LoaderError, match=r"latin1\.txt.*UTF-8"):
        list(medline.load(path))


def test_text_before_the_first_field_is_a_loader_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("My saved search results\nPMID- 1\nAB  - Text.\n")
    with pytest.raises(LoaderError, match=r"notes\.txt"):
        list(medline.load(path))
