"""PubMedQA's ori_pqal.json: the real file, design words, and malformed input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bedside.library.loaders import loader_for, pubmedqa
from bedside.library.model import EvidenceLevel, LoaderError

SHARED = Path(os.environ.get("BEDSIDE_SHARED", Path(__file__).resolve().parents[2] / "shared"))
PQAL = SHARED / "data" / "pubmedqa" / "ori_pqal.json"

RECORD = {
    "QUESTION": "Does early mobilisation shorten hospital stay?",
    "CONTEXTS": ["Stays are long.", "We randomly assigned 200 adults in a randomized controlled trial."],
    "LABELS": ["BACKGROUND", "METHODS"],
    "MESHES": ["Humans", "Early Ambulation"],
    "YEAR": "2015",
    "reasoning_required_pred": "yes",
    "reasoning_free_pred": "yes",
    "final_decision": "yes",
    "LONG_ANSWER": "Early mobilisation shortened stays.",
}


@pytest.fixture(scope="module")
def sources() -> dict:
    if not PQAL.is_file():
        pytest.skip(f"shared data not found at {PQAL} (set BEDSIDE_SHARED)")
    return {s.pmid: s for s in pubmedqa.load(PQAL)}


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, indent=4))
    return path


def test_real_file_is_sniffed_and_every_record_loads(sources: dict) -> None:
    assert loader_for(PQAL) is pubmedqa
    assert len(sources) == 1000


def test_first_record(sources: dict) -> None:
    source = sources["21645374"]
    assert source.source_id == "pubmed:21645374"  # the same id the PubMed XML loader gives this article
    assert source.title == "Do mitochondria play a role in remodelling lace plant leaves during programmed cell death?"
    assert source.year == 2011
    assert source.url == "https://pubmed.ncbi.nlm.nih.gov/21645374/"
    assert source.origin == {"dataset": "PubMed", "pmid": "21645374"}
    assert source.licence == pubmedqa.LICENCE
    assert source.meta == {
        "mesh": ["Alismataceae", "Apoptosis", "Cell Differentiation", "Mitochondria", "Plant Leaves"],
        "pubmedqa_decision": "yes",
    }
    assert [p.section for p in source.passages] == ["BACKGROUND", "RESULTS", "CONCLUSIONS"]
    assert source.passages[0].text.startswith("Programmed cell death (PCD) is the regulated death of cells")
    assert source.passages[-1].text.startswith("Results depicted mitochondrial dynamics in vivo")
    assert source.kind == EvidenceLevel.OTHER


def test_kind_from_design_mesh_and_from_methods_words(sources: dict) -> None:
    assert sources["26037986"].kind == EvidenceLevel.OBSERVATIONAL  # MeSH "Retrospective Studies"
    # DESIGN section: "Randomized controlled trial."; its MeSH holds no design heading.
    assert sources["27592038"].kind == EvidenceLevel.RCT


def test_missing_year_is_none(sources: dict) -> None:
    assert sources["25957366"].year is None


@pytest.mark.parametrize(
    ("methods", "level"),
    [
        ("Patients were randomized in a double-blind trial.", EvidenceLevel.RCT),
        ("A systematic review and meta-analysis of 12 trials.", EvidenceLevel.SYSTEMATIC_REVIEW),
        ("We retrospectively reviewed charts in a retrospective cohort.", EvidenceLevel.OBSERVATIONAL),
        ("A cross-sectional survey of nurses.", EvidenceLevel.OBSERVATIONAL),
        ("Mice were randomized to diets. Later a trial of drug B began.", EvidenceLevel.OTHER),
        ("Cells were cultured.", EvidenceLevel.OTHER),
    ],
)
def test_design_in_methods(methods: str, level: EvidenceLevel) -> None:
    assert pubmedqa.design_in_methods(["Background.", methods], ["BACKGROUND", "METHODS"]) == level


def test_design_words_in_background_do_not_count() -> None:
    contexts = ["Earlier meta-analyses of randomized trials disagree.", "We measured blood pressure."]
    assert pubmedqa.design_in_methods(contexts, ["BACKGROUND", "METHODS"]) == EvidenceLevel.OTHER


def test_synthetic_record(tmp_path: Path) -> None:
    (source,) = pubmedqa.load(write_json(tmp_path / "pqal.json", {"123": RECORD}))
    assert source.kind == EvidenceLevel.RCT
    assert [(p.section, p.text) for p in source.passages] == [
        ("BACKGROUND", "Stays are long."),
        ("METHODS", "We randomly assigned 200 adults in a randomized controlled trial."),
        ("CONCLUSIONS", "Early mobilisation shortened stays."),
    ]


def test_sniff_needs_json_name_and_pubmedqa_shape(tmp_path: Path) -> None:
    data = {"123": RECORD}
    assert pubmedqa.sniff(tmp_path / "a.json", json.dumps(data).encode())
    assert not pubmedqa.sniff(tmp_path / "a.txt", json.dumps(data).encode())
    assert not pubmedqa.sniff(tmp_path / "a.json", json.dumps({"items": [RECORD]}).encode())


def test_malformed_json_is_a_loader_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text(json.dumps({"123": RECORD})[:-20])
    with pytest.raises(LoaderError, match=r"broken\.json.*malformed JSON"):
        list(pubmedqa.load(path))


@pytest.mark.parametrize(
    "data",
    [
        [RECORD],
        {"123": "not a record"},
        {"not-a-pmid": RECORD},
        {"123": {**RECORD, "CONTEXTS": "one string, not a list"}},
        {"123": {k: v for k, v in RECORD.items() if k != "QUESTION"}},
    ],
)
def test_wrong_shape_is_a_loader_error(tmp_path: Path, data: object) -> None:
    path = write_json(tmp_path / "shape.json", data)
    with pytest.raises(LoaderError, match=r"shape\.json"):
        list(pubmedqa.load(path))


def test_wrong_encoding_is_a_loader_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    record = {**RECORD, "QUESTION": "Does café au lait spotting predict neurofibromatosis?"}
    path.write_bytes(json.dumps({"123": record}, ensure_ascii=False).encode("latin-1"))
    with pytest.raises(LoaderError, match=r"latin1\.json.*UTF-8"):
        list(pubmedqa.load(path))
