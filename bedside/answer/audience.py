"""The patient and caregiver version of an article: the same evidence, in plain words.

Nothing is added and nothing is dropped. Every statement of the clinician version keeps a counterpart,
so each warning, contraindication and "seek care" statement is still there, and every counterpart
keeps its citations and verbatim quotes. The wording changes by three mechanical steps that a reviewer
can check against the quote:
1. where a consumer-health source cited for the statement says the same thing, its sentence is used;
2. clinical terms become the plain names the library itself pairs with them (MedQuAD's lay and
   clinical synonyms: "myocardial infarction" → "heart attack") or the glossary's;
3. long sentences are cut where they join clauses that can each stand alone, lists of examples that end
   a sentence become a sentence of their own, and asides in brackets are dropped. A part that leans on
   the rest of its sentence (a condition, a setting, a negation) is never cut off from it: such a
   sentence stays long.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bedside.answer.article import PATIENT_DISCLAIMER, Article, Section, Statement
from bedside.answer.sentences import CITATIONS, trim
from bedside.search.vocabulary import Vocabulary

# Clinical words and their plain equivalents, for terms the library has no lay synonym for. Each keeps the
# meaning where the word is used as these sources use it; a word that changes meaning in some uses is left
# out ("procedure" is not always an operation, "especially" is not "mainly") or only its safe phrases are in.
GLOSSARY: dict[str, str] = {
    "administered": "given",
    "administer": "give",
    "administration": "giving",
    "adverse effects": "side effects",
    "adverse events": "harmful effects",
    "adverse reactions": "side effects",
    "adverse": "harmful",
    "analgesics": "pain relievers",
    "analgesic": "pain reliever",
    "anticonvulsants": "seizure medicines",
    "antidepressants": "depression medicines",
    "asymptomatic": "symptom-free",
    "cardiac": "heart",
    "cardiovascular": "heart and blood vessel",
    "chronic": "long-term",
    "comorbidities": "other illnesses",
    "concomitant": "at the same time",
    "is contraindicated": "must not be used",
    "are contraindicated": "must not be used",
    "contraindicated": "must not be used",
    "diagnosed": "found",
    "discontinue": "stop",
    "discontinued": "stopped",
    "dyspnea": "shortness of breath",
    "edema": "swelling",
    "efficacy": "benefit",
    "etiology": "cause",
    "exacerbation": "flare-up",
    "exacerbations": "flare-ups",
    "gastrointestinal": "stomach and gut",
    "hepatic": "liver",
    "hypertension": "high blood pressure",
    "hypotension": "low blood pressure",
    "hypoglycemia": "low blood sugar",
    "hyperglycemia": "high blood sugar",
    "incidence": "rate",
    "individuals": "people",
    "an individual": "a person",
    "on an individual basis": "case by case",
    "initiate": "start",
    "initiated": "started",
    "malignant": "cancerous",
    "medications": "medicines",
    "medication": "medicine",
    "multidisciplinary": "team",
    "myocardial infarction": "heart attack",
    "nausea": "feeling sick",
    "neoplasm": "tumour",
    "onset": "start",
    "orally": "by mouth",
    "intravenously": "into a vein",
    "subcutaneously": "under the skin",
    "pediatric patients": "children",
    "pediatric": "children's",
    "participants": "people",
    "pharmacological": "drug",
    "physician": "doctor",
    "physicians": "doctors",
    "clinician": "doctor",
    "clinicians": "doctors",
    "prognosis": "outlook",
    "prophylaxis": "prevention",
    "pruritus": "itching",
    "pulmonary": "lung",
    "renal": "kidney",
    "symptomatic patients": "people with symptoms",
    "symptomatic relief": "relief of symptoms",
    "symptomatic treatment": "treatment of symptoms",
    "musculoskeletal": "muscle and bone",
    "therapeutic": "treatment",
    "therapy": "treatment",
    "therapies": "treatments",
    "utilize": "use",
    "utilized": "used",
    "utilizes": "uses",
    "utilization": "use",
    "additionally": "also",
    "however": "but",
    "therefore": "so",
    "furthermore": "also",
    "moreover": "also",
    "subsequently": "later",
    "sufficient": "enough",
    "adequate": "enough",
    "numerous": "many",
    "inflammation": "swelling and irritation",
    "indicated for": "used for",
    "is indicated": "is used",
    "are indicated": "are used",
    "abdominal": "belly",
    "abdomen": "belly",
    "generally": "usually",
    "typically": "usually",
    "commonly": "often",
    "frequently": "often",
    "immediately": "right away",
    "currently": "now",
    "difficulty": "trouble",
    "associated with": "linked to",
    "approximately": "about",
    "necessarily": "always",
    "statistically significant": "clear",
    "significantly": "clearly",
    "significant": "large",
    "additional": "extra",
    "appropriate": "right",
    "conventional": "usual",
    "hospitalization": "hospital stay",
    "hospitalizations": "hospital stays",
    "dehydration": "losing too much water",
    "occasionally": "sometimes",
    "concurrently": "at the same time",
    "respiratory": "breathing",
    "anaphylaxis": "a severe allergic reaction",
    "hypersensitivity": "allergy",
    "hypersensitivities": "allergies",
    "relatively": "fairly",
    "have experienced": "have had",
    "has experienced": "has had",
    "who experienced": "who had",
    "recommend": "advise",
    "recommends": "advises",
    "recommended": "advised",
    "recommendation": "advice",
    "recommendations": "advice",
    "may experience": "may have",
    "might experience": "might have",
    "determine": "find out",
    "identify": "find",
    "identified": "found",
    "receive": "get",
    "receives": "gets",
    "receiving": "getting",
    "indicate": "show",
    "indicates": "shows",
    "consideration": "thought",
    "unfortunately": "sadly",
    "health care provider": "doctor",
    "healthcare provider": "doctor",
    "health care providers": "doctors",
    "healthcare providers": "doctors",
    "professional": "expert",
    "signs and symptoms": "signs",
    "symptoms and signs": "signs",
    "symptoms": "signs",
    "condition": "illness",
    "disorder": "illness",
    "prescribed": "given",
    "medical attention": "medical care",
    "require": "need",
    "requires": "needs",
    "required": "needed",
    "requiring": "needing",
    "necessary": "needed",
    "assist": "help",
    "assistance": "help",
    "obtain": "get",
    "purchase": "buy",
    "demonstrate": "show",
    "demonstrates": "shows",
    "demonstrated that": "showed that",
    "has demonstrated": "has shown",
    "have demonstrated": "have shown",
    "was demonstrated": "was shown",
    "were demonstrated": "were shown",
    "was observed": "was seen",
    "were observed": "were seen",
    "observed in": "seen in",
    "evaluate": "check",
    "monitor": "check",
    "monitoring": "checking",
    "monitored": "checked",
    "consult": "talk to",
    "consult with": "talk with",
    "ensure": "make sure",
    "facilitate": "help",
    "modify": "change",
    "modified": "changed",
    "modification": "change",
    "modifications": "changes",
    "initial": "first",
    "initially": "at first",
    "alleviate": "ease",
    "alleviates": "eases",
    "perform": "do",
    "performed": "done",
    "substantially": "greatly",
    "elevated": "raised",
    # Wordy phrases and their short forms.
    "for the treatment of": "to treat",
    "in the treatment of": "to treat",
    "used for the treatment of": "used to treat",
    "used in the treatment of": "used to treat",
    "for the prevention of": "to prevent",
    "for the relief of": "to relieve",
    "for relief of": "to relieve",
    "for the management of": "to manage",
    "a majority of": "most",
    "the majority of": "most",
    "a large number of": "many",
    "a number of": "some",
    "a wide variety of": "many",
    "a variety of": "many kinds of",
    "a wide range of": "many",
    "in some cases": "sometimes",
    "in most cases": "usually",
    "in many cases": "often",
    "due to the fact that": "because",
    "in the event that": "if",
    "is able to": "can",
    "are able to": "can",
    "has the ability to": "can",
    "have the ability to": "can",
    "with regard to": "about",
    "with respect to": "about",
    "regarding": "about",
    "as well as": "and",
    "in addition": "also",
    "per day": "a day",
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


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


LONG_SENTENCE = 12  # words; longer ones are cut where each part can stand alone
SHORTEST_PART = 4  # words: a shorter part is a fragment, not a sentence
_ASIDE = re.compile(r"\s*\(([^)]{2,80})\)")
# An aside that says how much, how often, what to avoid or when is kept: "(5 mg)", "(not with food)", "(if pregnant)".
_KEEP_ASIDE = re.compile(
    r"\d|tablet|capsule|dose|daily|times|not|avoid|never|only|if|unless|except|stop|risk|serious|emergency|"
    r"warn|caution|pregnan|child",
    re.I,
)
# A label's section heading at the start of a sentence: "INDICATIONS AND USAGE: …".
_HEADING = re.compile(r"^[A-Z][A-Z &/-]{3,}:\s+(?=\S)")
_KEEP_CASE = re.compile(r"^[A-Z]{2,}")

# Where a sentence may be cut: after "; ", ": " or ", ", and the "and", "but", "so" or "which" that follows.
_CUT = re.compile(r"[;:,]\s+(?:(and|but|so|which)\s+)?")
# A part of a sentence that starts with one of these leans on the rest ("If you have kidney disease", "In
# children", "unless told otherwise", "not in children"): it is not a sentence of its own. A sentence that
# opens with one is not cut at all, because its condition or setting may cover every clause after it.
_LEANING = _words(
    "if unless when whenever while whereas although though because since as after before once until whether where "
    "which who whom whose that than or nor and but so only except provided including such especially even not no "
    "also then in for with without during among on at by from to of into despite due like unlike per via within "
    "between over under about following compared depending given regardless upon"
)
# Openers that link to what came before ("However, …") and qualify nothing after them.
_LINKING = re.compile(
    r"^(?:however|in addition|in contrast|in fact|in general|for example|for instance|overall|finally|instead|"
    r"moreover|furthermore|therefore|thus|as a result|similarly|in summary|importantly),\s+",
    re.I,
)
# A later part stands alone when it has a subject of its own and its verb: "…, and it may …", "…, but the
# rash usually goes away …", not "…, many of whom …", "…, and reduces fever" nor the last item of a list
# ("Cough, sore throat, and diarrhea may be seen" is one subject). The verbs are those that
# are not also nouns here ("causes", "needs" are), so that a list item is not taken for a clause.
_PRONOUNS = _words("it they this these you we he she there")
_NOT_A_VERB = _words("of who whom whose which that and or")
_MODALS = _words("can cannot could may might must should will would")
_VERBS = _MODALS | _words(
    "is are was were has have had does did "
    "leads led includes occurs occur affects involves spreads lasts seems appears remains becomes begins "
    "contains depends helps makes takes keeps gets goes comes happens prevents reduces protects treats "
    "develops include require requires prevent reduce involve seem appear remain become contain depend happen"
)
# Negations that reach across a comma: "not only A, but also B", "neither A, nor B".
_SPANNING = re.compile(r"\b(?:not only|neither|either)\b", re.I)
# A condition set off at the end ("…, unless you have kidney disease") may cover every clause before it.
_TRAILING_CONDITION = re.compile(
    r",\s+(?:if|unless|except|only|provided|as long as|until|when|whenever|especially|particularly)\b", re.I
)
# A verb right after a comma: the part's subject is in another part ("Aspirin, which thins blood, should not …").
_DETACHED_VERB = re.compile(r",\s+(?:is|are|was|were|can|could|may|might|must|should|will|would|does|do|has|have)\b")
# A reason or a result at the end of a clause: "…, because …", "…, allowing …" (not "because of …").
_REASON = re.compile(r",?\s+because\s+(?!of\b)|,\s+(allowing|leading|causing|resulting|making)\s+(?=\w)")
_QUANTIFIERS = _words("many most some few several")
_RESULTS = {"allowing": "allows", "leading": "leads", "causing": "causes", "resulting": "results", "making": "makes"}
# A negation may reach over the reason: "Do not stop because you feel better" is not "Do not stop."
_NEGATION = re.compile(r"\b(?:not|no|never|without|avoid|only)\b|n't\b", re.I)
# A list of examples that ends a sentence: "…, such as A, B and C".
_EXAMPLES = re.compile(r",\s+(such as|including):?\s+(?P<items>[^;:()]+?)\.?$")
_EXAMPLES_LEAD = {"such as": "Examples are", "including": "These include"}
# Items that qualify rather than list ("…, such as when …", "…, such as diabetes, and those who …").
_QUALIFYING = re.compile(
    r"\b(?:if|unless|except|only|when|while|after|before|during|like|such|those|not|no|never|without|who|which|"
    r"that|is|are|was|were|can|may|must|should)\b",
    re.I,
)


def plain_name(name: str, vocabulary: Vocabulary) -> str:
    """The most everyday of a term's names in the library: the one whose words are most common."""
    options = [name, *vocabulary.alternatives.get(name, [])]
    return min(options, key=lambda n: (sum(vocabulary.idf(w) for w in n.split()) / len(n.split()), len(n)))


