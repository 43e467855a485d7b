"""The patient and caregiver version of an article: the same evidence, in plain words.

Nothing is added and nothing is dropped. Every statement of the clinician version keeps a counterpart,
so each warning, contraindication and "seek care" statement is still there, and every counterpart
keeps its citations and verbatim quotes. The wording changes by three mechanical steps that a reviewer
can check against the quote:
1. where a consumer-health source cited for the statement says the same thing, its sentence is used;
2. clinical terms become the plain names the library itself pairs with them (MedQuAD's lay and
   clinical synonyms: "myocardial infarction" → "heart attack") or the glossary's;
3. long sentences are cut at their clause boundaries, and asides in brackets are dropped.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bedside.answer.article import PATIENT_DISCLAIMER, Article, Section, Statement
from bedside.answer.sentences import trim
from bedside.search.vocabulary import Vocabulary

# Clinical words and their plain equivalents, for terms the library has no lay synonym for.
GLOSSARY: dict[str, str] = {
    "administered": "given",
    "administer": "give",
    "administration": "giving",
    "adverse effects": "side effects",
    "adverse events": "harmful effects",
    "adverse reactions": "side effects",
    "analgesics": "pain relievers",
    "analgesic": "pain reliever",
    "anticonvulsants": "seizure medicines",
    "antidepressants": "depression medicines",
    "asymptomatic": "without symptoms",
    "cardiac": "heart",
    "cardiovascular": "heart and blood vessel",
    "chronic": "long-lasting",
    "concomitant": "at the same time",
    "contraindicated": "must not be used",
    "corticosteroids": "steroid medicines",
    "diagnosed": "found",
    "discontinue": "stop",
    "discontinued": "stopped",
    "dyspnea": "shortness of breath",
    "edema": "swelling",
    "efficacy": "how well it works",
    "etiology": "cause",
    "gastrointestinal": "stomach and gut",
    "hepatic": "liver",
    "hypertension": "high blood pressure",
    "hypotension": "low blood pressure",
    "hypoglycemia": "low blood sugar",
    "hyperglycemia": "high blood sugar",
    "incidence": "rate",
    "individuals": "people",
    "initiate": "start",
    "initiated": "started",
    "malignant": "cancerous",
    "medications": "medicines",
    "medication": "medicine",
    "multidisciplinary": "team",
    "myocardial infarction": "heart attack",
    "nausea": "feeling sick",
    "neoplasm": "tumour",
    "orally": "by mouth",
    "intravenously": "into a vein",
    "subcutaneously": "under the skin",
    "pediatric": "children's",
    "pharmacological": "drug",
    "physician": "doctor",
    "prognosis": "outlook",
    "prophylaxis": "prevention",
    "pruritus": "itching",
    "pulmonary": "lung",
    "renal": "kidney",
    "symptomatic": "with symptoms",
    "therapeutic": "treatment",
    "therapy": "treatment",
    "therapies": "treatments",
    "utilize": "use",
    "additionally": "also",
    "however": "but",
    "subsequently": "later",
    "sufficient": "enough",
    "numerous": "many",
    "inflammation": "swelling and irritation",
    "inflammatory": "swelling",
    "indicated for": "used for",
    "is indicated": "is used",
    "are indicated": "are used",
    "abdominal": "belly",
    "generally": "usually",
    "typically": "usually",
    "particularly": "mainly",
    "especially": "mainly",
    "difficulty": "trouble",
    "associated with": "linked to",
    "approximately": "about",
    "necessarily": "always",
    "significant": "large",
    "additional": "more",
    "appropriate": "right",
    "conventional": "usual",
    "hospitalization": "a hospital stay",
    "dehydration": "losing too much water",
    "occasionally": "sometimes",
    "concurrently": "at the same time",
    "respiratory": "breathing",
    "anaphylaxis": "a severe allergic reaction",
    "hypersensitivity": "allergy",
    "hypersensitivities": "allergies",
    "relatively": "fairly",
    "experienced": "had",
    "individual": "person",
    "recommended": "advised",
    "consideration": "thought",
    "unfortunately": "sadly",
    "diagnosis": "finding out what is wrong",
    "health care provider": "doctor",
    "healthcare provider": "doctor",
    "professional": "expert",
    "symptoms": "signs",
    "condition": "illness",
    "disorder": "illness",
    "prescribed": "given",
    "procedure": "operation",
    "prior to": "before",
    "in order to": "to",
}
HEADINGS = {
    "First-line treatment of": "Treatments usually tried first for",
    "Dosing and administration": "How it is taken",
    "Contraindications and cautions": "Who should not take it, and cautions",
    "Side effects and their management": "Side effects",
    "Monitoring": "Check-ups while taking it",
    "Expected outcomes": "What to expect",
    "Alternatives for refractory cases": "If the first treatments do not help",
    "Considerations in": "Special situations:",
    "How": "How",
    "Outlook": "What to expect",
    "Other evidence on this question": "More about your question",
}
LONG_SENTENCE = 12  # words; longer ones are cut at clause boundaries where a clause can stand alone
_ASIDE = re.compile(r"\s*\(([^)]{2,80})\)")
# An aside that says how much, how often or what to avoid is kept: "(5 mg)", "(one tablet)", "(not with food)".
_KEEP_ASIDE = re.compile(r"\d|tablet|capsule|dose|daily|times|not|avoid|never|only", re.I)
_CLAUSE = re.compile(
    r";\s+|:\s*(?=[A-Za-z])|,\s+(?:but|and|so|while|whereas|although)\s+(?=[a-z])"
    r"|,\s+(?=(?:it|they|this|these|you|people|most|many|some|symptoms|signs)\s)"
)
_KEEP_CASE = re.compile(r"^[A-Z]{2,}")


def plain_name(name: str, vocabulary: Vocabulary) -> str:
    """The most everyday of a term's names in the library: the one whose words are most common."""
    options = [name, *vocabulary.alternatives.get(name, [])]
    return min(options, key=lambda n: (sum(vocabulary.idf(w) for w in n.split()) / len(n.split()), len(n)))


