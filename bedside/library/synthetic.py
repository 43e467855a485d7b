"""A synthetic PubMed baseline file: NCBI's structure with invented, varied content.

Used by the loader tests (streaming, gzip) and by ``benchmarks/make_synthetic_pubmed.py`` to build
baseline-sized inputs without downloading one. The output is deterministic for a given seed.
"""

from __future__ import annotations

import gzip
import random
from pathlib import Path
from typing import NamedTuple, TextIO
from xml.sax.saxutils import escape

DOCTYPE = (
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">'
)
FIRST_PMID = 30_000_000

CONDITIONS = [
    ("type 2 diabetes", "Diabetes Mellitus, Type 2"),
    ("heart failure", "Heart Failure"),
    ("community-acquired pneumonia", "Pneumonia"),
    ("atrial fibrillation", "Atrial Fibrillation"),
    ("major depressive disorder", "Depressive Disorder, Major"),
    ("chronic kidney disease", "Renal Insufficiency, Chronic"),
    ("sepsis", "Sepsis"),
    ("asthma", "Asthma"),
    ("hypertension", "Hypertension"),
    ("osteoarthritis of the knee", "Osteoarthritis, Knee"),
]
INTERVENTIONS = [
    ("metformin", "Metformin"),
    ("empagliflozin", "Empagliflozin"),
    ("early mobilisation", "Early Ambulation"),
    ("apixaban", "Apixaban"),
    ("cognitive behavioural therapy", "Cognitive Behavioral Therapy"),
    ("inhaled corticosteroids", "Adrenal Cortex Hormones"),
    ("procalcitonin-guided antibiotic therapy", "Procalcitonin"),
    ("a nurse-led telemonitoring programme", "Telemedicine"),
]
OUTCOMES = [
    "all-cause mortality",
    "hospital readmission",
    "prolonged hospital stay",
    "major bleeding",
    "treatment failure",
    "symptom relapse",
    "cardiovascular events",
]
POPULATIONS = [
    "adults",
    "older adults",
    "children",
    "outpatients",
    "hospitalised patients",
    "women of reproductive age",
]
JOURNALS = [
    ("The New England journal of medicine", "N Engl J Med", "nejm"),
    ("Lancet (London, England)", "Lancet", "lancet"),
    ("BMJ (Clinical research ed.)", "BMJ", "bmj"),
    ("JAMA", "JAMA", "jama"),
    ("Annals of internal medicine", "Ann Intern Med", "aim"),
    ("PloS one", "PLoS One", "pone"),
    ("Cochrane database of systematic reviews", "Cochrane Database Syst Rev", "cdsr"),
]
SURNAMES = [
    "Smith",
    "García",
    "Nguyen",
    "Okafor",
    "Müller",
    "Rossi",
    "Kowalski",
    "Tanaka",
    "Haddad",
    "Johansson",
    "O'Brien",
    "Van der Berg",
    "Chen",
    "Patel",
    "Dubois",
]
FORENAMES = ["Anna", "James R", "Li", "Chidi", "Maria J", "Sven", "Aiko", "Omar", "Priya", "Jean-Luc"]
COLLECTIVES = ["ACCORD Study Group", "Global Burden of Disease Collaborators", "PROTECT Investigators"]
GENES = ["CYP2C19", "APOE", "SLCO1B1", "TERT", "HLA-B"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


class Design(NamedTuple):
    publication_types: list[str]
    mesh: list[str]  # the design headings NLM indexers add
    methods: str  # how the authors describe it


DESIGNS = {
    "rct": Design(
        ["Journal Article", "Randomized Controlled Trial", "Multicenter Study"],
        ["Humans", "Double-Blind Method"],
        "In this multicentre, double-blind trial, we randomly assigned {n} {population} with {condition} "
        "to {intervention} or placebo.",
    ),
    "cohort": Design(
        ["Journal Article", "Observational Study"],
        ["Humans", "Cohort Studies", "Retrospective Studies"],
        "We conducted a retrospective cohort study of {n} {population} with {condition} using linked registry data.",
    ),
    "meta": Design(
        ["Journal Article", "Systematic Review", "Meta-Analysis"],
        ["Humans"],
        "We searched MEDLINE, Embase and CENTRAL for randomised trials of {intervention} in {population} "
        "with {condition} and pooled {k} trials ({n} participants) with random effects.",
    ),
    "guideline": Design(
        ["Practice Guideline", "Journal Article"],
        ["Humans"],
        "A multidisciplinary panel graded the evidence on {intervention} for {condition} using GRADE.",
    ),
    "case": Design(
        ["Case Reports", "Journal Article"],
        ["Humans"],
        "We report a case of {condition} treated with {intervention}.",
    ),
    "review": Design(
        ["Journal Article", "Review"],
        ["Humans"],
        "We review the evidence on {intervention} in {population} with {condition}.",
    ),
    "lab": Design(
        ["Journal Article", "Research Support, Non-U.S. Gov't"],
        ["Animals", "Disease Models, Animal"],
        "We studied the effect of {intervention} in a mouse model of {condition}.",
    ),
}


def write_pubmed_baseline(path: Path, articles: int, seed: int = 0) -> int:
    """Write ``articles`` citations as a PubMed baseline file (gzip when the name ends in .gz).

    Returns how many of them have an abstract: the loader yields exactly those.
    """
    rng = random.Random(seed)
    with_abstract = 0
    with _open(path) as out:
        out.write(f'<?xml version="1.0" ?>\n{DOCTYPE}\n<PubmedArticleSet>\n')
        for offset in range(articles):
            has_abstract = rng.random() > 0.1  # letters, comments and old citations have none
            with_abstract += has_abstract
            out.write(_article(rng, FIRST_PMID + offset, has_abstract))
        # Update files end by listing withdrawn citations; the loader must not read them as articles.
        deleted = "".join(f'<PMID Version="1">{FIRST_PMID - n}</PMID>' for n in range(1, 6))
        out.write(f"<DeleteCitation>{deleted}</DeleteCitation>\n</PubmedArticleSet>\n")
    return with_abstract


def _open(path: Path) -> TextIO:
    if path.name.endswith(".gz"):
        return gzip.open(path, "wt", encoding="utf-8")
    return open(path, "w", encoding="utf-8")


def _article(rng: random.Random, pmid: int, has_abstract: bool) -> str:
    design = DESIGNS[rng.choice(list(DESIGNS))]
    condition, condition_mesh = rng.choice(CONDITIONS)
    intervention, intervention_mesh = rng.choice(INTERVENTIONS)
    words = {
        "condition": condition,
        "intervention": intervention,
        "population": rng.choice(POPULATIONS),
        "outcome": rng.choice(OUTCOMES),
        "n": rng.randint(40, 24000),
        "k": rng.randint(3, 40),
    }
    journal, abbreviation, code = rng.choice(JOURNALS)
    year = rng.randint(1975, 2025)
    doi = f"10.{rng.randint(1000, 9999)}/{code}.{year}.{rng.randint(10000, 99999)}"
    title = f"{intervention.capitalize()} and {words['outcome']} in {words['population']} with {condition}"
    abstract = _abstract(rng, design.methods.format(**words), words) if has_abstract else ""
    mesh = [condition_mesh, intervention_mesh, *design.mesh]
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM" IndexingMethod="Automated">'
        f'<PMID Version="1">{pmid}</PMID><Article PubModel="Print-Electronic"><Journal>'
        f'<JournalIssue CitedMedium="Internet"><Volume>{rng.randint(1, 400)}</Volume>'
        f"<PubDate>{_pubdate(rng, year)}</PubDate></JournalIssue>"
        f"<Title>{escape(journal)}</Title><ISOAbbreviation>{escape(abbreviation)}</ISOAbbreviation>"
        f"</Journal><ArticleTitle>{_markup(rng, title)}.</ArticleTitle>"
        f"{_elocation(rng, doi)}{abstract}{_authors(rng)}<Language>eng</Language>"
        f"<PublicationTypeList>{_publication_types(design.publication_types)}</PublicationTypeList></Article>"
        f"<MeshHeadingList>{_mesh(rng, mesh)}</MeshHeadingList></MedlineCitation>"
        f"<PubmedData><PublicationStatus>ppublish</PublicationStatus><ArticleIdList>"
        f'<ArticleId IdType="pubmed">{pmid}</ArticleId><ArticleId IdType="doi">{doi}</ArticleId>'
        f"</ArticleIdList></PubmedData></PubmedArticle>\n"
    )


