"""PubMed XML as NCBI publishes it: the annual baseline and daily update files, and efetch output.

One source per citation that has an abstract, one passage per abstract section. The evidence level comes
from NLM's indexing (publication types and study-design MeSH headings): indexers read the full article,
so their labels are better evidence of the design than anything we could guess from the abstract.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from lxml import etree

from bedside.library.loaders._files import iter_xml, text_of
from bedside.library.model import EVIDENCE_RANK, EvidenceLevel, Passage, Source

NAME = "pubmed"
LICENCE = "Abstract text belongs to its publisher; metadata from NLM PubMed"

_LEVEL_OF_PUBLICATION_TYPE: dict[str, EvidenceLevel] = {
    "practice guideline": EvidenceLevel.GUIDELINE,
    "guideline": EvidenceLevel.GUIDELINE,
    "consensus development conference": EvidenceLevel.GUIDELINE,
    "consensus development conference, nih": EvidenceLevel.GUIDELINE,
    "systematic review": EvidenceLevel.SYSTEMATIC_REVIEW,
    "meta-analysis": EvidenceLevel.SYSTEMATIC_REVIEW,
    "network meta-analysis": EvidenceLevel.SYSTEMATIC_REVIEW,
    "randomized controlled trial": EvidenceLevel.RCT,
    "randomized controlled trial, veterinary": EvidenceLevel.RCT,
    "controlled clinical trial": EvidenceLevel.RCT,
    "pragmatic clinical trial": EvidenceLevel.RCT,
    "equivalence trial": EvidenceLevel.RCT,
    # Phase III is the confirmatory, nearly always randomised stage; phases I, II and IV often are not.
    "clinical trial, phase iii": EvidenceLevel.RCT,
    "observational study": EvidenceLevel.OBSERVATIONAL,
    "observational study, veterinary": EvidenceLevel.OBSERVATIONAL,
    "comparative study": EvidenceLevel.OBSERVATIONAL,
    "twin study": EvidenceLevel.OBSERVATIONAL,
    "case reports": EvidenceLevel.CASE_REPORT,
    "review": EvidenceLevel.REVIEW,
    "scoping review": EvidenceLevel.REVIEW,
}

# Study-design headings describe the article's own design. The "... as Topic" headings (e.g. "Randomized
# Controlled Trials as Topic") only say what an article is about, so they are deliberately absent.
_OBSERVATIONAL_MESH = {
    "cohort studies",
    "case-control studies",
    "cross-sectional studies",
    "prospective studies",
    "retrospective studies",
    "follow-up studies",
    "longitudinal studies",
}


def strongest(levels: Iterable[EvidenceLevel | None]) -> EvidenceLevel:
    """The highest-ranked of the levels found, or OTHER when none was."""
    found = [level for level in levels if level is not None]
    return max(found, key=EVIDENCE_RANK.__getitem__, default=EvidenceLevel.OTHER)


def evidence_level(publication_types: Iterable[str], mesh: Iterable[str]) -> EvidenceLevel:
    """The evidence level NLM's indexing implies; the strongest wins when several apply."""
    levels = [_LEVEL_OF_PUBLICATION_TYPE.get(kind.casefold()) for kind in publication_types]
    if any(heading.casefold() in _OBSERVATIONAL_MESH for heading in mesh):
        levels.append(EvidenceLevel.OBSERVATIONAL)
    return strongest(levels)


def first_year(text: str) -> int | None:
    """The first four-digit year in a date such as "2001 Jun", "1998 Dec-1999 Jan" or "Winter 2000"."""
    match = re.search(r"\b(\d{4})\b", text)
    return int(match[1]) if match else None