def plainer(name: str, plain: str) -> bool:
    """Whether the library's everyday name reads more easily than the name used: it spells out an
    abbreviation ("UTI" → "urinary tract infection") or has fewer syllables ("pharyngitis" → "sore throat").
    A common name is not always a plain one: "allergy" is not made "hypersensitivity", nor "shingles"
    "herpes zoster", and a name that begins with "the" is slang ("the clap")."""
    if _KEEP_CASE.match(plain) or plain.lower().startswith("the "):
        return False
    initials = "".join(word[0] for word in plain.split())
    if " " not in name and name.lower() == initials.lower():
        return True
    return syllables(plain) < syllables(name)


def syllables(text: str) -> int:
    return len(re.findall(r"[aeiouy]+", text.lower()))


Rewording = tuple[re.Pattern, dict[str, str]]


def rewording(replacements: dict[str, str]) -> Rewording:
    """The replacements as one pattern, longest term first, so that each place is reworded once: a plain
    word put in is not reworded again, and "signs and symptoms" wins over "symptoms". A term is a whole
    word ("anti-inflammatory" is not "anti-swelling") and takes its article along ("an initial" → "a first")."""
    terms = sorted(replacements, key=len, reverse=True)
    alternatives = "|".join(re.escape(t) for t in terms)
    pattern = re.compile(rf"(?<![\w-])(?:(a|an)\s+)?({alternatives})(?![\w-])", re.IGNORECASE)
    return pattern, {term.lower(): plain for term, plain in replacements.items()}