Rewording = list[tuple[str, str, re.Pattern]]


def rewording(replacements: dict[str, str]) -> Rewording:
    """The replacements as they are applied: longest term first, each pattern compiled once."""
    terms = sorted(replacements, key=len, reverse=True)
    return [(term.lower(), replacements[term], re.compile(rf"\b{re.escape(term)}\b", re.IGNORECASE)) for term in terms]


def _replace_terms(text: str, reword: Rewording) -> str:
    lowered = text.lower()
    for term, plain, pattern in reword:
        if term in lowered:  # most terms are absent: skip their regex
            text = pattern.sub(lambda m, plain=plain: _same_case(m.group(), plain), text)
            lowered = text.lower()
    return text


def _same_case(original: str, plain: str) -> str:
    """ "Hypertension" → "High blood pressure", but "CRPS" → "complex regional pain syndrome"."""
    return plain[:1].upper() + plain[1:] if original[:1].isupper() and not original.isupper() else plain


def shorten(text: str) -> list[str]:
    """A sentence as one or more short sentences: asides dropped, lists set out item by item (as
    consumer sites print them), long sentences cut where a clause ends and the next can stand alone."""
    text = _ASIDE.sub(lambda m: m.group() if _KEEP_ASIDE.search(m.group(1)) else "", text).strip()
    text = text[:1].upper() + text[1:]
    for marker in (" - ", "; "):
        if text.count(marker) >= 2:
            lead, *items = [p.strip(" ,;:.") for p in text.split(marker)]
            return [_sentence(lead, ":")] + [_sentence(item) for item in items if item]
    if len(text.split()) <= LONG_SENTENCE:
        return [text]
    pieces = [p.strip(" ,;:") for p in _CLAUSE.split(text)]
    if len(pieces) == 1 or any(len(p.split()) < 4 for p in pieces):
        return [text]  # a clause that cannot stand alone: better long than garbled
    return [_sentence(piece) for piece in pieces]


def _sentence(piece: str, end: str = ".") -> str:
    piece = piece[:1].upper() + piece[1:]
    return piece if piece.endswith((".", "!", "?", ":")) else piece + end


def consumer_wording(statement: Statement, kinds: dict[int, str]) -> str:
    """The statement in the words of a consumer-health source cited for it, where there is one."""
    if kinds.get(statement.citations[0] if statement.citations else 0) == "consumer_health":
        return statement.text
    for evidence in statement.evidence:
        if kinds.get(evidence.n) == "consumer_health":
            return trim(evidence.quote)
    return statement.text


def plain_statements(statement: Statement, reword: Rewording, kinds: dict[int, str]) -> list[Statement]:
    text = _replace_terms(consumer_wording(statement, kinds), reword)
    return [
        Statement(
            text=piece, citations=list(statement.citations), evidence=statement.evidence, indirect=statement.indirect
        )
        for piece in shorten(text)
    ]


def plain_heading(heading: str) -> str:
    for clinical, plain in HEADINGS.items():
        if heading.startswith(clinical):
            return plain + heading[len(clinical) :]
    return heading


def replacements_for(article: Article, vocabulary: Vocabulary) -> dict[str, str]:
    """Clinical term → plain term, for the names this article mentions and the glossary."""
    mentioned = set(article.meta.get("conditions", []))
    found = dict(GLOSSARY)
    for name in mentioned:
        plain = plain_name(name, vocabulary)
        if plain != name and not _KEEP_CASE.match(plain):
            found[name] = plain
    return found


def for_patients(article: Article, vocabulary: Vocabulary) -> Article:
    """The patient and caregiver version of a clinician article, on the same evidence. The clinician
    article is left as it is: the new version shares only its (unchanged) evidence and references."""
    if article.audience == "patient":
        return article
    reword = rewording(replacements_for(article, vocabulary))
    kinds = {r.n: r.kind for r in article.references}

    def convert(statements: list[Statement]) -> list[Statement]:
        return [piece for s in statements for piece in plain_statements(s, reword, kinds)]

    return replace(
        article,
        audience="patient",
        bottom_line=convert(article.bottom_line),
        sections=[
            Section(
                heading=plain_heading(s.heading), statements=convert(s.statements), note=_replace_terms(s.note, reword)
            )
            for s in article.sections
        ],
        pitfalls=convert(article.pitfalls),
        references=list(article.references),
        disclaimer=PATIENT_DISCLAIMER,
        meta=article.meta | {"derived_from": article.id},
    )
