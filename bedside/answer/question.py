"""Understanding a clinical question: what is asked (intents), about what (conditions, drugs), for whom
(populations), and whether one message holds several questions.

Entity names come from the library's own vocabulary (MedQuAD focus names and synonyms, drug label
product and generic names), so a question is understood in the terms the evidence uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bedside.search.query import FILLER, normalise
from bedside.search.vocabulary import Vocabulary, words_of

# Intents in the order an article answers them when a question asks several things.
INTENT_CUES: dict[str, tuple[str, ...]] = {
    "interactions": (
        "interact",
        "interaction",
        "together with",
        "take with",
        "taken with",
        "combine",
        " mix ",
        "at the same time",
        " with my ",
        "along with",
    ),
    "dosing": (
        "dose",
        "dosage",
        "dosing",
        "how much",
        "how many mg",
        "maximum daily",
        "how often",
        "taper",
        "mg ",
        "protocol",
        "regimen",
        "how long should i take",
    ),
    "adverse_effects": (
        "side effect",
        "adverse",
        "reaction",
        "safe",
        "safety",
        "toxicity",
        "harm",
        "dangerous",
        "risk of",
        "risks of",
        "complication",
    ),
    "treatment": (
        "treat",
        "therapy",
        "therapies",
        "manage",
        "management",
        "cure",
        "remedy",
        "remedies",
        "medication for",
        "medicine for",
        "approach",
        "first-line",
        "first line",
        "help with",
        "what can i take",
        "what should i take",
        "recommended",
        "relief",
        "get rid of",
    ),
    "diagnosis": (
        "diagnos",
        "test for",
        "tested",
        "testing",
        "detect",
        "scan",
        "screen",
        "how do i know",
        "x-ray",
        "blood test",
        "biopsy",
    ),
    "causes": (
        "cause",
        "why do",
        "why does",
        "why is",
        "reason",
        "risk factor",
        "inherit",
        "genetic",
        "hereditary",
        "passed down",
    ),
    "symptoms": ("symptom", "sign of", "signs of", "feel like", "look like", "normal to"),
    "prognosis": (
        "outlook",
        "prognosis",
        "life expectancy",
        "survival",
        "progress",
        "get worse",
        "recover",
        "how long does",
        "how long will",
        "go away",
        "permanent",
        "curable",
    ),
    "prevention": (
        "prevent",
        "prevention",
        "avoid getting",
        "reduce the risk",
        "vaccine",
        "vaccination",
        "shot",
        "contagious",
        "spread",
        "catch",
        "transmit",
    ),
    "information": ("what is", "what are", "define", "information", "tell me about", "explain", "mean"),
}

POPULATIONS: dict[str, tuple[str, ...]] = {
    "children": (
        "child",
        "children",
        "kid",
        "kids",
        "pediatric",
        "paediatric",
        "infant",
        "baby",
        "babies",
        "toddler",
        "newborn",
        "son",
        "daughter",
        "teen",
        "adolescent",
    ),
    "pregnancy": ("pregnan", "expecting a baby", "trimester"),
    "breastfeeding": ("breastfeed", "breast feed", "breast-feed", "lactat", "nursing mother"),
    "older adults": ("elderly", "older adult", "older people", "seniors", "geriatric", "aged 65", "over 65"),
    "spinal cord injury": ("spinal cord injur", " sci ", "paraplegi", "tetraplegi", "quadriplegi"),
    "kidney disease": ("kidney disease", "renal impairment", "renal failure", "kidney failure", "ckd", "dialysis"),
    "liver disease": ("liver disease", "hepatic impairment", "cirrhosis", "liver failure"),
}

_SENTENCES = re.compile(r"(?<=[.?!])\s+|\n+")
# A sentence that asks something: "what are the symptoms." asks, though typed without a question mark.
_ASKING = re.compile(
    r"^(?:what|how|why|when|where|which|who|can|could|is|are|does|do|did|should|will|would|has|have)\b", re.I
)


def questions_in(text: str) -> list[str]:
    """The separate questions of a message ("What is a bundle branch block? What are the symptoms? What
    is usually done for this?"), or [] when it asks one thing."""
    parts = [p.strip() for p in _SENTENCES.split(text)]
    asked = [p for p in parts if len(words_of(p)) >= 3 and (p.endswith("?") or _ASKING.match(p))]
    return asked if len(asked) > 1 else []


@dataclass
class Question:
    text: str
    intents: list[str]
    conditions: list[str] = field(default_factory=list)
    drugs: list[str] = field(default_factory=list)
    populations: list[str] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)  # the separate questions of a multi-question message
    keywords: list[str] = field(default_factory=list)  # content words, for when no name is recognised
    context: str = ""  # for a follow-up, the names it inherited, searched with its own words

    @property
    def search_text(self) -> str:
        return f"{self.text} {self.context}".strip()

    @property
    def topic(self) -> str:
        """What the question is about, in a few words."""
        return " and ".join(self.drugs[:2] + self.conditions[:2]) or " ".join(self.keywords[:4])


