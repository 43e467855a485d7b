"""The library's own vocabulary, used to understand messy questions.

Built from the library at index time:
- names: every condition, drug and topic name the sources give, grouped with its other names —
  MedQuAD focus names with their synonyms (which link lay and clinical names), a label's brand and
  generic names, and the common clinical abbreviations;
- words: how often each word occurs in the library, so a query word the library never uses can be
  recognised as a likely misspelling and corrected to a close word that it does use.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from bedside.search.abbreviations import ABBREVIATIONS, typed_in_any_case
from bedside.search.brands import BRANDS
from bedside.search.query import normalise

FILE = "vocabulary.json"
MAX_NAME_WORDS = 6
MAX_ALTERNATIVES = 4
# A group this large has been chained together through a synonym many sources share ("AD", "ALL"):
# it no longer names one thing.
MAX_GROUP = 12
# A one-word name this common in the library is an ordinary word ("pain", "child") before it is a
# name, and a short one is an abbreviation only when typed in capitals ("ALL", not "all").
COMMON_WORD = 1000
SHORT_NAME = 5
MAX_REMEMBERED = 100_000  # corrections kept in memory
_WORD = re.compile(r"[^\W_]+")


def words_of(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


def name_key(name: str) -> str:
    return " ".join(words_of(name))


# Salt and hydrate words of label ingredient names: people ask about "ketamine", labels name
# "ketamine hydrochloride".
SALT_WORDS = frozenset(
    [
        "hydrochloride",
        "hcl",
        "hydrobromide",
        "sodium",
        "potassium",
        "calcium",
        "magnesium",
        "sulfate",
        "sulphate",
        "acetate",
        "citrate",
        "maleate",
        "tartrate",
        "bitartrate",
        "besylate",
        "mesylate",
        "succinate",
        "fumarate",
        "phosphate",
        "bromide",
        "chloride",
        "monohydrate",
        "dihydrate",
        "trihydrate",
        "anhydrous",
        "hyclate",
        "lactate",
        "gluconate",
        "nitrate",
        "disodium",
        "dipropionate",
        "propionate",
        "valerate",
    ]
)


def base_drug_name(key: str) -> str | None:
    """The drug an ingredient name is a salt of ("ketamine hydrochloride" → "ketamine"), if it is one."""
    words = key.split()
    if len(words) < 2 or " and " in f" {key} ":
        return None
    base = [w for w in words if w not in SALT_WORDS]
    return " ".join(base) if base and len(base) < len(words) and len(" ".join(base)) >= 4 else None


class _Groups:
    """Union–find over names (and CUIs), so names that share any member end up in one group."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, members: Iterable[str]) -> None:
        members = list(members)
        if members:
            self.find(members[0])  # a name with no other names is a group of its own
        for other in members[1:]:
            self.parent[self.find(other)] = self.find(members[0])

    def groups(self) -> list[list[str]]:
        by_root: dict[str, list[str]] = {}
        for x in self.parent:
            by_root.setdefault(self.find(x), []).append(x)
        return list(by_root.values())