def _replace_terms(text: str, reword: Rewording) -> str:
    pattern, plain_of = reword

    def plain(match: re.Match) -> str:
        article, term = match.groups()
        replaced = _same_case(term, plain_of[term.lower()])
        if not article:
            return replaced
        fitting = "an" if replaced[:1].lower() in "aeiou" else "a"
        return f"{fitting.capitalize() if article[0].isupper() else fitting} {replaced}"

    return pattern.sub(plain, text)


def _same_case(original: str, plain: str) -> str:
    """ "Hypertension" → "High blood pressure", but "CRPS" → "complex regional pain syndrome"."""
    return plain[:1].upper() + plain[1:] if original[:1].isupper() and not original.isupper() else plain


def shorten(text: str) -> list[str]:
    """A sentence as one or more short sentences: asides and headings dropped, lists set out item by item
    (as consumer sites print them), long sentences cut where each part can stand alone, and a list of
    examples that ends a sentence made a sentence of its own."""
    text = CITATIONS.sub("", text)
    text = _ASIDE.sub(lambda m: m.group() if _KEEP_ASIDE.search(m.group(1)) else "", text).strip()
    text = _HEADING.sub("", text)
    text = text[:1].upper() + text[1:]
    for marker in (" - ", "; "):
        if text.count(marker) >= 2:
            lead, *items = [p.strip(" ,;:.") for p in text.split(marker)]
            return [_sentence(lead, ":")] + [_sentence(item) for item in items if item]
    if len(text.split()) <= LONG_SENTENCE or _leans(_LINKING.sub("", text)) or _SPANNING.search(text):
        return [_sentence(text)]
    return [
        _sentence(piece)
        for clause in cut_clauses(text)
        for part in split_reason(clause)
        for piece in split_examples(part)
    ]


