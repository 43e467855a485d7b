"""The answer engine's parts on small, hand-made inputs: sentences, verification, numbering, plans."""

from __future__ import annotations

from bedside.answer.article import Article, Evidence, Reference, Section, Statement, renumber
from bedside.answer.compose import candidates_for
from bedside.answer.plan import Facet, plan
from bedside.answer.question import Question, detect_intents, detect_populations
from bedside.answer.sentences import split, statements_in, supported, trim
from bedside.answer.verify import verify
from bedside.search.vocabulary import Vocabulary

PASSAGE = (
    "Ketamine is an NMDA receptor antagonist. However, low-dose ketamine infusions of 0.35 mg/kg/h "
    "reduced pain in CRPS (see WARNINGS). Do not use it in uncontrolled hypertension! Click here for more. "
    "e.g. this one is a fragment? It works.\nTable 1: Drug: ketamine; Route: IV; Dose: 0.35 mg/kg/h"
)


def test_sentences_are_exact_slices_of_the_passage():
    for piece in split(PASSAGE):
        assert piece in PASSAGE
    assert "Do not use it in uncontrolled hypertension!" in split(PASSAGE)


def test_abbreviations_do_not_end_a_sentence():
    assert split("Give 5 mg, e.g. At night. Then stop.") == ["Give 5 mg, e.g. At night.", "Then stop."]


def test_a_list_bullet_after_a_full_stop_starts_a_new_sentence_but_a_hyphen_does_not():
    text = "Antibiotics do not work on viruses. - Do not ask for them for a cold. - Finish the course."
    assert split(text) == [
        "Antibiotics do not work on viruses.",
        "Do not ask for them for a cold.",
        "Finish the course.",
    ]
    assert split("Use a low-dose - 5 mg - tablet. Then stop.") == ["Use a low-dose - 5 mg - tablet.", "Then stop."]


def test_statements_skip_boilerplate_fragments_and_questions_and_trim_connectives():
    found = {s.text: s.quote for s in statements_in(PASSAGE)}
    assert "Low-dose ketamine infusions of 0.35 mg/kg/h reduced pain in CRPS." in found
    assert not any("Click here" in text for text in found)
    assert not any(text.endswith("?") for text in found)
    assert all(supported(text, quote) and quote in PASSAGE for text, quote in found.items())


def test_trim_only_removes_words_from_the_ends():
    assert trim("In addition, gabapentin helps.") == "Gabapentin helps."
    assert trim("Avoid alcohol (see PRECAUTIONS).") == "Avoid alcohol."
    assert trim("Summary : Hormones are chemical messengers.") == "Hormones are chemical messengers."
    assert trim("Early treatment cures Lyme disease (CDC, 2022y).") == "Early treatment cures Lyme disease."
    assert trim("Use 5 mg (Smith et al., 2019).") == "Use 5 mg."
    assert trim("Take it (with food, 2019).") == "Take it (with food, 2019)."
    assert (
        trim("Give it with food (about 2019, when trials began).")
        == "Give it with food (about 2019, when trials began)."
    )
    assert supported("Hormones are chemical messengers.", "Summary : Hormones are chemical messengers.")
    assert not supported("Gabapentin always helps.", "In addition, gabapentin helps.")


def article_with(statements: list[Statement], references: list[Reference]) -> Article:
    return Article(
        id="x",
        question="q",
        audience="clinician",
        status="submitted",
        created_at="t",
        updated_at="t",
        abstained=False,
        bottom_line=statements[:1],
        sections=[Section("S", statements[1:])],
        pitfalls=[],
        references=references,
    )


def reference(n: int, source: str) -> Reference:
    return Reference(n=n, source_id=source, title=source, kind="rct", year=2020, url="", origin={})


