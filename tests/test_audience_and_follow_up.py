"""The patient version (same evidence, plain words, nothing dropped) and follow-up questions."""

from __future__ import annotations

import json
import re

import pytest

from bedside.answer.article import PATIENT_DISCLAIMER, Article, Evidence, Reference, Section, Statement
from bedside.answer.audience import (
    GLOSSARY,
    _replace_terms,
    for_patients,
    plain_name,
    plainer,
    replacements_for,
    rewording,
    shorten,
)
from bedside.answer.question import MAX_INHERITED, Question, inherit
from bedside.core import Bedside
from bedside.search.vocabulary import Vocabulary

KETAMINE = (
    "What is the recommended approach to using ketamine for a patient with complex regional pain "
    "syndrome (CRPS) secondary to a spinal cord injury (SCI)?"
)
NEGATIONS = re.compile(r"\b(?:not|no|never|avoid|do not|don't|must not|should not|emergency|seek|call)\b", re.I)
CONDITIONS = re.compile(r"\b(?:if|unless|only|except|until|when)\b", re.I)


def statement(text: str, n: int = 1) -> Statement:
    return Statement(text=text, citations=[n], evidence=[Evidence(n=n, passage_id=f"p{n}", quote=text)])


def clinician_article() -> Article:
    return Article(
        id="a1",
        question="Can I take ibuprofen for hypertension headaches?",
        audience="clinician",
        status="submitted",
        created_at="2026-11-25T00:00:00+00:00",
        updated_at="2026-11-25T00:00:00+00:00",
        abstained=False,
        bottom_line=[statement("Patients with hypertension should not take more than 1200 mg of ibuprofen a day.")],
        sections=[
            Section(
                "Contraindications and cautions",
                [
                    statement("Ibuprofen is contraindicated in patients with renal failure.", 2),
                    statement("Seek emergency care if chest pain or dyspnea develops after the first dose.", 2),
                    statement(
                        "If you have kidney disease, ibuprofen can make it worse, and you should ask your physician "
                        "before taking any pain reliever.",
                        2,
                    ),
                    statement(
                        "Ibuprofen can raise blood pressure, and it can cause stomach bleeding, especially if taken "
                        "for a long time.",
                        2,
                    ),
                    statement(
                        "Do not stop taking the tablets because you feel better after a few days of treatment.", 1
                    ),
                    statement(
                        "Ibuprofen may cause stomach ulcers, and it should be taken with food; adults should not take "
                        "more than 1200 mg a day without medical advice.",
                        2,
                    ),
                ],
            ),
            Section("Side effects and their management", [statement("Adverse effects include nausea; edema; rash.")]),
        ],
        pitfalls=[statement("Do not combine ibuprofen with other NSAIDs (such as naproxen or aspirin).", 2)],
        references=[
            Reference(1, "s1", "A trial", "rct", 2020, "https://example.org/1", {}),
            Reference(2, "s2", "A label", "drug_label", 2024, "https://example.org/2", {}),
        ],
        meta={"conditions": [], "drugs": ["ibuprofen"]},
    )


def empty_vocabulary() -> Vocabulary:
    return Vocabulary(alternatives={}, drugs=set(), words={}, passages=1)


def test_every_warning_of_the_clinician_version_keeps_a_counterpart_with_its_evidence():
    clinician = clinician_article()
    patient = for_patients(clinician, empty_vocabulary())
    assert patient.audience == "patient" and patient.disclaimer == PATIENT_DISCLAIMER
    for original in clinician.statements():
        counterparts = [s for s in patient.statements() if s.evidence == original.evidence]
        assert counterparts, f"no counterpart for {original.text!r}"
        plain = " ".join(c.text for c in counterparts)
        # Numbers and every word that warns or sends to care survive the plain wording.
        assert re.findall(r"\d+", plain) == re.findall(r"\d+", original.text)
        for cue in NEGATIONS.findall(original.text) + CONDITIONS.findall(original.text):
            assert cue.lower() in plain.lower() or "must not be used" in plain
        assert all(c.citations == original.citations for c in counterparts)
        # A sentence that opens with a condition, or ends with one set off by a comma, is not cut: the
        # condition may cover every clause of it. Nor is a negated clause cut from its reason.
        if re.match(r"(?:If|Unless|When)\b", original.text) or re.search(r", (?:especially )?if\b", original.text):
            assert len(counterparts) == 1, [c.text for c in counterparts]
        if "Do not stop" in original.text:
            assert len(counterparts) == 1 and "because" in counterparts[0].text
    assert clinician.audience == "clinician"  # the stored clinician article is untouched