def cut_clauses(text: str) -> list[str]:
    """The sentence cut after a "; ", ": " or ", " (with its "and", "but", "so" or "which") where the parts on
    both sides stand alone and no condition set off at the end could cover the part before; else whole."""
    cuts = list(_CUT.finditer(text))
    if not cuts:
        return [text]
    parts: list[str] = []
    current = text[: cuts[0].start()]
    for cut, end in zip(cuts, [c.start() for c in cuts[1:]] + [len(text)], strict=True):
        following = text[cut.end() : end]
        opened = _opened(cut, current, following)
        if (
            opened
            and len(current.split()) >= SHORTEST_PART
            and not _TRAILING_CONDITION.search(text, cut.end())
            and (cut.group(1) != "which" or "," not in text[cut.end() :])  # "which" only when it runs to the end
        ):
            parts.append(current)
            current = opened
        else:
            current += cut.group() + following
    parts.append(current)
    if any(len(part.split()) < SHORTEST_PART or _DETACHED_VERB.search(part) for part in parts):
        return [text]
    return parts


def _opened(cut: re.Match, before: str, following: str) -> str | None:
    """What follows a cut, as the start of a sentence: "…, and it may …" → "it may …", "…, which may …" →
    "this may …", "…, but the rash goes …" → "but the rash goes …"; None where it is not a clause of its own.
    A bare comma is not cut: what comes before it is mostly a setting ("Each time you take antibiotics, you …")."""
    link = cut.group(1)
    if link == "which":
        subject = _which_subject(following)
        return f"{subject} {following}" if subject else None
    if not (link or cut.group().startswith(";")) or (link == "and" and "," in before):
        return None
    words = _LINKING.sub("", following).lower().split()
    if len(words) < 2:
        return None
    if not ((words[0] in _PRONOUNS and words[1] not in _NOT_A_VERB) or _subject_and_verb(words)):
        return None
    return f"{link} {following}" if link in ("but", "so") else following


