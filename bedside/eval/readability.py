"""Readability of articles for each audience: the Flesch-Kincaid grade of their statements.

textstat 0.7.3 is pinned: later releases fetch NLTK data at run time, which cannot work offline.
"""

from __future__ import annotations

import statistics

import textstat

from bedside.answer.article import Article


def statements_text(article: Article) -> str:
    return " ".join(s.text for s in article.statements())


def grade(article: Article) -> float | None:
    text = statements_text(article)
    return textstat.flesch_kincaid_grade(text) if text else None


class Readability:
    """Collects the grade of each clinician article and of its patient version."""

    def __init__(self) -> None:
        self.grades: dict[str, list[float]] = {"clinician": [], "patient": []}

    def add(self, clinician: Article, patient: Article) -> None:
        pair = grade(clinician), grade(patient)
        if None not in pair:
            self.grades["clinician"].append(pair[0])
            self.grades["patient"].append(pair[1])

    def summary(self) -> dict:
        found = {"articles": len(self.grades["patient"])}
        for audience, values in self.grades.items():
            if values:
                found[f"{audience}_fk_grade_mean"] = round(statistics.mean(values), 2)
                found[f"{audience}_fk_grade_median"] = round(statistics.median(values), 2)
        return found
