"""Dense retrieval: one all-MiniLM-L6-v2 vector per passage, exact dot product at query time.

Vectors are stored int8 with one scale per row (cosine to float32 above 0.999, a quarter of the
size). A vector is reused whenever the passage's text is unchanged, whether it comes from the last
build or from the vectors shipped with the starter library, so only new text is ever embedded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from bedside.search.index_dir import building

VECTORS = "vectors.npz"
EMBED_BATCH = 64


def embedding_text(row: dict) -> str:
    """What a passage is embedded as: what it is about, then what it says (the model reads ~200 words)."""
    meta = row.get("meta") or {}
    about = meta.get("question") or " — ".join(x for x in (row["title"], row["section"]) if x)
    return f"{about}\n{row['text']}"


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
        np.savez(f, ids=np.array(ids), keys=np.array(keys), q=q, scales=scales)


def load_vectors(path: Path) -> dict[tuple[str, str], np.ndarray]:
    """(passage id, text key) → float32 vector, from a file written by save_vectors."""
    if not path.exists():
        return {}
    with np.load(path) as data:
        vectors = data["q"].astype(np.float32) * data["scales"][:, None]
        return {(i, k): v for i, k, v in zip(data["ids"].tolist(), data["keys"].tolist(), vectors, strict=True)}


class DenseIndex:
    def __init__(self, path: Path):
        self.path = path
        with np.load(path / VECTORS) as data:
            self.matrix = data["q"].astype(np.float32) * data["scales"][:, None]
            self.ids: list[str] = data["ids"].tolist()

    @classmethod
    def build(
        cls,
        path: Path,
        rows: Iterable[dict],
        generation: int,
        encode: Callable[[list[str]], np.ndarray],
        known_vector_files: list[Path],
        on_progress: Callable[[int, int], None] | None = None,
    ) -> DenseIndex:
        """Vectors for every passage: reused where the text is unchanged, embedded otherwise."""
        known: dict[tuple[str, str], np.ndarray] = {}
        for file in [*known_vector_files, path / VECTORS]:
            known.update(load_vectors(file))
        ids, keys, texts = [], [], []
        for row in rows:
            text = embedding_text(row)
            ids.append(row["passage_id"])
            keys.append(text_key(text))
            texts.append(text)
        vectors = np.zeros((len(ids), 384), dtype=np.float32)
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
        with building(path, generation) as staging:
            save_vectors(staging / VECTORS, ids, keys, vectors)
        return cls(path)

    def search(self, query_vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        if not self.ids:
            return []
        scores = self.matrix @ query_vector.astype(np.float32)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.ids[i], float(scores[i])) for i in top]
