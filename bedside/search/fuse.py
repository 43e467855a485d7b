"""Combining rankings, and the evidence priors that put better evidence first among near-equals."""

from __future__ import annotations

from bedside.library.model import EvidenceLevel

RRF_K = 60

# Multipliers on a fused score. They reorder passages that retrieval found about equally relevant;
# they are small on purpose (a few per cent, enough to reorder near-equals), because a strong
# study on the wrong question is still the wrong answer; stronger priors cost nDCG (docs/search.md).
LEVEL_PRIOR = {
    EvidenceLevel.GUIDELINE: 1.08,
    EvidenceLevel.DRUG_LABEL: 1.06,
    EvidenceLevel.SYSTEMATIC_REVIEW: 1.06,
    EvidenceLevel.RCT: 1.04,
    EvidenceLevel.TEXTBOOK: 1.02,
    EvidenceLevel.OBSERVATIONAL: 1.0,
    EvidenceLevel.REVIEW: 1.0,
    EvidenceLevel.CONSUMER_HEALTH: 1.0,
    EvidenceLevel.CASE_REPORT: 0.97,
    EvidenceLevel.OTHER: 0.97,
}
# Where in a source the passage sits: conclusions and dosing say what to do; background and
# methods describe rather than advise.
SECTION_PRIOR = (
    (("conclusion", "dosage", "dosing", "indications", "boxed warning", "contraindications", "treatment"), 1.03),
    (("background", "introduction", "method", "objective", "purpose", "aim", "design", "research"), 0.96),
)


def reciprocal_rank_fusion(rankings: list[list[str]], weights: list[float] | None = None) -> dict[str, float]:
    """Cormack et al.'s RRF: a passage's score is the sum of weight / (60 + rank) over the rankings."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, passage_id in enumerate(ranking, start=1):
            fused[passage_id] = fused.get(passage_id, 0.0) + weight / (RRF_K + rank)
    return fused


def prior(hit: dict) -> float:
    factor = LEVEL_PRIOR.get(EvidenceLevel(hit["kind"]), 1.0)
    section = (hit.get("section") or "").lower()
    for words, weight in SECTION_PRIOR:
        if any(w in section for w in words):
            factor *= weight
            break
    year = hit.get("year")
    if year:
        factor *= 1.015 if year >= 2015 else 0.985 if year < 2000 else 1.0
    return factor