def _abstract(rng: random.Random, methods: str, words: dict) -> str:
    change = rng.randint(5, 45)
    ratio = round(1 - change / 100, 2)
    p = rng.choice(["p < 0.001", "p = 0.02", "p = 0.31"])
    sections = [
        (
            "BACKGROUND",
            f"{words['condition'].capitalize()} is a common cause of {words['outcome']} among "
            f"{words['population']}. Whether {words['intervention']} changes this remains uncertain.",
        ),
        ("METHODS", methods),
        (
            "RESULTS",
            f"{words['intervention'].capitalize()} was associated with a {change}% relative reduction "
            f"in {words['outcome']} (hazard ratio {ratio}; 95% CI {ratio - 0.08:.2f} to {ratio + 0.09:.2f}; {p}).",
        ),
        (
            "CONCLUSIONS",
            f"In {words['population']} with {words['condition']}, {words['intervention']} may "
            f"reduce {words['outcome']}; confirmatory trials are needed.",
        ),
    ]
    if rng.random() < 0.3:  # older and non-clinical abstracts are often unstructured
        text = " ".join(text for _, text in sections)
        return f"<Abstract><AbstractText>{escape(text)}</AbstractText></Abstract>"
    parts = "".join(
        f'<AbstractText Label="{label}" NlmCategory="{label}">{escape(text)}</AbstractText>' for label, text in sections
    )
    copyright_year = rng.randint(1990, 2025)
    return f"<Abstract>{parts}<CopyrightInformation>© {copyright_year} The Authors.</CopyrightInformation></Abstract>"