def test_jargon_becomes_plain_words_and_lists_become_short_sentences():
    patient = for_patients(clinician_article(), empty_vocabulary())
    text = " ".join(s.text for s in patient.statements())
    assert "high blood pressure" in text and "hypertension" not in text.lower()
    assert "must not be used" in text and "contraindicated" not in text
    assert "Shortness of breath" in text or "shortness of breath" in text
    assert "(such as" not in text  # asides in brackets are dropped
    side_effects = next(s for s in patient.sections if s.heading == "Side effects")
    assert [s.text for s in side_effects.statements] == ["Side effects include feeling sick:", "Swelling.", "Rash."]


def test_shorten_leaves_a_sentence_alone_when_a_clause_could_not_stand_alone():
    sentence = "Treatment includes medicines, physical therapy, and nerve blocks that relieve pain."
    assert shorten(sentence) == [sentence]
    assert shorten("Take it with food (to protect the stomach).") == ["Take it with food."]
    assert shorten("Take 5 mg (one tablet) daily.") == ["Take 5 mg (one tablet) daily."]  # doses keep brackets


@pytest.mark.parametrize(
    "sentence",
    [
        # A condition or setting that opens the sentence covers every clause after it.
        "If you have advanced kidney disease, you may soon need treatment, and it should start early.",
        "When you have food allergies, you must be prepared to treat an accidental exposure at any time.",
        "Each time you take antibiotics, you increase the chance that bacteria learn to resist them.",
        # A condition set off at the end may cover the clauses before it.
        "The drug is safe in adults, and it may be given to older children, unless they have liver disease.",
        "Aspirin can be used for pain, but only if your doctor says it is safe for you to take it.",
        # A dose limit or a negation is not cut from the clause it qualifies.
        "The usual dose is 5 mg once a day; no more than 10 mg a day in people with kidney disease.",
        "Do not stop taking the antibiotic because you feel better after a few days of treatment.",
        "It is not only a disease of children, but also one that many adults have for years.",
        # The last item of a list is part of the list's subject, not a clause of its own.
        "Cough, sore throat, fever, and diarrhea may be seen in people who have the flu.",
        # "Many people get X because they take Y": the reason picks out which people.
        "Many people develop Cushing syndrome because they take steroid medicines for a long time.",
        # A "which" clause in the middle has its verb after the next comma.
        "Aspirin taken for a long time, which thins the blood, should not be given before surgery.",
    ],
)
def test_a_condition_negation_dose_or_subject_is_never_cut_off(sentence):
    assert shorten(sentence) == [sentence]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Ibuprofen may cause stomach ulcers; it should be taken with food and a full glass of water.",
            ["Ibuprofen may cause stomach ulcers.", "It should be taken with food and a full glass of water."],
        ),
        (
            "The rash usually goes away within a week, but the pain can last for months after it heals.",
            ["The rash usually goes away within a week.", "But the pain can last for months after it heals."],
        ),
        (
            "Lyme disease is caused by a bacterium, which is spread to people by the bite of infected ticks.",
            ["Lyme disease is caused by a bacterium.", "This is spread to people by the bite of infected ticks."],
        ),
        (
            "The most common side effects are reactions at the injection site, which are usually mild.",
            ["The most common side effects are reactions at the injection site.", "These are usually mild."],
        ),
        (
            "Avoid other medicines that thin the blood while you take it, such as aspirin, clopidogrel and warfarin.",
            [
                "Avoid other medicines that thin the blood while you take it.",
                "Examples are aspirin, clopidogrel and warfarin.",
            ],
        ),
        (
            "Finishing the whole course is important because signs may go away before the infection is gone.",
            [
                "Finishing the whole course is important.",
                "This is because signs may go away before the infection is gone.",
            ],
        ),
        (
            "The biofilm shields some of the bacteria, making it hard for antibiotics to reach and kill them.",
            ["The biofilm shields some of the bacteria.", "This makes it hard for antibiotics to reach and kill them."],
        ),
    ],
)
def test_long_sentences_are_cut_where_each_part_stands_alone(sentence, expected):
    assert shorten(sentence) == expected


def test_asides_with_a_dose_condition_or_warning_stay_and_reference_trailers_go():
    assert shorten("Eat a balanced diet (if you are pregnant, ask first).") == [
        "Eat a balanced diet (if you are pregnant, ask first)."
    ]
    assert shorten("Keep caffeine to 200 mg a day or less (Holcombe, 2022).") == [
        "Keep caffeine to 200 mg a day or less."
    ]
    assert shorten("There is no cure (Cleveland Clinic, 2022b; National Institute on Deafness, n.d.).") == [
        "There is no cure."
    ]
    assert shorten("Other drugs can cause it.[2483]") == ["Other drugs can cause it."]
    assert shorten("INDICATIONS AND USAGE: Tinidazole is used to treat giardiasis.") == [
        "Tinidazole is used to treat giardiasis."
    ]


