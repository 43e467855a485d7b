"""Composing an article from evidence: candidates per facet, scored, de-duplicated, assembled.

The composer is extractive: every statement is a sentence of a retrieved passage, lightly trimmed,
and carries that passage and the exact quote as its evidence. It cannot state what no source says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from bedside.answer.article import Evidence, Reference, Section, Statement
from bedside.answer.plan import CAUTION_CUES, Facet
from bedside.answer.question import POPULATIONS, Question
from bedside.answer.sentences import Sentence, statements_in
from bedside.library.model import EVIDENCE_RANK, EvidenceLevel
from bedside.search.query import FILLER
from bedside.search.vocabulary import Vocabulary, words_of

PER_FACET = 5
BOTTOM_LINE = 3
PITFALLS = 4
MIN_SCORE = 0.25
REDUNDANT = 0.5  # word overlap (Jaccard) above which two statements say the same thing
MAX_CITATIONS = 3
_NUMBER_WITH_UNIT = re.compile(r"\b\d+(?:\.\d+)?\s?(?:mg|mcg|µg|g|ml|mL|units?|%|mmol|kg|hours?|days?|weeks?)\b")
# Where in a source a sentence sits: a study's conclusions and results report findings; its methods
# and background describe the study or restate the problem.
_FINDING_SECTIONS = ("conclusion", "results", "dosage", "indications", "boxed warning", "contraindications")
_DESCRIPTION_SECTIONS = ("method", "background", "objective", "purpose", "design", "setting", "participants", "aim")
# A study's sentences are read without its title: "No serious adverse events were noted" says nothing
# about ketamine unless it names it, however much the study was about ketamine.
_STUDIES = frozenset(
    {EvidenceLevel.SYSTEMATIC_REVIEW, EvidenceLevel.RCT, EvidenceLevel.OBSERVATIONAL, EvidenceLevel.CASE_REPORT}
)
_DANGLING_START = re.compile(r"^(?:this|these|those|it|its|they|their|he|she|such|both|the latter|the former)\b", re.I)


@dataclass
class Candidate:
    text: str
    quote: str
    hit: dict
    facet: int
    score: float
    direct: bool
    near: bool  # may stand in, labelled indirect, when the facet has no direct evidence
    words: frozenset[str]
    normal: str  # its words normalised, for mentions_in
    extra_evidence: list[tuple[dict, str]] = field(default_factory=list)  # corroborating (hit, quote)


def content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in words_of(text) if w not in FILLER and len(w) > 2)


def normal_of(text: str) -> str:
    """Text as space-padded normalised words, so a name is found by substring on word boundaries."""
    return f" {' '.join(words_of(text))} "


def mentions_in(term: str, normal: str) -> bool:
    """Whether normalised text speaks of a drug, condition or population (by its words or its
    population cues)."""
    cues = POPULATIONS.get(term)
    if cues:
        return any(c.strip() in normal for c in cues)
    return normal_of(term) in normal


@dataclass(frozen=True)
class Scanned:
    """A sentence of a passage that could be a statement, with what scoring needs, read once."""

    sentence: Sentence
    words: frozenset[str]
    normal: str


@lru_cache(maxsize=4096)
def scanned(passage_text: str) -> tuple[Scanned, ...]:
    """The candidate sentences of a passage: the same passages come back for several facets of a
    question and for related questions, and splitting and normalising them is most of the composer's
    time."""
    return tuple(Scanned(s, content_words(s.text), normal_of(s.text)) for s in statements_in(passage_text))


def section_weight(section: str) -> float:
    section = section.lower()
    if any(w in section for w in _FINDING_SECTIONS):
        return 0.1
    if any(w in section for w in _DESCRIPTION_SECTIONS):
        return -0.3
    return 0.0


def candidates_for(
    facet: Facet, facet_index: int, hits: list[dict], question: Question, vocabulary: Vocabulary
) -> list[Candidate]:
    terms = content_words(facet.query) | {w for w in question.keywords[:12]}
    weight = {w: vocabulary.idf(w) for w in terms}
    total = sum(weight.values()) or 1.0
    names = question.drugs + question.conditions
    found = []
    for rank, hit in enumerate(hits):
        # A finding must name what the facet is about itself; any other sentence may lean on its title.
        about = (
            ""
            if EvidenceLevel(hit["kind"]) in _STUDIES
            else normal_of(f"{hit['title']} {hit.get('section', '')} {hit.get('meta', {}).get('question', '')}")
        )
        passage = normal_of(hit["text"]) if facet.must_mention else ""
        direct_passage = all(mentions_in(t, about) or mentions_in(t, passage) for t in facet.must_mention)
        section_score = section_weight(hit.get("section") or "")
        for scan in scanned(hit["text"]):
            sentence, words = scan.sentence, scan.words
            relevance = sum(weight[w] for w in words & terms) / total
            has_cue = any(c in sentence.text.lower() for c in facet.cues)
            if relevance == 0 or (facet.needs_cue and not has_cue):
                continue
            score = relevance + section_score
            score += 0.1 * sum(mentions_in(n, scan.normal) for n in names[:3])
            score += 0.12 if has_cue else 0
            score += 0.2 if hit.get("meta", {}).get("loinc") in facet.label_sections else 0
            score += 0.15 / (1 + rank)
            score += 0.02 * (EVIDENCE_RANK[EvidenceLevel(hit["kind"])] - 5)
            score += 0.08 if _NUMBER_WITH_UNIT.search(sentence.text) else 0
            score -= 0.3 if _DANGLING_START.match(sentence.text) else 0
            score -= 0.15 if sentence.text.count(";") >= 3 else 0  # a table row: data, not a finding
            score -= 0.1 if len(sentence.text.split()) > 45 else 0
            direct = direct_passage and all(
                mentions_in(t, scan.normal) or mentions_in(t, about) for t in facet.must_mention
            )
            near = bool(facet.closest) and all(mentions_in(t, scan.normal) for t in facet.closest)
            found.append(
                Candidate(sentence.text, sentence.quote, hit, facet_index, score, direct, near, words, scan.normal)
            )
    return sorted(found, key=lambda c: c.score, reverse=True)


def redundant_with(candidate: Candidate, chosen: list[Candidate]) -> Candidate | None:
    for other in chosen:
        union = candidate.words | other.words
        if union and len(candidate.words & other.words) / len(union) >= REDUNDANT:
            return other
    return None


def select(per_facet: list[list[Candidate]], facets: list[Facet]) -> tuple[list[list[Candidate]], list[bool]]:
    """Up to PER_FACET statements per facet, redundancy removed across the whole article (a repeat
    from another source becomes a second citation). Facets about a named drug or population choose
    first, so a sentence on "ketamine for CRPS" lands under that heading rather than under the general
    treatment of CRPS. Returns the statements and, per facet, whether they are indirect (no direct
    evidence was found, so the closest is shown)."""
    chosen_all: list[Candidate] = []
    selected: list[list[Candidate]] = [[] for _ in facets]
    indirect = [False] * len(facets)
    for i in sorted(range(len(facets)), key=lambda i: not facets[i].must_mention):
        candidates = per_facet[i]
        direct = [c for c in candidates if c.direct and c.score >= MIN_SCORE]
        pool = direct or [c for c in candidates if c.near and c.score >= MIN_SCORE]
        for candidate in pool:
            if len(selected[i]) == PER_FACET:
                break
            twin = redundant_with(candidate, chosen_all)
            if twin is None:
                selected[i].append(candidate)
                chosen_all.append(candidate)
            elif len(twin.extra_evidence) < MAX_CITATIONS - 1 and candidate.hit["source_id"] not in {
                twin.hit["source_id"],
                *(h["source_id"] for h, _ in twin.extra_evidence),
            }:
                twin.extra_evidence.append((candidate.hit, candidate.quote))
        indirect[i] = not direct and bool(selected[i])
    return selected, indirect


def pitfalls_from(per_facet: list[list[Candidate]], used: list[Candidate], question: Question) -> list[Candidate]:
    names = question.drugs + question.conditions
    cautions = [
        c
        for candidates in per_facet
        for c in candidates
        if c.score >= MIN_SCORE
        and any(cue in c.text.lower() for cue in CAUTION_CUES)
        and (not names or any(mentions_in(n, c.normal) for n in names))
    ]
    picked: list[Candidate] = []
    for candidate in sorted(cautions, key=lambda c: c.score, reverse=True):
        if len(picked) == PITFALLS:
            break
        if redundant_with(candidate, used + picked) is None:
            picked.append(candidate)
    return picked


class Citations:
    """Numbers references in order of first citation, one number per source."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.references: list[Reference] = []

    def cite(self, hit: dict) -> int:
        if hit["source_id"] not in self.numbers:
            n = len(self.numbers) + 1
            self.numbers[hit["source_id"]] = n
            self.references.append(
                Reference(
                    n=n,
                    source_id=hit["source_id"],
                    title=hit["title"],
                    kind=hit["kind"],
                    year=hit["year"],
                    url=hit["url"],
                    origin=hit["origin"],
                    publisher=hit.get("publisher", ""),
                )
            )
        return self.numbers[hit["source_id"]]

    def statement(self, candidate: Candidate, indirect: bool = False) -> Statement:
        evidence = []
        for hit, quote in [(candidate.hit, candidate.quote), *candidate.extra_evidence]:
            evidence.append(Evidence(n=self.cite(hit), passage_id=hit["passage_id"], quote=quote))
        return Statement(
            text=candidate.text, citations=sorted({e.n for e in evidence}), evidence=evidence, indirect=indirect
        )


