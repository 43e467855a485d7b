"""PubMed XML: real NCBI files, a synthetic baseline for streaming and gzip, and hostile XML."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bedside.library.loaders import loader_for, pubmed
from bedside.library.model import EvidenceLevel, LoaderError
from bedside.library.synthetic import DOCTYPE, FIRST_PMID, write_pubmed_baseline

SHARED = Path(os.environ.get("BEDSIDE_SHARED", Path(__file__).resolve().parents[2] / "shared"))
FIXTURES = SHARED / "data" / "ncbi-fixtures"


@pytest.fixture
def fixtures() -> Path:
    if not FIXTURES.is_dir():
        pytest.skip(f"shared data not found at {FIXTURES} (set BEDSIDE_SHARED)")
    return FIXTURES


def load_one(path: Path, pmid: str):
    return next(s for s in pubmed.load(path) if s.pmid == pmid)


def write_articles(path: Path, articles: str, doctype: str = DOCTYPE) -> Path:
    path.write_text(f'<?xml version="1.0" ?>\n{doctype}\n<PubmedArticleSet>{articles}</PubmedArticleSet>\n')
    return path


def article(pmid: str, abstract: str, extra: str = "") -> str:
    return (
        f"<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article>"
        f"<Journal><Title>Test journal</Title></Journal><ArticleTitle>Title {pmid}</ArticleTitle>"
        f"<Abstract><AbstractText>{abstract}</AbstractText></Abstract>{extra}"
        "</Article></MedlineCitation></PubmedArticle>"
    )


# Real files -------------------------------------------------------------------------------------------


def test_sniff_claims_pubmed_xml_but_not_esearch_pmc_or_medline(fixtures: Path) -> None:
    for name in ["pubmed1.xml", "pubmed2.xml", "pubmed4.xml", "pubmed7.xml"]:
        assert loader_for(fixtures / name) is pubmed, name
    for name in ["esearch1.xml", "esearch2.xml", "efetch_pmc.xml", "medline_pubmed_result1.txt"]:
        assert loader_for(fixtures / name) is not pubmed, name


def test_article_without_abstract_is_not_yielded(fixtures: Path) -> None:
    # pubmed1.xml holds 12091962 (a review with no abstract) and 9997.
    assert [s.pmid for s in pubmed.load(fixtures / "pubmed1.xml")] == ["9997"]


def test_old_citation_metadata_and_doi_from_article_id_list(fixtures: Path) -> None:
    source = load_one(fixtures / "pubmed1.xml", "9997")
    assert source.source_id == "pubmed:9997"
    assert source.title == (
        "Magnetic studies of Chromatium flavocytochrome C552. A mechanism for heme-flavin interaction."
    )
    assert source.authors == ["Strekas TC"]
    assert source.publisher == "Biochimica et biophysica acta"
    assert source.year == 1976
    assert source.doi == "10.1016/0005-2795(76)90109-4"
    assert source.url == "https://pubmed.ncbi.nlm.nih.gov/9997/"
    assert source.origin == {"dataset": "PubMed", "pmid": "9997"}
    assert source.kind == EvidenceLevel.OTHER
    assert "Cytochrome c Group" in source.meta["mesh"]
    assert source.meta["publication_types"] == ["Journal Article"]
    assert [p.section for p in source.passages] == ["Abstract"]
    assert source.passages[0].text.startswith("Electron paramagnetic resonance")
    assert source.licence == pubmed.LICENCE


def test_structured_abstract_and_observational_kind(fixtures: Path) -> None:
    source = load_one(fixtures / "pubmed4.xml", "27797938")
    # Inline <i>TERT</i> markup is flattened into the text.
    assert source.title == (
        "Leucocyte telomere length, genetic variants at the TERT gene region and risk of pancreatic cancer."
    )
    assert source.publisher == "Gut"
    assert source.year == 2017
    assert source.doi == "10.1136/gutjnl-2016-312510"
    assert source.authors[0] == "Bao Y"
    assert [p.section for p in source.passages] == ["OBJECTIVE", "DESIGN", "RESULTS", "CONCLUSIONS"]
    assert "386 pancreatic cancer cases" in source.passages[1].text
    assert [p.passage_id for p in source.passages][:2] == ["pubmed:27797938#0", "pubmed:27797938#1"]
    # Publication type "Observational Study"; the MeSH "Randomized Controlled Trials as Topic" must not
    # promote it to a trial.
    assert "Observational Study" in source.meta["publication_types"]
    assert "Randomized Controlled Trials as Topic" in source.meta["mesh"]
    assert source.kind == EvidenceLevel.OBSERVATIONAL


def test_label_wins_over_nlm_category_and_pubdate_over_article_date(fixtures: Path) -> None:
    source = load_one(fixtures / "pubmed5.xml", "28775130")
    assert source.passages[0].section == "OBJECTIVES"  # Label="OBJECTIVES" NlmCategory="OBJECTIVE"
    assert source.year == 2018  # PubDate 2018 Feb; the electronic ArticleDate is 2017
    assert source.meta["mesh"] == []  # "In-Data-Review": not indexed yet
    assert not any("All rights reserved" in p.text for p in source.passages)  # CopyrightInformation


def test_collective_author_and_own_doi_not_a_reference_doi(fixtures: Path) -> None:
    source = load_one(fixtures / "pubmed7.xml", "29963580")
    assert source.authors[0] == "Guo F"
    assert source.authors[-1] == "Canadian Respiratory Research Network"
    assert source.doi == "10.1117/1.JMI.5.2.026002"
    assert source.title.startswith("Development of a pulmonary imaging biomarker pipeline")


def test_entities_in_title_are_decoded(fixtures: Path) -> None:
    source = load_one(fixtures / "pubmed6.xml", "30108519")
    assert source.title.startswith('A "Blood Relationship" Between the Overlooked Minimum Lactate Equivalent')
    assert source.year == 2018


def test_every_real_file_loads(fixtures: Path) -> None:
    pmids = [s.pmid for f in sorted(fixtures.glob("pubmed*.xml")) for s in pubmed.load(f)]
    assert pmids == ["9997", "11748933", "11700088", "27797938", "28775130", "30108519", "29963580"]


# Evidence level ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("publication_types", "mesh", "level"),
    [
        (["Journal Article"], [], EvidenceLevel.OTHER),
        (["Practice Guideline", "Review"], [], EvidenceLevel.GUIDELINE),
        (["Consensus Development Conference, NIH"], [], EvidenceLevel.GUIDELINE),
        (["Journal Article", "Meta-Analysis", "Review"], [], EvidenceLevel.SYSTEMATIC_REVIEW),
        (["Systematic Review"], ["Randomized Controlled Trials as Topic"], EvidenceLevel.SYSTEMATIC_REVIEW),
        (["Randomized Controlled Trial", "Comparative Study"], [], EvidenceLevel.RCT),
        (["Clinical Trial, Phase III"], [], EvidenceLevel.RCT),
        (["Clinical Trial, Phase I"], [], EvidenceLevel.OTHER),
        (["Journal Article"], ["Humans", "Retrospective Studies"], EvidenceLevel.OBSERVATIONAL),
        (["Comparative Study"], [], EvidenceLevel.OBSERVATIONAL),
        (["Journal Article"], ["Randomized Controlled Trials as Topic"], EvidenceLevel.OTHER),
        (["Case Reports", "Review"], [], EvidenceLevel.REVIEW),
        (["Case Reports"], [], EvidenceLevel.CASE_REPORT),
        (["review"], [], EvidenceLevel.REVIEW),
    ],
)
def test_evidence_level(publication_types: list[str], mesh: list[str], level: EvidenceLevel) -> None:
    assert pubmed.evidence_level(publication_types, mesh) == level


# Synthetic baseline -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("baseline") / "pubmed25n0001.xml.gz"
    return path, write_pubmed_baseline(path, 3000, seed=7)


def test_synthetic_baseline_streams_from_gzip(baseline: tuple[Path, int]) -> None:
    path, with_abstract = baseline
    with gzip.open(path, "rt") as head:
        assert DOCTYPE in head.read(400)  # the DTD URL is declared and must not be fetched
    assert loader_for(path) is pubmed
    sources = list(pubmed.load(path))
    assert len(sources) == with_abstract > 2500
    pmids = [int(s.pmid) for s in sources]
    assert pmids == sorted(set(pmids)) and pmids[-1] < FIRST_PMID + 3000
    assert min(pmids) >= FIRST_PMID  # the DeleteCitation PMIDs below FIRST_PMID are not articles
    assert {s.kind for s in sources} >= {
        EvidenceLevel.GUIDELINE,
        EvidenceLevel.SYSTEMATIC_REVIEW,
        EvidenceLevel.RCT,
        EvidenceLevel.OBSERVATIONAL,
        EvidenceLevel.CASE_REPORT,
        EvidenceLevel.REVIEW,
        EvidenceLevel.OTHER,
    }
    assert all(s.doi and s.year and s.authors and s.publisher for s in sources)
    assert {p.section for s in sources for p in s.passages} == {
        "Abstract",
        "BACKGROUND",
        "METHODS",
        "RESULTS",
        "CONCLUSIONS",
    }


def test_synthetic_baseline_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a.xml", tmp_path / "b.xml"
    write_pubmed_baseline(first, 50, seed=3)
    write_pubmed_baseline(second, 50, seed=3)
    assert first.read_bytes() == second.read_bytes()


def test_memory_stays_flat_while_streaming(baseline: tuple[Path, int]) -> None:
    # In a fresh interpreter, so the peak resident size measures this load alone. Holding the whole
    # tree of this file takes about 50 MB; streaming stays within a few.
    script = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from bedside.library.loaders import pubmed\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "count = sum(1 for _ in pubmed.load(Path(sys.argv[1])))\n"
        "print(count, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n"
    )
    path, with_abstract = baseline
    result = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True)
    count, grown_kib = map(int, result.stdout.split())
    assert count == with_abstract
    assert grown_kib < 10 * 1024


def test_truncated_gzip_is_a_loader_error_naming_the_file(baseline: tuple[Path, int], tmp_path: Path) -> None:
    path, _ = baseline
    truncated = tmp_path / "pubmed25n0002.xml.gz"
    truncated.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(LoaderError, match=r"pubmed25n0002\.xml\.gz"):
        list(pubmed.load(truncated))


def test_malformed_xml_is_a_loader_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text(f"<?xml version='1.0'?>\n<PubmedArticleSet>{article('1', 'Text.')}<PubmedArticle><Medline")
    with pytest.raises(LoaderError, match=r"broken\.xml"):
        list(pubmed.load(path))


def test_external_entity_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-7d1f")
    doctype = DOCTYPE.removesuffix(">") + f' [\n<!ENTITY x SYSTEM "file://{secret}">\n]>'
    path = write_articles(tmp_path / "xxe.xml", article("1", "Before &x; after."), doctype)
    try:
        sources = list(pubmed.load(path))
    except LoaderError:
        return
    assert "TOP-SECRET" not in repr([s.to_record() for s in sources])


def test_entity_bomb_is_not_expanded(tmp_path: Path) -> None:
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    doctype = "<!DOCTYPE PubmedArticleSet [\n" + "\n".join(entities) + "\n]>"
    path = write_articles(tmp_path / "bomb.xml", article("1", "Laugh: &lol9;"), doctype)
    started = time.monotonic()
    try:
        sources = list(pubmed.load(path))
    except LoaderError:
        sources = []
    assert time.monotonic() - started < 5
    assert "lollollol" not in repr([s.to_record() for s in sources])


def test_book_article_loads_with_its_publisher(tmp_path: Path) -> None:
    book = (
        "<PubmedBookArticle><BookDocument><PMID Version='1'>20301295</PMID>"
        "<ArticleIdList><ArticleId IdType='bookaccession'>NBK1116</ArticleId></ArticleIdList>"
        "<Book><Publisher><PublisherName>University of Washington, Seattle</PublisherName></Publisher>"
        "<BookTitle book='gene'>GeneReviews<sup>®</sup></BookTitle><PubDate><Year>1993</Year></PubDate>"
        "<AuthorList Type='editors'><Author><LastName>Adam</LastName><Initials>MP</Initials></Author>"
        "</AuthorList></Book>"
        "<ArticleTitle book='gene' part='a1atd'>Alpha-1 Antitrypsin Deficiency</ArticleTitle>"
        "<AuthorList Type='authors'><Author><LastName>Stoller</LastName><Initials>JK</Initials></Author>"
        "</AuthorList><PublicationType UI='D016454'>Review</PublicationType>"
        "<Abstract><AbstractText Label='CLINICAL CHARACTERISTICS'>AATD can present with COPD.</AbstractText>"
        "</Abstract></BookDocument><PubmedBookData><ArticleIdList>"
        "<ArticleId IdType='pubmed'>20301295</ArticleId></ArticleIdList></PubmedBookData></PubmedBookArticle>"
    )
    path = write_articles(tmp_path / "books.xml", book + article("2", "Journal text."))
    first, second = pubmed.load(path)
    assert first.source_id == "pubmed:20301295"
    assert first.title == "Alpha-1 Antitrypsin Deficiency"
    assert first.publisher == "University of Washington, Seattle"
    assert first.authors == ["Stoller JK"]  # chapter authors, not the book's editors
    assert first.year == 1993
    assert first.kind == EvidenceLevel.REVIEW
    assert first.passages[0].section == "CLINICAL CHARACTERISTICS"
    assert second.pmid == "2"


def test_year_from_medline_date_and_vernacular_title(tmp_path: Path) -> None:
    extra = "<VernacularTitle>Titre original</VernacularTitle>"
    body = article("5", "Texte.", extra).replace("<ArticleTitle>Title 5</ArticleTitle>", "<ArticleTitle/>")
    body = body.replace(
        "<Journal><Title>",
        "<Journal><JournalIssue><PubDate><MedlineDate>1998 Dec-1999 Jan</MedlineDate></PubDate></JournalIssue><Title>",
    )
    source = next(pubmed.load(write_articles(tmp_path / "v.xml", body)))
    assert source.title == "Titre original"
    assert source.year == 1998
