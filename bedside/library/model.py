"""The domain of the evidence library: where a piece of evidence comes from and what it says.

A Source is one citable document (a PubMed abstract, a MedQuAD answer page, a drug label, a textbook
section). A Passage is a retrievable piece of it. Both carry their provenance from the loader to the
article, so every statement can name where it came from.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from enum import StrEnum


class EvidenceLevel(StrEnum):
    """The `kind` of a source, as DESIGN.md names it."""

    GUIDELINE = "guideline"
    SYSTEMATIC_REVIEW = "systematic_review"
    RCT = "rct"
    OBSERVATIONAL = "observational"
    CASE_REPORT = "case_report"
    DRUG_LABEL = "drug_label"
    TEXTBOOK = "textbook"
    CONSUMER_HEALTH = "consumer_health"
    REVIEW = "review"
    OTHER = "other"


# Higher is stronger. Guidelines and labels speak with the most authority for clinical decisions;
# consumer pages are useful but are summaries of other evidence.
EVIDENCE_RANK: dict[EvidenceLevel, int] = {
    EvidenceLevel.GUIDELINE: 9,
    EvidenceLevel.DRUG_LABEL: 9,
    EvidenceLevel.SYSTEMATIC_REVIEW: 8,
    EvidenceLevel.RCT: 7,
    EvidenceLevel.TEXTBOOK: 6,
    EvidenceLevel.OBSERVATIONAL: 5,
    EvidenceLevel.REVIEW: 4,
    EvidenceLevel.CASE_REPORT: 3,
    EvidenceLevel.CONSUMER_HEALTH: 3,
    EvidenceLevel.OTHER: 1,
}

EVIDENCE_LABEL: dict[EvidenceLevel, str] = {
    EvidenceLevel.GUIDELINE: "Guideline",
    EvidenceLevel.SYSTEMATIC_REVIEW: "Systematic review",
    EvidenceLevel.RCT: "Randomised trial",
    EvidenceLevel.OBSERVATIONAL: "Observational study",
    EvidenceLevel.CASE_REPORT: "Case report",
    EvidenceLevel.DRUG_LABEL: "Drug label",
    EvidenceLevel.TEXTBOOK: "Textbook",
    EvidenceLevel.CONSUMER_HEALTH: "Consumer health",
    EvidenceLevel.REVIEW: "Narrative review",
    EvidenceLevel.OTHER: "Other",
}


@dataclass
class Passage:
    """A retrievable piece of a source: one section, one answer, one label section."""

    text: str
    section: str = ""
    position: int = 0
    # Loader-specific facts that help retrieval and answering (question, qtype, focus, synonyms,
    # CUIs for MedQuAD; LOINC code for labels). Plain JSON values only.
    meta: dict = field(default_factory=dict)
    # The passage's own identifiers inside its source (MedQuAD's qa_pair); shown merged over the
    # source's origin wherever the passage is cited.
    origin: dict = field(default_factory=dict)
    passage_id: str = ""  # set by Source.finalise: "<source_id>#<position>"
    source_id: str = ""


@dataclass
class Source:
    """One citable document with its provenance and evidence level."""

    source_id: str
    title: str
    kind: EvidenceLevel
    passages: list[Passage] = field(default_factory=list)
    year: int | None = None
    url: str = ""
    authors: list[str] = field(default_factory=list)
    publisher: str = ""  # journal for articles, publisher or agency otherwise
    pmid: str = ""
    doi: str = ""
    licence: str = ""
    # The source's own identifiers, as DESIGN.md shows: {"dataset": "PubMed", "pmid": "…"}.
    origin: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)

    def finalise(self) -> Source:
        """Number the passages and give them ids; drop empty ones. Loaders call this last."""
        kept = [p for p in self.passages if p.text and p.text.strip()]
        for position, passage in enumerate(kept):
            passage.position = position
            passage.source_id = self.source_id
            if not passage.passage_id:
                passage.passage_id = f"{self.source_id}#{position}"
        self.passages = kept
        self.kind = EvidenceLevel(self.kind)
        return self

    def content_hash(self) -> str:
        """A fingerprint of everything stored, so re-ingesting unchanged content is a no-op."""
        payload = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:32]

    def to_record(self) -> dict:
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict) -> Source:
        passages = [Passage(**p) for p in record.get("passages", [])]
        fields = {k: v for k, v in record.items() if k != "passages"}
        fields["kind"] = EvidenceLevel(fields["kind"])
        return cls(passages=passages, **fields)


def index_row(source: Source, passage: Passage) -> dict:
    """A passage with the source fields that indexes need (the shape Store.iter_passages_for_index yields)."""
    return {
        "passage_id": passage.passage_id,
        "source_id": source.source_id,
        "section": passage.section,
        "text": passage.text,
        "meta": passage.meta,
        "title": source.title,
        "kind": str(source.kind),
        "year": source.year,
        "source_meta": source.meta,
    }


class LoaderError(Exception):
    """A file that cannot be read as its format: the message names the file and the problem."""
