"""MedQuAD XML (Ben Abacha & Demner-Fushman 2019): NIH consumer pages as question–answer pairs.

One source per ``<Document>``, one passage per answered ``<QAPair>``. The question, its type, the focus
with its synonyms and UMLS CUIs travel as passage metadata: they connect lay and clinical names.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from bedside.library.loaders._files import parse_xml, text_of
from bedside.library.model import EvidenceLevel, Passage, Source

NAME = "medquad"
LICENCE = "CC BY 4.0; MedQuAD, Ben Abacha & Demner-Fushman, BMC Bioinformatics 2019"

PUBLISHERS = {
    "CancerGov": "National Cancer Institute (cancer.gov)",
    "GARD": "Genetic and Rare Diseases Information Center (GARD)",
    "GHR": "Genetics Home Reference (NLM)",
    "MPlusHealthTopics": "MedlinePlus Health Topics (NLM)",
    "NIDDK": "National Institute of Diabetes and Digestive and Kidney Diseases",
    "NINDS": "National Institute of Neurological Disorders and Stroke",
    "NIHSeniorHealth": "NIHSeniorHealth (NIA/NLM)",
    "NHLBI": "National Heart, Lung, and Blood Institute",
    "CDC": "Centers for Disease Control and Prevention",
}


# A few upstream files use an older schema: <doc docid corpus>, <doctitle-focus>, <pair>, lower case.
OLDER_SCHEMA = {
    "doc": "Document",
    "docid": "id",
    "corpus": "source",
    "doctitle-focus": "Focus",
    "cui": "CUI",
    "semanticGroup": "SemanticGroup",
    "pair": "QAPair",
    "question": "Question",
    "answer": "Answer",
}


def sniff(path: Path, head: bytes) -> bool:
    return (b"<Document" in head and (b"<QAPairs" in head or b"<Focus" in head)) or (
        b"<doc " in head and b"<doctitle-focus>" in head
    )


def _to_current_schema(document):
    for element in document.iter(etree.Element):
        element.tag = OLDER_SCHEMA.get(element.tag, element.tag)
        for old, new in (("docid", "id"), ("corpus", "source")):
            if old in element.attrib:
                element.set(new, element.attrib.pop(old))
    return document


def load(path: Path) -> Iterator[Source]:
    document = _to_current_schema(parse_xml(path))
    collection = document.get("source", "")
    document_id = document.get("id", "")
    focus = text_of(document.find("Focus"))
    annotations = document.find("FocusAnnotations")
    synonyms = [text_of(s) for s in document.iter("Synonym") if text_of(s)]
    cuis = [text_of(c) for c in document.iter("CUI") if text_of(c)]
    category = text_of(annotations.find("Category")) if annotations is not None else ""
    semantic_group = text_of(document.find(".//SemanticGroup"))

    # Upstream reuses a Document id across several files (CancerGov 0000013_2 has seven): the file
    # name is unique, so it names the source, and the origin keeps the id as published.
    source_id = f"medquad:{collection}:{path.stem}"
    source = Source(
        source_id=source_id,
        title=focus or source_id,
        kind=EvidenceLevel.CONSUMER_HEALTH,
        url=document.get("url", ""),
        publisher=PUBLISHERS.get(collection, collection),
        licence=LICENCE,
        origin={"dataset": "MedQuAD", "source": collection, "document_id": document_id},
        meta={
            "focus": focus,
            "synonyms": synonyms,
            "cuis": cuis,
            "category": category,
            "semantic_group": semantic_group,
        },
    )
    for pair in document.iter("QAPair"):
        question = pair.find("Question")
        answer = text_of(pair.find("Answer"))
        if not answer:
            continue  # three collections had their answers removed upstream
        qtype = question.get("qtype", "") if question is not None else ""
        source.passages.append(
            Passage(
                text=answer,
                section=qtype,
                origin={"qa_pair": pair.get("pid", "")},
                meta={
                    "question": text_of(question),
                    "qtype": qtype,
                    "focus": focus,
                    "synonyms": synonyms,
                    "cuis": cuis,
                },
            )
        )
    source.finalise()
    if source.passages:
        yield source
