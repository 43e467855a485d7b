"""The article a clinician reads: statements with their evidence, sections, references.

Every Statement carries Evidence: the passage it rests on and the exact quote from it. References
are numbered in order of first citation in the reading order (bottom line, sections, pitfalls).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

DISCLAIMER = (
    "For use by healthcare professionals. bedside summarises the sources cited here and does not replace "
    "clinical judgement, local protocols or the full prescribing information. Check doses and "
    "contraindications against the current label before acting."
)
PATIENT_DISCLAIMER = (
    "This is general information, not medical advice for you. Talk to your doctor, nurse or pharmacist "
    "before you start, stop or change any treatment. If you think you need urgent care, call your local "
    "emergency number."
)


@dataclass
class Evidence:
    n: int  # reference number
    passage_id: str
    quote: str  # verbatim from the passage


@dataclass
class Statement:
    text: str
    citations: list[int]
    evidence: list[Evidence]
    indirect: bool = False  # rests on evidence about a related question, not the one asked


@dataclass
class Section:
    heading: str
    statements: list[Statement]
    # Said plainly when the library holds no direct evidence for this part of the question.
    note: str = ""


@dataclass
class Reference:
    n: int
    source_id: str
    title: str
    kind: str
    year: int | None
    url: str
    origin: dict
    publisher: str = ""


@dataclass
class Article:
    id: str
    question: str
    audience: str
    status: str
    created_at: str
    updated_at: str
    abstained: bool
    bottom_line: list[Statement]
    sections: list[Section]
    pitfalls: list[Statement]
    references: list[Reference]
    follow_up_of: str | None = None
    abstain_reason: str = ""
    disclaimer: str = DISCLAIMER
    evidence_cutoff: int | None = None  # the newest year among the references
    version: int = 1
    meta: dict = field(default_factory=dict)  # question analysis, timings: for the curious, not the contract

    def statements(self) -> list[Statement]:
        """All statements in reading order."""
        return [*self.bottom_line, *(s for section in self.sections for s in section.statements), *self.pitfalls]

    def to_json(self) -> dict:
        return asdict(self)

    def plain_text(self) -> str:
        """The article as plain prose in reading order (what the coverage scorer reads)."""
        lines = [s.text for s in self.bottom_line]
        for section in self.sections:
            lines.append(f"{section.heading}.")
            if section.note:
                lines.append(section.note)
            lines.extend(s.text for s in section.statements)
        if self.pitfalls:
            lines.append("Common pitfalls.")
            lines.extend(s.text for s in self.pitfalls)
        return "\n".join(lines)

    @classmethod
    def from_json(cls, data: dict) -> Article:
        def statement(d: dict) -> Statement:
            return Statement(
                text=d["text"],
                citations=list(d["citations"]),
                indirect=d.get("indirect", False),
                evidence=[Evidence(**e) for e in d["evidence"]],
            )

        fields = dict(data)
        fields["bottom_line"] = [statement(s) for s in data["bottom_line"]]
        fields["pitfalls"] = [statement(s) for s in data["pitfalls"]]
        fields["sections"] = [
            Section(heading=s["heading"], note=s.get("note", ""), statements=[statement(x) for x in s["statements"]])
            for s in data["sections"]
        ]
        fields["references"] = [Reference(**r) for r in data["references"]]
        return cls(**fields)


def renumber(article: Article) -> None:
    """Number references again in order of first citation, dropping any no statement cites (after
    the verifier removed a statement, say)."""
    order: dict[int, int] = {}
    for statement in article.statements():
        for evidence in statement.evidence:
            order.setdefault(evidence.n, len(order) + 1)
    for statement in article.statements():
        for evidence in statement.evidence:
            evidence.n = order[evidence.n]
        statement.citations = sorted({e.n for e in statement.evidence})
    by_old = {r.n: r for r in article.references}
    article.references = [by_old[old] for old in order]
    for new, reference in enumerate(article.references, start=1):
        reference.n = new