def detect_intents(text: str) -> list[str]:
    padded = f" {normalise(text)} "
    found = [intent for intent, cues in INTENT_CUES.items() if any(c in padded for c in cues)]
    if "information" in found and len(found) > 1:
        found.remove("information")  # "what is the treatment…" is a treatment question
    return found or ["information"]


def detect_populations(text: str) -> list[str]:
    padded = f" {normalise(text)} "
    return [name for name, cues in POPULATIONS.items() if any(c in padded for c in cues)]


def analyse_question(text: str, vocabulary: Vocabulary) -> Question:
    words = words_of(text)
    corrected = [vocabulary.correct(w) or w for w in words]
    capitals = {normalise(w) for w in re.findall(r"[^\W_]+", text) if len(w) > 1 and w.isupper()}
    found = vocabulary.names_in(corrected, capitals)
    found += [(w, vocabulary.alternatives.get(w, [])) for w in corrected if w in vocabulary.drugs]
    populations = detect_populations(text)
    population_words = {w for p in populations for w in p.split()} | set(populations)
    names: list[str] = []
    for name, alternatives in found:
        # "CRPS" after "complex regional pain syndrome" is the same condition; "SCI" is a population.
        if name in names or any(a in names or a in population_words for a in alternatives):
            continue
        if name not in population_words:
            names.append(name)
    drugs = [n for n in names if n in vocabulary.drugs]
    conditions = [n for n in names if n not in vocabulary.drugs]
    keywords = [w for w in dict.fromkeys(corrected) if w not in FILLER and len(w) > 2]
    return Question(
        text=text,
        intents=detect_intents(" ".join(corrected)),
        conditions=conditions,
        drugs=drugs,
        populations=populations,
        parts=questions_in(text),
        keywords=keywords,
    )


# A follow-up carries at most this many of each kind of name from the article it follows, so a long
# chain of follow-ups cannot pile up context without bound.
MAX_INHERITED = 2


def inherit(question: Question, parent: dict) -> Question:
    """A follow-up ("What about in children?", "and gabapentin?", "what are the side effects?") read in
    the light of the article it follows: each of its drugs, conditions, populations and intents is the
    follow-up's own where it names one, the parent's otherwise. ``parent`` is the parent article's
    question analysis (its meta)."""
    padded = f" {normalise(question.text)} "
    asks_its_own = any(c in padded for cues in INTENT_CUES.values() for c in cues)

    def own_or_inherited(own: list[str], key: str) -> list[str]:
        return own or list(parent.get(key) or [])[:MAX_INHERITED]

    drugs = own_or_inherited(question.drugs, "drugs")
    conditions = own_or_inherited(question.conditions, "conditions")
    populations = own_or_inherited(question.populations, "populations")
    inherited = [n for n in drugs + conditions if n not in question.drugs + question.conditions]
    return Question(
        text=question.text,
        intents=question.intents if asks_its_own else own_or_inherited([], "intents") or question.intents,
        drugs=drugs,
        conditions=conditions,
        populations=populations,
        parts=question.parts,
        keywords=question.keywords,
        context=" ".join(inherited),
    )