def test_the_verifier_removes_statements_no_passage_supports_and_numbering_follows():
    passages = {"a#0": {"text": "Aspirin lowers fever."}, "b#0": {"text": "Ibuprofen eases pain."}}
    good = Statement("Ibuprofen eases pain.", [2], [Evidence(2, "b#0", "Ibuprofen eases pain.")])
    invented = Statement("Aspirin cures cancer.", [1], [Evidence(1, "a#0", "Aspirin cures cancer.")])
    embellished = Statement("Aspirin lowers fever fast.", [1], [Evidence(1, "a#0", "Aspirin lowers fever.")])
    unsourced = Statement("Rest helps.", [], [])
    article = article_with([invented, good, embellished, unsourced], [reference(1, "a"), reference(2, "b")])

    removed = verify(article, passages)
    renumber(article)

    assert len(removed) == 3
    assert [s.text for s in article.statements()] == ["Ibuprofen eases pain."]
    assert article.statements()[0].citations == [1]
    assert [(r.n, r.source_id) for r in article.references] == [(1, "b")]


def test_intents_and_populations_are_recognised_in_real_wording():
    assert detect_intents("what is the max daily dose of metformin") == ["dosing"]
    assert "interactions" in detect_intents("can I take hydroxyzine together with zyrtec")
    assert "treatment" in detect_intents("What is the recommended approach to using ketamine for CRPS")
    assert detect_intents("tell me about noonan syndrome") == ["information"]
    assert detect_populations("is it safe in pregnancy for my toddler") == ["children", "pregnancy"]
    assert detect_populations("CRPS secondary to a spinal cord injury (SCI)") == ["spinal cord injury"]


def test_a_treatment_question_about_a_drug_in_a_population_gets_the_facets_a_clinician_expects():
    question = Question(
        text="ketamine for CRPS after SCI",
        intents=["treatment"],
        drugs=["ketamine"],
        conditions=["complex regional pain syndrome"],
        populations=["spinal cord injury"],
    )
    headings = [f.heading for f in plan(question)]
    assert headings[0] == "First-line treatment of complex regional pain syndrome"
    assert "Ketamine for complex regional pain syndrome" in headings
    assert "Dosing and administration" in headings and "Side effects and their management" in headings
    assert "Considerations in spinal cord injury" in headings
    by_heading = {f.heading: f for f in plan(question)}
    assert by_heading["Dosing and administration"].must_mention == ["ketamine"]
    population = by_heading["Considerations in spinal cord injury"]
    assert population.must_mention == ["spinal cord injury", "complex regional pain syndrome"]
    assert population.closest == ["spinal cord injury"]  # SCI evidence without CRPS may stand in, labelled


def hit(kind: str, title: str, text: str) -> dict:
    return {"passage_id": f"{kind}:1", "source_id": kind, "title": title, "section": "", "text": text, "kind": kind}


def test_a_study_finding_is_direct_evidence_on_a_drug_only_when_it_names_the_drug():
    facet = Facet("Side effects", "ketamine adverse events", must_mention=["ketamine"], cues=("side effect", "adverse"))
    question = Question(text="ketamine side effects", intents=["adverse_effects"], drugs=["ketamine"])
    study = hit(
        "observational",
        "Is atropine needed with ketamine sedation?",
        "No serious adverse events were noted in the children studied. "
        "Ketamine caused vomiting as an adverse event in 8%.",
    )
    label = hit("drug_label", "Ketamine prescribing information", "Emergence reactions are a common adverse event.")
    found = {c.text: c.direct for c in candidates_for(facet, 0, [study, label], question, Vocabulary({}, {}))}
    assert found["Ketamine caused vomiting as an adverse event in 8%."] is True
    assert found["No serious adverse events were noted in the children studied."] is False
    assert found["Emergence reactions are a common adverse event."] is True  # a label speaks of its drug throughout


def test_research_in_progress_is_not_a_statement():
    text = (
        "Researchers hope to better understand how the disease develops. "
        "A trial is exploring whether early surgery improves outcomes. "
        "Researchers found that early surgery improved outcomes in 60% of patients."
    )
    assert [s.text for s in statements_in(text)] == [
        "Researchers found that early surgery improved outcomes in 60% of patients."
    ]