def test_rewording_is_one_pass_whole_words_and_keeps_articles_right():
    reword = rewording(GLOSSARY)
    assert _replace_terms("Signs and symptoms of a chronic illness", reword) == "Signs of a long-term illness"
    assert (
        _replace_terms("An initial dose and an additional 300 calories.", reword)
        == "A first dose and an extra 300 calories."
    )
    assert _replace_terms("Take anti-inflammatory medications.", reword) == "Take anti-inflammatory medicines."
    assert _replace_terms("Ibuprofen is contraindicated in renal failure.", reword) == (
        "Ibuprofen must not be used in kidney failure."
    )


def test_a_library_name_is_used_only_where_it_is_plainer():
    assert plainer("pharyngitis", "sore throat") and plainer("uti", "urinary tract infection")
    assert not plainer("allergy", "hypersensitivity") and not plainer("shingles", "herpes zoster")
    assert not plainer("gonorrhea", "the clap")
    vocabulary = Vocabulary(alternatives={"allergy": ["hypersensitivity"]}, drugs=set(), words={}, passages=1)
    article = clinician_article()
    article.meta["conditions"] = ["allergy"]
    assert "allergy" not in replacements_for(article, vocabulary)


def test_the_library_pairs_clinical_and_lay_names(use_starter_home):
    bedside = Bedside.open()
    bedside.searcher.refresh()
    assert plain_name("myocardial infarction", bedside.searcher.vocabulary) == "heart attack"


PARENT = {
    "intents": ["treatment"],
    "drugs": ["ketamine"],
    "conditions": ["complex regional pain syndrome"],
    "populations": ["spinal cord injury"],
}


@pytest.mark.parametrize(
    ("follow_up", "own", "expected"),
    [
        (
            "What about in pregnancy?",
            Question("What about in pregnancy?", ["information"], populations=["pregnancy"]),
            {"intents": ["treatment"], "drugs": ["ketamine"], "populations": ["pregnancy"]},
        ),
        (
            "and gabapentin?",
            Question("and gabapentin?", ["information"], drugs=["gabapentin"]),
            {"drugs": ["gabapentin"], "conditions": ["complex regional pain syndrome"], "intents": ["treatment"]},
        ),
        (
            "what are the side effects?",
            Question("what are the side effects?", ["adverse_effects"]),
            {"intents": ["adverse_effects"], "drugs": ["ketamine"], "populations": ["spinal cord injury"]},
        ),
    ],
)
def test_a_follow_up_inherits_what_it_does_not_name(follow_up, own, expected):
    question = inherit(own, PARENT)
    for field, value in expected.items():
        assert getattr(question, field) == value, field


def test_inherited_context_is_capped():
    crowded = {key: [f"{key}-{i}" for i in range(10)] for key in ("drugs", "conditions", "populations")}
    question = inherit(Question("and then?", ["information"]), crowded | {"intents": ["treatment"]})
    assert len(question.drugs) == len(question.conditions) == len(question.populations) == MAX_INHERITED


def ask(bedside, *args) -> dict:
    result = bedside("ask", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_follow_ups_are_answered_as_linked_articles_about_the_parent_subject(use_starter_home, bedside):
    parent = ask(bedside, KETAMINE)
    child = ask(bedside, "What are the side effects?", "--follow-up", parent["id"])
    assert child["follow_up_of"] == parent["id"]
    headings = [s["heading"] for s in child["sections"]]
    assert "Side effects and their management" in headings
    assert all("ketamine" in s["heading"].lower() or s["statements"] or s["note"] for s in child["sections"])
    grandchild = ask(bedside, "and in children?", "--follow-up", child["id"])
    assert grandchild["follow_up_of"] == child["id"]
    assert "Considerations in children" in [s["heading"] for s in grandchild["sections"]]
    thread = Bedside.open().thread(Bedside.open().articles.get(grandchild["id"]))
    assert [a.id for a in thread] == [parent["id"], child["id"]]


def test_patient_audience_from_the_command_line(use_starter_home, bedside):
    article = ask(bedside, "What are the symptoms of a heart attack?", "--audience", "patient")
    assert article["audience"] == "patient"
    assert all(s["evidence"] for section in article["sections"] for s in section["statements"])


def test_a_follow_up_to_an_unknown_article_is_refused(use_starter_home, bedside):
    result = bedside("ask", "and in children?", "--follow-up", "does-not-exist")
    assert result.exit_code == 2 and "does-not-exist" in result.stderr