def _pubdate(rng: random.Random, year: int) -> str:
    if rng.random() < 0.05:  # issues spanning months carry only a free-text MedlineDate
        return f"<MedlineDate>{year} Nov-{year + 1} Jan</MedlineDate>"
    return f"<Year>{year}</Year><Month>{rng.choice(MONTHS)}</Month>"


def _markup(rng: random.Random, title: str) -> str:
    """Titles carry inline markup (italic gene and species names) in real files."""
    if rng.random() < 0.2:
        return f"{escape(title)} by <i>{rng.choice(GENES)}</i> genotype"
    return escape(title)


def _elocation(rng: random.Random, doi: str) -> str:
    if rng.random() < 0.7:  # older citations have the DOI only in the ArticleIdList
        return f'<ELocationID EIdType="doi" ValidYN="Y">{doi}</ELocationID>'
    return ""


def _authors(rng: random.Random) -> str:
    authors = []
    for _ in range(rng.randint(1, 8)):
        forename = rng.choice(FORENAMES)
        initials = "".join(part[0] for part in forename.replace("-", " ").split())
        authors.append(
            f'<Author ValidYN="Y"><LastName>{escape(rng.choice(SURNAMES))}</LastName>'
            f"<ForeName>{forename}</ForeName><Initials>{initials}</Initials></Author>"
        )
    if rng.random() < 0.1:
        authors.append(f'<Author ValidYN="Y"><CollectiveName>{rng.choice(COLLECTIVES)}</CollectiveName></Author>')
    return f'<AuthorList CompleteYN="Y">{"".join(authors)}</AuthorList>'


def _publication_types(kinds: list[str]) -> str:
    return "".join(f"<PublicationType>{escape(kind)}</PublicationType>" for kind in kinds)


def _mesh(rng: random.Random, headings: list[str]) -> str:
    return "".join(
        f'<MeshHeading><DescriptorName MajorTopicYN="{rng.choice("NY")}">{escape(heading)}</DescriptorName>'
        "</MeshHeading>"
        for heading in headings
    )