class VocabularyBuilder:
    def __init__(self) -> None:
        self.words: Counter[str] = Counter()
        self.groups = _Groups()
        self.drugs: set[str] = set()
        self.passages = 0

    def observe(self, rows: Iterable[dict]) -> Iterator[dict]:
        """Pass index rows through, learning from each (so one read of the store feeds both)."""
        seen_sources: set[str] = set()
        for row in rows:
            self.passages += 1
            self.words.update(set(words_of(row["text"])))
            if row["source_id"] not in seen_sources:
                seen_sources.add(row["source_id"])
                self.words.update(words_of(row["title"]))
                self._learn_names(row)
            yield row

    def _learn_names(self, row: dict) -> None:
        meta = row["source_meta"] or {}
        names = [
            meta.get("focus", ""),
            *meta.get("synonyms", []),
            *meta.get("product_names", []),
            *meta.get("generic_names", []),
            meta.get("ingredient", ""),
            *(i["name"] for i in meta.get("active_ingredients", [])),
        ]
        keys = [k for k in (name_key(n) for n in names if n) if len(k) >= 2 and len(k.split()) <= MAX_NAME_WORDS]
        if row["kind"] == "drug_label":
            keys += [base for k in keys if (base := base_drug_name(k))]
        if keys:
            self.groups.union(keys)
            if row["kind"] == "drug_label":
                self.drugs.update(keys)

    def save(self, path: Path) -> None:
        for short, long in ABBREVIATIONS.items():
            self.groups.union([name_key(short), name_key(long)])
        for brand, generic in BRANDS.items():
            self.groups.union([name_key(brand), name_key(generic)])
            self.drugs.update((name_key(brand), name_key(generic)))
        alternatives = {}
        for group in self.groups.groups():
            # Every name is known, so a question naming it is read as being about it; only names in a
            # group of sensible size get its other names (a huge group joins unrelated names by chance).
            names = sorted(group, key=lambda n: (-len(n.split()), -len(n), n))
            for name in names:
                others = [n for n in names if n != name and len(n) > 3] if len(group) <= MAX_GROUP else []
                alternatives[name] = others[:MAX_ALTERNATIVES]
        path.write_text(
            json.dumps(
                {
                    "alternatives": alternatives,
                    "words": dict(self.words),
                    "drugs": sorted(self.drugs),
                    "passages": self.passages,
                },
                ensure_ascii=False,
            )
        )


class Vocabulary:
    def __init__(
        self,
        alternatives: dict[str, list[str]],
        words: dict[str, int],
        drugs: set[str] | None = None,
        passages: int = 0,
    ):
        self.alternatives = alternatives
        self.words = words  # word → number of passages it occurs in
        self.drugs = drugs or set()
        self.passages = max(passages, 1)
        self._by_shape: dict[tuple[str, int], list[str]] = {}
        self._corrections: dict[str, str | None] = {}
        for word, count in words.items():
            if count >= 3 and len(word) >= 4 and word.isalpha():
                self._by_shape.setdefault((word[0], len(word)), []).append(word)

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        if not path.exists():
            return cls({}, {})
        data = json.loads(path.read_text())
        return cls(data["alternatives"], data["words"], set(data.get("drugs", [])), data.get("passages", 0))

    def idf(self, word: str) -> float:
        """How informative a word is: rare in the library is informative."""
        return math.log(1 + self.passages / (1 + self.words.get(word, 0)))

    def names_in(self, words: list[str], capitals: set[str]) -> list[tuple[str, list[str]]]:
        """Longest known names in a list of words, left to right, each with its other names.
        ``capitals`` holds the words that were typed in capitals (abbreviations)."""
        found, i = [], 0
        while i < len(words):
            for n in range(min(MAX_NAME_WORDS, len(words) - i), 0, -1):
                key = " ".join(words[i : i + n])
                if key in self.alternatives and (n > 1 or self._is_name(key, capitals)):
                    if key not in (f for f, _ in found):
                        found.append((key, self.alternatives[key]))
                    i += n
                    break
            else:
                i += 1
        return found

    def _is_name(self, word: str, capitals: set[str]) -> bool:
        if len(word) <= SHORT_NAME:
            return word in capitals or typed_in_any_case(word)
        return self.words.get(word, 0) < COMMON_WORD

    def correct(self, word: str) -> str | None:
        # The same words recur across the facets of one question and across questions.
        if word not in self._corrections:
            if len(self._corrections) > MAX_REMEMBERED:
                self._corrections.clear()
            self._corrections[word] = self._correct(word)
        return self._corrections[word]

    def _correct(self, word: str) -> str | None:
        """The library word a misspelt query word most likely meant, or None if it looks fine.

        Only words the library never uses are corrected, and not ordinary inflected English
        ("retired", "wondering"): misspelt drug and disease names are what people need fixed."""
        if len(word) < 5 or not word.isalpha() or word in self.words or word.endswith(("ed", "ing", "ly")):
            return None
        limit = 1 if len(word) < 8 else 2
        best: tuple[int, int, str] | None = None
        for length in range(len(word) - limit, len(word) + limit + 1):
            for candidate in self._by_shape.get((word[0], length), ()):
                distance = edit_distance(word, candidate, limit)
                if distance <= limit:
                    rank = (distance, -self.words[candidate], candidate)
                    best = min(best, rank) if best else rank
        return best[2] if best else None


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a transposition counts once), giving up past ``limit``."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]