def assemble(
    facets: list[Facet], per_facet: list[list[Candidate]], question: Question
) -> tuple[list[Statement], list[Section], list[Statement], list[Reference]]:
    """Bottom line, sections and pitfalls in reading order, with references numbered as cited."""
    selected, indirect = select(per_facet, facets)
    # The bottom line is the strongest direct statement of each of the first facets that have one, among
    # statements that stand alone: they name what the question is about ("No serious adverse events
    # were noted" is a finding only beside its study).
    names = question.drugs + question.conditions
    bottom: list[Candidate] = []
    for picked, is_indirect, facet in zip(selected, indirect, facets, strict=True):
        catch_all = facet is facets[-1] and bottom  # the question's own words: only when nothing else speaks
        if is_indirect or catch_all or len(bottom) == BOTTOM_LINE:
            continue
        standing = [c for c in picked if not names or any(mentions_in(n, c.normal) for n in names)]
        if standing:
            # A section's only statement stays in it too: the bottom line sums up, it does not empty
            # a section into "no evidence".
            best = standing[0]
            if len(picked) > 1:
                picked.remove(best)
            bottom.append(best)
    used = bottom + [c for picked in selected for c in picked]
    pitfalls = pitfalls_from(per_facet, used, question)
    citations = Citations()
    bottom_line = [citations.statement(c) for c in bottom]
    sections = []
    for facet, picked, is_indirect in zip(facets, selected, indirect, strict=True):
        note = ""
        subject = facet.subject or facet.heading.lower()
        if is_indirect:
            note = (
                f"The library holds no direct evidence on {subject}; "
                "the closest evidence is shown and labelled as indirect."
            )
        elif not picked and facet.must_mention:
            note = f"The library holds no direct evidence on {subject}."
        statements = [citations.statement(c, indirect=is_indirect) for c in picked]
        if statements or note:
            sections.append(Section(heading=facet.heading, statements=statements, note=note))
    pitfall_statements = [citations.statement(c) for c in pitfalls]
    return bottom_line, sections, pitfall_statements, citations.references
