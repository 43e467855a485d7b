"""`bedside search` on the bundled starter library: the Passage-hit contract, batch form, bad queries."""

from __future__ import annotations

import json

import pytest

HIT_KEYS = {"passage_id", "source_id", "title", "section", "text", "score", "kind", "year", "url", "origin"}
KINDS = {
    "guideline",
    "systematic_review",
    "rct",
    "observational",
    "case_report",
    "drug_label",
    "textbook",
    "consumer_health",
    "review",
    "other",
}


def search_json(bedside, query: str, *options: str) -> list[dict]:
    result = bedside("search", query, "--json", *options)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["query"] == query
    return payload["results"]


def test_crps_treatment_finds_medquad_answers_with_their_full_origin(use_starter_home, bedside):
    hits = search_json(bedside, "complex regional pain syndrome treatment")
    assert len(hits) == 10
    assert all(set(h) == HIT_KEYS and h["kind"] in KINDS for h in hits)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    medquad = [h for h in hits if h["origin"].get("dataset") == "MedQuAD"]
    assert medquad, hits
    assert all(set(h["origin"]) == {"dataset", "source", "document_id", "qa_pair"} for h in medquad)
    assert any("complex regional pain syndrome" in h["title"].lower() for h in medquad)


def test_a_pubmedqa_abstract_is_found_by_its_own_question(use_starter_home, bedside):
    question = "Do mitochondria play a role in remodelling lace plant leaves during programmed cell death?"
    hits = search_json(bedside, question, "-k", "3")
    assert hits[0]["origin"] == {"dataset": "PubMed", "pmid": "21645374"}
    assert hits[0]["url"] == "https://pubmed.ncbi.nlm.nih.gov/21645374/"


def test_pregabalin_indications_come_from_a_drug_label(use_starter_home, bedside):
    hits = search_json(bedside, "pregabalin indications", "-k", "5")
    labels = [h for h in hits if h["kind"] == "drug_label"]
    assert labels and "pregabalin" in labels[0]["text"].lower()


def test_terminal_output_lists_titles_and_kinds(use_starter_home, bedside):
    result = bedside("search", "lipitor dosage", "-k", "3")
    assert result.exit_code == 0
    assert "1. " in result.stdout and "drug_label" in result.stdout


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced quote',
        "title:(aspirin OR",
        "NOT AND OR",
        "asp*rin?~2",
        "a" * 100_000,
        "¿Qué es la diabetes?",
        "糖尿病とは",
        "heart -attack +stroke [2020 TO 2021] ^3 \\",
    ],
)
def test_query_syntax_and_huge_or_foreign_queries_do_not_break_search(use_starter_home, bedside, query):
    result = bedside("search", query, "--json", "-k", "3")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert isinstance(json.loads(result.stdout)["results"], list)


@pytest.mark.parametrize("query", ["", "   ", "?!.,;:()", "(((("])
def test_empty_or_wordless_queries_exit_2_with_a_reason(use_starter_home, bedside, query):
    result = bedside("search", query)
    assert result.exit_code == 2
    assert "error:" in result.stderr and "query" in result.stderr
    assert result.stdout == ""


def test_batch_answers_every_line_in_order_and_reports_bad_lines(use_starter_home, bedside, tmp_path):
    batch = tmp_path / "queries.jsonl"
    batch.write_text(
        json.dumps({"id": "a", "query": "hypertension treatment"})
        + "\n"
        + "this is not json\n"
        + json.dumps({"id": 7, "query": ""})
        + "\n"
        + json.dumps({"id": "no-query"})
        + "\n"
        + json.dumps({"id": "b", "query": "glaucoma symptoms"})
        + "\n"
    )
    result = bedside("search", "--batch", str(batch), "-k", "2", "--json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line.get("id") for line in lines] == ["a", None, 7, "no-query", "b"]
    assert len(lines[0]["results"]) == 2 and len(lines[4]["results"]) == 2
    assert "not JSON" in lines[1]["error"]
    assert "empty" in lines[2]["error"]
    assert '"query"' in lines[3]["error"]


def test_a_missing_batch_file_exits_2(use_starter_home, bedside, tmp_path):
    result = bedside("search", "--batch", str(tmp_path / "nope.jsonl"))
    assert result.exit_code == 2
    assert "nope.jsonl" in result.stderr
