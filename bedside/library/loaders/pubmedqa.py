"""PubMedQA's expert-labelled set (``ori_pqal.json``, Jin et al. 2019): PubMed abstracts posed as questions.

The file maps each PMID to its question (the article's title recast as a question), the abstract's
sections without the conclusion (CONTEXTS with their LABELS), the conclusion itself (LONG_ANSWER), MeSH
headings, year and the annotated yes/no/maybe answer. Each record becomes the same ``pubmed:<PMID>``
source the PubMed loaders make, with the conclusion as its last passage.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

from bedside.library.loaders._files import read_text
from bedside.library.loaders.pubmed import article_source, evidence_level, first_year, strongest
from bedside.library.model import EvidenceLevel, LoaderError, Source

NAME = "pubmedqa"
LICENCE = "PubMedQA annotations MIT; abstract text belongs to its publisher"

_HEAD = re.compile(rb'\s*\{\s*"\d+"\s*:\s*\{\s*"QUESTION"')

# PubMedQA keeps no publication types, so the design is read from the words the authors use to
# describe their own study. Only methods and design sections count: backgrounds cite other people's
# trials and meta-analyses.
_DESIGN_WORDS: list[tuple[EvidenceLevel, re.Pattern[str]]] = [
    (EvidenceLevel.SYSTEMATIC_REVIEW, re.compile(r"\bmeta-analys[ei]s\b|\bsystematic(?:ally)? review", re.I)),
    # "randomised" and "trial" in one sentence: apart, "randomly selected records" and a "trial" of
    # something else would pass.
    (EvidenceLevel.RCT, re.compile(r"\brandomi[sz]ed\b[^.]*\btrials?\b|\btrials?\b[^.]*\brandomi[sz]ed\b", re.I)),
    (
        EvidenceLevel.OBSERVATIONAL,
        re.compile(r"\bretrospective(?:ly)?\b|\bcohorts?\b|\bcase-control\b|\bcross-sectional\b", re.I),
    ),
]


def sniff(path: Path, head: bytes) -> bool:
    named_json = path.name.lower().endswith((".json", ".json.gz"))
    return named_json and _HEAD.match(head.removeprefix(b"\xef\xbb\xbf")) is not None


def load(path: Path) -> Iterator[Source]:
    for pmid, record in _read(path).items():
        source = _source(pmid, record)
        if source.passages:
            yield source


def design_in_methods(contexts: list[str], labels: list[str]) -> EvidenceLevel:
    """The strongest design the methods sections name, or OTHER."""
    methods = " ".join(
        text for text, label in zip(contexts, labels, strict=False) if "METHOD" in label or "DESIGN" in label
    )
    return strongest(level for level, words in _DESIGN_WORDS if words.search(methods))


def _read(path: Path) -> dict[str, dict]:
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise LoaderError(f"{path}: malformed JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(data, dict):
        raise LoaderError(f"{path}: not PubMedQA: expected an object mapping PMIDs to records")
    # Checked whole before the first source is yielded, so a bad file loads nothing rather than half.
    for pmid, record in data.items():
        if not _is_record(pmid, record):
            raise LoaderError(f"{path}: entry {pmid!r} is not a PubMedQA record (PMID → QUESTION, CONTEXTS…)")
    return data


def _is_record(pmid: str, record: object) -> bool:
    return (
        pmid.isdigit()
        and isinstance(record, dict)
        and isinstance(record.get("QUESTION"), str)
        and _is_strings(record.get("CONTEXTS"))
        and _is_strings(record.get("LABELS", []))
        and _is_strings(record.get("MESHES", []))
        and isinstance(record.get("LONG_ANSWER", ""), str)
    )


def _is_strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _source(pmid: str, record: dict) -> Source:
    contexts = record["CONTEXTS"]
    labels = record.get("LABELS", [])
    meshes = record.get("MESHES", [])
    sections = [(labels[i] if i < len(labels) else "Abstract", context) for i, context in enumerate(contexts)]
    sections.append(("CONCLUSIONS", record.get("LONG_ANSWER", "")))
    return article_source(
        pmid,
        record["QUESTION"],
        sections,
        kind=strongest([evidence_level([], meshes), design_in_methods(contexts, labels)]),
        meta={"mesh": meshes, "pubmedqa_decision": record.get("final_decision", "")},
        year=first_year(str(record.get("YEAR") or "")),
        licence=LICENCE,
    )
