"""Question analysis and facet plans for the names people type: brands, drugs alone, no names at all."""

from __future__ import annotations

from bedside.answer.plan import plan
from bedside.answer.question import Question, analyse_question, questions_in
from bedside.search.vocabulary import Vocabulary, VocabularyBuilder


def vocabulary_of(tmp_path, rows: list[dict]) -> Vocabulary:
    builder = VocabularyBuilder()
    for _ in builder.observe(rows):
        pass
    builder.save(tmp_path / "vocabulary.json")
    return Vocabulary.load(tmp_path / "vocabulary.json")


def label(name: str) -> dict:
    return {
        "source_id": f"spl:{name}",
        "title": f"{name} prescribing information",
        "text": f"{name} is indicated for the relief of symptoms.",
        "kind": "drug_label",
        "source_meta": {"generic_names": [name]},
    }


def test_a_common_brand_is_read_as_its_generic_drug_even_without_its_label(tmp_path):
    vocabulary = vocabulary_of(tmp_path, [label("cetirizine")])
    question = analyse_question("I take Zyrtec for my allergies, is hydroxyzine ok with it?", vocabulary)
    assert "zyrtec" in question.drugs
    assert "cetirizine" in vocabulary.alternatives["zyrtec"]
    assert "zyrtec" in vocabulary.alternatives["cetirizine"]


def test_an_unknown_word_is_not_taken_for_a_drug(tmp_path):
    vocabulary = vocabulary_of(tmp_path, [label("cetirizine")])
    assert analyse_question("Is the zyrtecx stronger?", vocabulary).drugs == []


def test_a_question_about_a_drug_alone_gets_drug_facets_not_symptoms_of_the_drug():
    for intents in (["information"], ["symptoms"], ["causes"]):
        question = Question(text="Cyclobenzaprine?", intents=intents, drugs=["cyclobenzaprine"])
        headings = [f.heading for f in plan(question)]
        assert not any(h.startswith(("Symptoms of", "Causes of", "Treatment of")) for h in headings), headings
        assert "Side effects and their management" in headings
    headings = [
        f.heading for f in plan(Question(text="Cyclobenzaprine?", intents=["information"], drugs=["cyclobenzaprine"]))
    ]
    assert headings[:2] == ["What cyclobenzaprine is used for", "Dosing and administration"]


def test_a_drug_with_a_condition_keeps_the_condition_facets():
    question = Question(text="ibuprofen and ulcers", intents=["causes"], drugs=["ibuprofen"], conditions=["ulcer"])
    assert plan(question)[0].heading == "Causes of ulcer"


def test_without_a_recognised_name_headings_stay_plain_and_the_key_words_are_still_searched():
    question = Question(
        text="So the Flonasee and zrytec I can get over the counter?",
        intents=["information"],
        keywords=["flonasee", "zrytec", "get", "counter"],
    )
    facets = plan(question)
    assert [f.heading for f in facets][:4] == ["Overview", "Symptoms", "Causes", "Treatment"]
    assert all("flonasee zrytec" in f.query for f in facets[:4])


def test_a_condition_the_library_names_without_synonyms_is_still_recognised(tmp_path):
    page = {
        "source_id": "medquad:NEI:1",
        "title": "Macular Degeneration",
        "text": "Macular degeneration blurs the sharp central vision you need for reading.",
        "kind": "consumer_health",
        "source_meta": {"focus": "Macular Degeneration", "synonyms": []},
    }
    vocabulary = vocabulary_of(tmp_path, [page])
    question = analyse_question("My father has macular degeneration, what treatments help?", vocabulary)
    assert question.conditions == ["macular degeneration"]
    assert plan(question)[0].heading == "First-line treatment of macular degeneration"


def test_a_message_that_asks_several_things_gets_a_facet_for_each_with_the_names_it_is_about():
    text = "Could you tell me what a bundle branch block is. what are the symptoms. What is usually done for this?"
    parts = questions_in(text)
    assert parts == [
        "Could you tell me what a bundle branch block is.",
        "what are the symptoms.",
        "What is usually done for this?",
    ]
    question = Question(text=text, intents=["symptoms"], conditions=["bundle branch block"], parts=parts)
    by_heading = {f.heading: f for f in plan(question)}
    assert by_heading["What are the symptoms?"].query == "what are the symptoms. bundle branch block"
    assert by_heading["What is usually done for this?"].query.endswith("bundle branch block")
    assert list(by_heading)[-1] == "Other evidence on this question"  # still last: the relevance check reads it


def test_a_statement_before_one_question_is_not_a_second_question():
    assert questions_in("I have kidney disease. Can I take ibuprofen for my back pain?") == []
    assert questions_in("Is it safe?") == []
