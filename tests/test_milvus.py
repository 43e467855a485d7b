"""The Milvus backend on Milvus Lite: parity with the local backend on a small library, reuse of the
local vectors, incremental refresh, the command line, and clear errors when Milvus is not there."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

from bedside.config import Settings
from bedside.core import Bedside
from bedside.search.backend import SearchUnavailable
from bedside.search.milvus import MilvusSearcher

N_FILES = 40


@pytest.fixture(scope="module")
def library(tmp_path_factory, shared_data) -> dict:
    """40 MedQuAD NINDS documents ingested with the local backend, and the same library in Milvus Lite."""
    root = tmp_path_factory.mktemp("milvus")
    folder = root / "in"
    folder.mkdir()
    files = sorted((shared_data / "medquad/6_NINDS_QA").glob("*.xml"))[:N_FILES]
    for f in files:
        shutil.copy(f, folder / f.name)
    settings = Settings.from_env({"BEDSIDE_HOME": str(root / "home"), "BEDSIDE_STARTER": "off"})
    local = Bedside.open(settings)
    from bedside.library.ingest import ingest

    report = ingest(local.store, [folder])
    assert report.added == N_FILES and not report.errors
    local.searcher.refresh()
    milvus = MilvusSearcher(local.store, settings.index_dir, [], str(root / "milvus.db"))
    milvus.refresh()
    return {"root": root, "folder": folder, "local": local, "milvus": milvus, "settings": settings}


def focus_queries(local: Bedside, n: int = 12) -> list[str]:
    titles = sorted({s.title for s in local.store.iter_sources()})
    return [f"What is the treatment for {t}?" for t in titles[:n]] + [
        "complex regional pain syndrome treatment",
        "is there a cure for ALS",
        "stroke rehabilitation",
    ]


def top_sources(hits: list[dict], n: int = 3) -> list[str]:
    return list(dict.fromkeys(h["source_id"] for h in hits))[:n]


def test_the_collection_reuses_the_local_vectors_and_embeds_nothing(library):
    sync = library["milvus"].last_sync
    assert sync["passages"] == library["local"].store.counts()["passages"]
    assert sync["embedded"] == 0


def test_milvus_finds_the_same_top_sources_as_the_local_backend(library):
    local, milvus = library["local"], library["milvus"]
    queries = focus_queries(local)
    same_first, overlaps = 0, []
    for query in queries:
        a, b = top_sources(local.searcher.search(query, 10)), top_sources(milvus.search(query, 10))
        same_first += a[0] == b[0]
        overlaps.append(len(set(a) & set(b)) / 3)
    assert same_first >= 0.9 * len(queries), (same_first, len(queries))
    assert sum(overlaps) / len(overlaps) >= 0.75, overlaps


def test_hits_have_the_local_shape_and_priors_and_similarity_matches(library):
    local, milvus = library["local"], library["milvus"]
    hits = milvus.search("complex regional pain syndrome treatment", 5)
    reference = local.searcher.search("complex regional pain syndrome treatment", 5)
    assert set(hits[0]) == set(reference[0])
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    ids = [h["passage_id"] for h in hits]
    assert milvus.similarity("nerve pain", ids) == pytest.approx(local.searcher.similarity("nerve pain", ids), abs=1e-5)
    assert milvus.search("ALS", 3, method="bm25") and milvus.search("ALS", 3, method="dense")


def test_refresh_adds_changes_and_removes_only_what_changed(library):
    local, milvus, folder = library["local"], library["milvus"], library["folder"]
    from bedside.library.ingest import ingest

    path = sorted(folder.glob("*.xml"))[0]
    path.write_text(path.read_text().replace("</Answer>", " Zorbatrexil is a fictional word here.</Answer>", 1))
    assert ingest(local.store, [folder]).updated == 1
    assert milvus.is_stale()
    milvus.refresh()
    assert 1 <= milvus.last_sync["embedded"] <= 4  # the changed passage's views, not the library
    assert not milvus.is_stale()
    hits = milvus.search("zorbatrexil", 3)
    assert "Zorbatrexil" in hits[0]["text"]


def test_the_command_line_searches_through_milvus(library, bedside, monkeypatch):
    settings = library["settings"]
    monkeypatch.setenv("BEDSIDE_HOME", str(settings.home))
    monkeypatch.setenv("BEDSIDE_STARTER", "off")
    monkeypatch.setenv("BEDSIDE_SEARCH", "milvus")
    monkeypatch.setenv("BEDSIDE_MILVUS_URI", str(library["root"] / "cli-milvus.db"))
    monkeypatch.delenv("BEDSIDE_DATABASE_URL", raising=False)
    result = bedside("search", "stroke rehabilitation", "--json", "-k", "3")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)["results"]
    assert len(hits) == 3 and hits[0]["origin"]["dataset"] == "MedQuAD"
    assert top_sources(hits, 1) == top_sources(library["local"].searcher.search("stroke rehabilitation", 3), 1)


def test_an_unreachable_milvus_is_a_clear_error_naming_the_uri(home, bedside, monkeypatch):
    monkeypatch.setenv("BEDSIDE_SEARCH", "milvus")
    monkeypatch.setenv("BEDSIDE_MILVUS_URI", "http://127.0.0.1:1")  # nothing listens on port 1
    result = bedside("search", "asthma")
    assert result.exit_code == 2
    assert "http://127.0.0.1:1" in result.stderr and "Traceback" not in result.output


def test_a_milvus_failure_during_a_search_is_search_unavailable(library, tmp_path):
    local = library["local"]
    other = MilvusSearcher(local.store, library["settings"].index_dir, [], str(tmp_path / "gone.db"))
    other.refresh()
    other.client.drop_collection(other.collection)  # the engine loses the collection under us
    with pytest.raises(SearchUnavailable) as caught:
        other.search("stroke rehabilitation", 3)
    assert str(tmp_path / "gone.db") in str(caught.value)


def test_a_lite_uri_must_be_a_db_file(library, tmp_path):
    with pytest.raises(SearchUnavailable, match=r"\.db"):
        MilvusSearcher(library["local"].store, Path(tmp_path), [], str(tmp_path / "milvus"))
