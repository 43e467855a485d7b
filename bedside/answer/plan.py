"""A plan of facets: the parts of an answer a clinician expects for the kind of question asked.

Each facet is retrieved separately, so a treatment question about drug X in condition Y in population
Z gets evidence on first-line treatment of Y, on X for Y, on X dosing, on X adverse effects, and on Y
in Z, rather than only on whatever matched the whole question best.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bedside.answer.question import Question
from bedside.search.abbreviations import ABBREVIATIONS


@dataclass
class Facet:
    heading: str
    query: str
    # Words a statement must rest on to be direct evidence for this facet (the drug, the population).
    must_mention: list[str] = field(default_factory=list)
    # When nothing is direct, the closest evidence shown instead (labelled indirect) must still mention
    # these: ketamine in another condition, spinal cord injury without CRPS. Empty: no stand-in.
    closest: list[str] = field(default_factory=list)
    # What the facet is about, for saying plainly that the library holds nothing on it.
    subject: str = ""
    # Words that mark a sentence as being about this facet ("mg", "side effects").
    cues: tuple[str, ...] = ()
    # Drug label sections (LOINC codes) that speak for this facet ahead of other sources.
    label_sections: tuple[str, ...] = ()
    # Whether a statement must carry one of the cues: a sentence without "contraindicated", "avoid" or
    # the like is not a caution, however well it matches the drug's name.
    needs_cue: bool = False


DOSING_CUES = ("mg", "dose", "dosage", "daily", "times a day", "every", "infusion", "administer", "mcg", "ml")
SAFETY_CUES = (
    "side effect",
    "adverse",
    "reaction",
    "risk",
    "toxicity",
    "warning",
    "monitor",
    "serious",
    "cause",
    "hallucinat",
    "nausea",
)
TREATMENT_CUES = ("treat", "therapy", "first-line", "first line", "recommended", "management", "medication")
CAUTION_CUES = (
    "should not",
    "do not use",
    "do not take",
    "do not give",
    "must not",
    "avoid",
    "contraindicated",
    "not recommended",
    "caution",
    "never",
)
DOSING_SECTIONS = ("34068-7", "43678-2")
SAFETY_SECTIONS = ("34066-1", "34084-4", "43685-7", "34071-1", "42232-9")
CONTRAINDICATION_SECTIONS = ("34070-3", "34066-1", "43685-7", "34071-1")


def plan(question: Question) -> list[Facet]:
    topic = question.topic
    if not topic:
        return [Facet("What the evidence says", question.search_text)]
    facets: list[Facet] = []
    for intent in question.intents:
        facets.extend(FACETS_BY_INTENT[intent](question))
    for population in question.populations:
        names = [shown(n) for n in question.conditions[:1] or question.drugs[:1]]
        subject = names[0] if names else topic
        facets.append(
            Facet(
                f"Considerations in {population}",
                f"{population} {subject}",
                must_mention=[population, *names],
                closest=[population],
                subject=f"{subject} in {population}",
            )
        )
    facets.extend(asked_separately(question))
    # The question in its own words, so nothing asked falls between the facets.
    facets.append(Facet("Other evidence on this question", question.search_text))
    return dedupe(facets)


MAX_PARTS = 3
MAX_HEADING = 90


def asked_separately(question: Question) -> list[Facet]:
    """Each question of a message that asks several ("What is it? What are the symptoms? What is done for
    this?") searched on its own, with the names the message is about when the part leaves them out."""
    names = question.drugs[:2] + question.conditions[:2]
    facets = []
    for part in question.parts[:MAX_PARTS]:
        missing = [n for n in names if n not in part.lower()]
        facets.append(Facet(as_heading(part), " ".join([part, *missing])))
    return facets


def as_heading(part: str) -> str:
    """A reader's question as a section heading: capitalised, a question mark, at most MAX_HEADING long."""
    heading = part[:MAX_HEADING].rsplit(" ", 1)[0] + "…" if len(part) > MAX_HEADING else part.rstrip(" .?") + "?"
    return heading[:1].upper() + heading[1:]


def dedupe(facets: list[Facet]) -> list[Facet]:
    seen, kept = set(), []
    for facet in facets:
        if facet.heading not in seen:
            seen.add(facet.heading)
            kept.append(facet)
    return kept


def shown(name: str) -> str:
    """A name as a heading shows it: abbreviations in capitals ("CRPS"), other names as written."""
    return name.upper() if name.upper() in ABBREVIATIONS else name


def _drug_and_condition(q: Question) -> tuple[str, str]:
    return (shown(q.drugs[0]) if q.drugs else ""), (shown(q.conditions[0]) if q.conditions else "")


def treatment(q: Question) -> list[Facet]:
    drug, condition = _drug_and_condition(q)
    about = condition or q.topic
    facets = [
        Facet(
            f"First-line treatment of {about}",
            f"{about} treatment first-line therapy",
            cues=TREATMENT_CUES,
            needs_cue=True,
        )
    ]
    if drug:
        facets += [
            Facet(
                f"{drug.capitalize()} for {about}" if condition else f"{drug.capitalize()}: uses",
                f"{drug} {condition} treatment".strip() if condition else f"{drug} indications uses",
                must_mention=[drug, condition] if condition else [drug],
                closest=[drug],
                label_sections=("34067-9",),
                subject=f"{drug} for {about}",
            ),
            *dosing(q),
            *adverse_effects(q),
        ]
    facets.append(
        Facet(
            "Expected outcomes",
            f"{about} outcome prognosis improvement",
            cues=("improve", "outcome", "relief", "reduc", "effective", "respond", "recover", "remission", "better"),
            needs_cue=True,
        )
    )
    facets.append(
        Facet(
            "Alternatives for refractory cases",
            f"{about} refractory alternative treatment options",
            cues=TREATMENT_CUES,
            needs_cue=True,
        )
    )
    return facets


def dosing(q: Question) -> list[Facet]:
    drug, condition = _drug_and_condition(q)
    subject = drug or q.topic
    return [
        Facet(
            "Dosing and administration",
            f"{subject} {condition} dosage administration dose".strip(),
            must_mention=[drug] if drug else [],
            cues=DOSING_CUES,
            label_sections=DOSING_SECTIONS,
            needs_cue=True,
            subject=f"dosing of {subject}",
        ),
        Facet(
            "Contraindications and cautions",
            f"{subject} contraindications warnings precautions",
            must_mention=[drug] if drug else [],
            cues=CAUTION_CUES,
            label_sections=CONTRAINDICATION_SECTIONS,
            needs_cue=True,
            subject=f"contraindications of {subject}",
        ),
    ]


def adverse_effects(q: Question) -> list[Facet]:
    drug, _ = _drug_and_condition(q)
    subject = drug or q.topic
    return [
        Facet(
            "Side effects and their management",
            f"{subject} side effects adverse reactions",
            must_mention=[drug] if drug else [],
            cues=SAFETY_CUES,
            label_sections=SAFETY_SECTIONS,
            needs_cue=True,
            subject=f"side effects of {subject}",
        ),
        Facet(
            "Monitoring",
            f"{subject} monitoring warnings",
            must_mention=[drug] if drug else [],
            cues=("monitor", "check", "test", "watch", "warning"),
            label_sections=SAFETY_SECTIONS,
            needs_cue=True,
            subject=f"monitoring on {subject}",
        ),
    ]


def interactions(q: Question) -> list[Facet]:
    if len(q.drugs) >= 2:
        a, b = q.drugs[:2]
        facets = [
            Facet(
                f"Taking {a} with {b}",
                f"{a} {b} interaction together",
                must_mention=[a, b],
                closest=[a],
                cues=("interact", "together", "combination", "concomitant", "with"),
                subject=f"{a} taken with {b}",
            )
        ]
    else:
        facets = [
            Facet(
                "Interactions",
                f"{q.topic} drug interactions",
                cues=("interact", "concomitant"),
                label_sections=("34073-7",),
            )
        ]
    for drug in q.drugs[:2]:
        facets.append(
            Facet(
                f"{drug.capitalize()}: side effects",
                f"{drug} side effects adverse reactions",
                must_mention=[drug],
                cues=SAFETY_CUES,
                label_sections=SAFETY_SECTIONS,
                subject=f"side effects of {drug}",
            )
        )
    return facets


def simple(heading: str, words: str, cues: tuple[str, ...] = (), unnamed: str = ""):
    """One facet about the question's condition (or drug). When the question names neither, its key
    words are searched but the heading stays plain: "Symptoms", not "Symptoms of flonase over counter"."""

    def facets(q: Question) -> list[Facet]:
        names = q.conditions[:1] or q.drugs[:1]
        about = shown(names[0]) if names else q.topic
        title = heading.format(about=about) if names else unnamed or heading
        return [Facet(title, f"{about} {words}", cues=cues)]

    return facets


def drug_uses(q: Question) -> list[Facet]:
    drug = shown(q.drugs[0])
    return [
        Facet(
            f"What {drug} is used for",
            f"{drug} uses indications",
            must_mention=[drug],
            cues=("used", "treat", "indicated", "prescribed", "class", "belongs", "works", "is a"),
            label_sections=("34067-9",),
            subject=f"the uses of {drug}",
        )
    ]


def about_drug_or_condition(for_condition, for_drug):
    """Symptoms, causes and information questions about a drug alone ("Cyclobenzaprine?", "can
    ibuprofen cause…") are questions about what it is for and what it does, not about "symptoms of
    ibuprofen"."""

    def facets(q: Question) -> list[Facet]:
        return for_drug(q) if q.drugs and not q.conditions else for_condition(q)

    return facets


def drug_information(q: Question) -> list[Facet]:
    return [*drug_uses(q), *dosing(q), *adverse_effects(q)]


FACETS_BY_INTENT = {
    "treatment": treatment,
    "dosing": dosing,
    "adverse_effects": adverse_effects,
    "interactions": interactions,
    "diagnosis": simple(
        "How {about} is diagnosed", "diagnosis tests", ("diagnos", "test", "exam", "scan"), "Diagnosis"
    ),
    "causes": about_drug_or_condition(
        simple("Causes of {about}", "causes risk factors", ("cause", "risk", "gene", "inherit"), "Causes"),
        adverse_effects,
    ),
    "symptoms": about_drug_or_condition(
        simple("Symptoms of {about}", "symptoms signs", ("symptom", "sign", "pain", "may"), "Symptoms"), adverse_effects
    ),
    "prognosis": simple("Outlook", "outlook prognosis", ("outlook", "prognosis", "survival", "life")),
    "prevention": simple("Prevention", "prevention prevent", ("prevent", "vaccine", "avoid", "reduce")),
    "information": about_drug_or_condition(
        lambda q: [
            *simple("What {about} is", "information overview", unnamed="Overview")(q),
            *simple("Symptoms of {about}", "symptoms", ("symptom", "sign"), "Symptoms")(q),
            *simple("Causes of {about}", "causes", ("cause", "gene", "risk"), "Causes")(q),
            *simple("Treatment of {about}", "treatment", TREATMENT_CUES, "Treatment")(q),
        ],
        drug_information,
    ),
}