def _which_subject(following: str) -> str | None:
    """ "…, which is …" → "This is …", "…, which are …" → "These are …"; None unless a verb follows."""
    verb = following.split(maxsplit=1)[0].lower() if following else ""
    if verb in ("are", "were", "have", "do"):
        return "these"
    if verb in _MODALS or verb in ("is", "was", "has", "does") or (verb.endswith("s") and verb.isalpha()):
        return "this"
    return None


def _subject_and_verb(words: list[str]) -> bool:
    """Whether the words open with a subject and then its verb, before any "that", "which" or "who"."""
    if words[0] in _LEANING:
        return False
    for i, word in enumerate(words[:8]):
        if word in ("that", "which", "who", "whose") or word.endswith(","):
            return False
        if word in _VERBS:
            return i >= 1
    return False


def split_reason(part: str) -> list[str]:
    """ "Finish the course, because bacteria left alive can grow back." → "Finish the course." "This is because
    bacteria left alive can grow back."; "…, allowing earlier treatment." → "… ." "This allows earlier treatment."
    Only where the reason is a clause of its own and nothing before it is negated."""
    found = _REASON.search(part)
    if not found or len(part.split()) <= LONG_SENTENCE:
        return [part]
    before, after = part[: found.start()], part[found.end() :]
    if len(before.split()) < SHORTEST_PART or len(after.split()) < 2 or _NEGATION.search(before):
        return [part]
    if _TRAILING_CONDITION.search(after) or _DETACHED_VERB.search(after):
        return [part]
    if found.group(1):
        # Not an item of a list of actions ("includes taking insulin, making wise food choices, …").
        if re.search(r"\w+ing\b", before) or "," in after:
            return [part]
        return [before, f"This {_RESULTS[found.group(1)]} {after}"]
    if before.split()[0].lower() in _QUANTIFIERS:
        return [part]  # "Many people get X because they take Y": the reason picks out which people
    words = after.lower().split()
    if (words[0] in _PRONOUNS and words[1] not in _NOT_A_VERB) or _subject_and_verb(words):
        return [before, f"This is because {after}"]
    return [part]


def split_examples(part: str) -> list[str]:
    """ "Avoid drugs that thin the blood, such as aspirin and warfarin." → "Avoid drugs that thin the blood."
    "Examples are aspirin and warfarin." Only a plain list that ends the sentence, after a clause of its own."""
    found = _EXAMPLES.search(part)
    if not found or len(part.split()) <= LONG_SENTENCE:
        return [part]
    items, lead = found.group("items"), part[: found.start()]
    listed = "," in items or re.search(r"\b(?:and|or)\b", items)
    if not listed or _QUALIFYING.search(items) or len(lead.split()) < SHORTEST_PART:
        return [part]
    return [lead, f"{_EXAMPLES_LEAD[found.group(1).lower()]} {items}"]


def _leans(text: str) -> bool:
    words = text.split(maxsplit=1)
    return bool(words) and words[0].lower().strip(",") in _LEANING


def _sentence(piece: str, end: str = ".") -> str:
    """The piece as a sentence: capitalised, and ended by a full stop unless it ends a sentence already."""
    piece = piece.strip(" ,;")
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
        if plain != name and plainer(name, plain):
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
