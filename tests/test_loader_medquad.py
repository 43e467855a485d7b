from pathlib import Path

import pytest

from bedside.library.loaders import loader_for, medquad
from bedside.library.model import EvidenceLevel, LoaderError


def test_a_medquad_document_becomes_one_source_with_a_passage_per_answered_pair(shared_data):
    path = shared_data / "medquad/6_NINDS_QA/0000001.xml"
    assert loader_for(path) is medquad
    [source] = medquad.load(path)
    assert source.title == "Absence of the Septum Pellucidum"
    assert source.kind is EvidenceLevel.CONSUMER_HEALTH
    assert source.origin == {"dataset": "MedQuAD", "source": "NINDS", "document_id": "0000001"}
    assert source.url.startswith("http://www.ninds.nih.gov/")
    assert "CC BY 4.0" in source.licence
    first = source.passages[0]
    assert first.origin == {"qa_pair": "1"}
    assert first.meta["qtype"] == "information"
    assert first.meta["question"] == "What is (are) Absence of the Septum Pellucidum ?"
    assert first.meta["cuis"] == ["C0431371"]
    assert first.text.startswith("The septum pellucidum (SP) is a thin membrane")
    assert [p.passage_id for p in source.passages] == [
        f"medquad:NINDS:0000001#{i}" for i in range(len(source.passages))
    ]


def test_synonyms_are_kept_for_lay_and_clinical_names(shared_data):
    sources = [s for f in sorted((shared_data / "medquad/3_GHR_QA").glob("*.xml"))[:200] for s in medquad.load(f)]
    with_synonyms = [s for s in sources if s.meta["synonyms"]]
    assert with_synonyms, "GHR documents list focus synonyms"
    assert all(p.meta["synonyms"] == s.meta["synonyms"] for s in with_synonyms for p in s.passages)


def test_a_document_id_reused_across_files_gives_distinct_sources(shared_data):
    folder = shared_data / "medquad/1_CancerGov_QA"
    ids = {s.source_id for f in folder.glob("0000013_2*.xml") for s in medquad.load(f)}
    assert len(ids) == len(list(folder.glob("0000013_2*.xml")))


def test_questions_without_answers_are_left_out(tmp_path: Path):
    path = tmp_path / "0000009.xml"
    path.write_text(
        '<?xml version="1.0"?><Document id="0000009" source="NINDS" url="http://x"><Focus>Thing</Focus>'
        '<QAPairs><QAPair pid="1"><Question qid="1" qtype="information">What is Thing?</Question><Answer/>'
        "</QAPair></QAPairs></Document>"
    )
    assert list(medquad.load(path)) == []


def test_malformed_medquad_is_a_loader_error_naming_the_file(tmp_path: Path):
    path = tmp_path / "broken.xml"
    path.write_text('<Document id="1" source="NINDS"><Focus>x</Focus><QAPairs><QAPair pid="1">')
    with pytest.raises(LoaderError, match=r"broken\.xml"):
        list(medquad.load(path))


def test_the_older_upstream_schema_is_read_too(shared_data):
    # Five upstream files use <doc docid corpus>, <doctitle-focus> and <pair> instead.
    path = shared_data / "medquad/6_NINDS_QA/0000007.xml"
    assert loader_for(path) is medquad
    [source] = medquad.load(path)
    assert source.title == "Holmes-Adie"
    assert source.origin == {"dataset": "MedQuAD", "source": "NINDS", "document_id": "0000007"}
    assert source.passages[1].meta["qtype"] == "treatment"
    assert "pilocarpine drops" in source.passages[1].text