def pubmed_url(pmid: str) -> str:
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def article_source(
    pmid: str,
    title: str,
    sections: list[tuple[str, str]],
    *,
    kind: EvidenceLevel,
    meta: dict,
    year: int | None = None,
    authors: list[str] | None = None,
    publisher: str = "",
    doi: str = "",
    licence: str = LICENCE,
) -> Source:
    """A PubMed article as a Source, one passage per (section, text); shared by every PubMed format
    so the same article read from two formats gets the same id and shape."""
    source = Source(
        source_id=f"pubmed:{pmid}",
        title=title or f"PubMed {pmid}",
        kind=kind,
        passages=[Passage(text=text, section=section) for section, text in sections],
        year=year,
        url=pubmed_url(pmid),
        authors=authors or [],
        publisher=publisher,
        pmid=pmid,
        doi=doi,
        licence=licence,
        origin={"dataset": "PubMed", "pmid": pmid},
        meta=meta,
    )
    return source.finalise()


def sniff(path: Path, head: bytes) -> bool:
    # esearch results and PMC article sets come from the same E-utilities but hold no PubMed citations.
    if b"eSearchResult" in head or b"pmc-articleset" in head:
        return False
    return b"PubmedArticleSet" in head


def load(path: Path) -> Iterator[Source]:
    # DeleteCitation blocks in update files are never matched, so deleted PMIDs are simply ignored.
    for element in iter_xml(path, ("PubmedArticle", "PubmedBookArticle")):
        source = _source(element)
        if source is not None and source.passages:
            yield source


def _source(element: etree._Element) -> Source | None:
    if element.tag == "PubmedBookArticle":
        citation = article = element.find("BookDocument")
        ids = element.find("PubmedBookData/ArticleIdList")
    else:
        citation = element.find("MedlineCitation")
        article = element.find("MedlineCitation/Article")
        ids = element.find("PubmedData/ArticleIdList")
    if citation is None or article is None:
        return None
    pmid = text_of(citation.find("PMID"))
    if not pmid:
        return None
    publication_types = [text_of(kind) for kind in article.iter("PublicationType")]
    mesh = [text_of(name) for name in citation.findall("MeshHeadingList/MeshHeading/DescriptorName")]
    return article_source(
        pmid,
        _first_text(article, "ArticleTitle", "VernacularTitle", "Book/BookTitle"),
        [_section(text) for text in article.findall("Abstract/AbstractText")],
        kind=evidence_level(publication_types, mesh),
        meta={"publication_types": publication_types, "mesh": mesh},
        year=first_year(
            _first_text(
                article,
                "Journal/JournalIssue/PubDate/Year",
                "Journal/JournalIssue/PubDate/MedlineDate",
                "Book/PubDate/Year",
                "ArticleDate/Year",
            )
        ),
        authors=_authors(article.find("AuthorList")),
        publisher=_first_text(article, "Journal/Title", "Book/Publisher/PublisherName"),
        doi=_doi(article, ids),
    )


def _first_text(element: etree._Element, *paths: str) -> str:
    """The text of the first of these paths that has any."""
    for path in paths:
        text = text_of(element.find(path))
        if text:
            return text
    return ""


def _section(abstract_text: etree._Element) -> tuple[str, str]:
    section = abstract_text.get("Label") or abstract_text.get("NlmCategory") or "Abstract"
    return section, text_of(abstract_text)


def _authors(author_list: etree._Element | None) -> list[str]:
    """ "Last FM" per author, as PubMed cites them; group authors by their collective name."""
    if author_list is None:
        return []
    names = []
    for author in author_list.findall("Author"):
        if author.get("ValidYN") == "N":
            continue  # a misspelt name NLM keeps only to record its correction
        collective = text_of(author.find("CollectiveName"))
        personal = " ".join(filter(None, [text_of(author.find("LastName")), text_of(author.find("Initials"))]))
        if collective or personal:
            names.append(collective or personal)
    return names


def _doi(article: etree._Element, ids: etree._Element | None) -> str:
    for location in article.findall("ELocationID[@EIdType='doi']"):
        if location.get("ValidYN") != "N":
            return text_of(location)
    # Only the article's own id list: the reference list nests ArticleIdLists of the cited works.
    return text_of(ids.find("ArticleId[@IdType='doi']")) if ids is not None else ""
