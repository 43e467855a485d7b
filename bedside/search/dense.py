"""Dense retrieval: all-MiniLM-L6-v2 vectors, exact dot product at query time.

Two views of the library are embedded:
- ``passage``: every passage, as what it is about followed by what it says;
- ``question``: the question a passage was written to answer, where the source gives one (MedQuAD):
  a consumer's question is often closest to another consumer question (question entailment, as in
  Ben Abacha & Demner-Fushman 2019).

Vectors are stored int8 with one scale per row (cosine to float32 above 0.999, a quarter of the
size). A vector is reused whenever its text is unchanged, whether from the last build or from the
vectors shipped with the starter library, so only new text is ever embedded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from bedside.search.index_dir import building

EMBED_BATCH = 64
DIM = 384


def passage_text(row: dict) -> str | None:
    """A passage as embedded: what it is about, then what it says (the model reads ~200 words)."""
    meta = row.get("meta") or {}
    about = meta.get("question") or " — ".join(x for x in (row["title"], row["section"]) if x)
    return f"{about}\n{row['text']}"


def question_text(row: dict) -> str | None:
    return (row.get("meta") or {}).get("question") or None


VIEWS: dict[str, Callable[[dict], str | None]] = {"passage": passage_text, "question": question_text}


def file_name(view: str) -> str:
    return "vectors.npz" if view == "passage" else f"{view}-vectors.npz"


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scales = np.abs(vectors).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    return np.round(vectors / scales[:, None]).astype(np.int8), scales.astype(np.float32)


def save_vectors(path: Path, ids: list[str], keys: list[str], vectors: np.ndarray) -> None:
    """A portable vector file: passage ids, text keys, int8 vectors and their scales."""
    q, scales = quantise(vectors)
    with open(path, "wb") as f:
        np.savez_compressed(f, ids=np.array(ids), keys=np.array(keys), q=q, scales=scales)


def read_vectors(path: Path) -> tuple[list[str], list[str], np.ndarray]:
    with np.load(path) as data:
        return data["ids"].tolist(), data["keys"].tolist(), data["q"].astype(np.float32) * data["scales"][:, None]


def load_vectors(path: Path) -> dict[tuple[str, str], np.ndarray]:
    """(passage id, text key) → float32 vector, from a file written by save_vectors."""
    if not path.exists():
        return {}
    ids, keys, vectors = read_vectors(path)
    return {(i, k): v for i, k, v in zip(ids, keys, vectors, strict=True)}


def known_vectors(folders: Iterable[Path], view: str) -> dict[tuple[str, str], np.ndarray]:
    """The vectors of one view already computed in these folders (later folders win)."""
    known: dict[tuple[str, str], np.ndarray] = {}
    for folder in folders:
        known.update(load_vectors(folder / file_name(view)))
    return known


def embed_rows(
    rows: Iterable[dict],
    text_of: Callable[[dict], str | None],
    known: dict[tuple[str, str], np.ndarray],
    encode: Callable[[list[str]], np.ndarray],
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[list[str], list[str], np.ndarray]:
    """(ids, text keys, vectors) for the rows that have a text in this view, embedding only texts
    that ``known`` does not hold."""
    ids, keys, texts = [], [], []
    for row in rows:
        text = text_of(row)
        if text:
            ids.append(row["passage_id"])
            keys.append(text_key(text))
            texts.append(text)
    vectors = np.zeros((len(ids), DIM), dtype=np.float32)
    missing = []
    for i, id_key in enumerate(zip(ids, keys, strict=True)):
        vector = known.get(id_key)
        if vector is None:
            missing.append(i)
        else:
            vectors[i] = vector
    for start in range(0, len(missing), EMBED_BATCH):
        chunk = missing[start : start + EMBED_BATCH]
        vectors[chunk] = encode([texts[i] for i in chunk])
        if on_progress:
            on_progress(min(start + EMBED_BATCH, len(missing)), len(missing))
    return ids, keys, vectors


class View:
    """One set of vectors and the passages they belong to."""

    def __init__(self, path: Path):
        self.ids, _, self.matrix = read_vectors(path)
        self._row: dict[str, int] | None = None

    def search(self, query_vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        if not self.ids:
            return []
        scores = self.matrix @ query_vector.astype(np.float32)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.ids[i], float(scores[i])) for i in top]

    def similarity(self, query_vector: np.ndarray, passage_ids: list[str]) -> list[float]:
        if self._row is None:
            self._row = {pid: i for i, pid in enumerate(self.ids)}
        rows = [self._row.get(pid) for pid in passage_ids]
        return [float(self.matrix[r] @ query_vector) if r is not None else 0.0 for r in rows]


class DenseIndex:
    def __init__(self, path: Path):
        self.views = {view: View(path / file_name(view)) for view in VIEWS}

    def search(self, query_vector: np.ndarray, k: int, view: str = "passage") -> list[tuple[str, float]]:
        return self.views[view].search(query_vector, k)

    def similarity(self, query_vector: np.ndarray, passage_ids: list[str]) -> list[float]:
        return self.views["passage"].similarity(query_vector, passage_ids)

    @classmethod
    def build(
        cls,
        path: Path,
        rows: Callable[[], Iterable[dict]],
        generation: int,
        encode: Callable[[list[str]], np.ndarray],
        known_vector_dirs: list[Path],
        on_progress: Callable[[int, int], None] | None = None,
    ) -> DenseIndex:
        """Vectors of every view for every passage: reused where the text is unchanged, embedded otherwise."""
        with building(path, generation) as staging:
            for view, text_of in VIEWS.items():
                known = known_vectors([*known_vector_dirs, path], view)
                ids, keys, vectors = embed_rows(rows(), text_of, known, encode, on_progress)
                save_vectors(staging / file_name(view), ids, keys, vectors)
        return cls(path)
