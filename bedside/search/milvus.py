"""The Milvus search backend (BEDSIDE_SEARCH=milvus): the local backend's retrieval, run by Milvus.

One collection holds, per passage:
- ``lexical``: the passage's searchable text, turned into a sparse BM25 vector by Milvus's own BM25
  function (``sparse``, an inverted index). The local index weighs the fields of a passage (title,
  question, focus ×2 or ×1.5, text ×1); one BM25 field cannot, so what a passage is about is written
  twice before its text, which approximates the boost through term frequency;
- ``passage_vec`` and ``question_vec``: the two dense views of bedside.search.dense (384-d, inner
  product on L2-normalised vectors), taken from the vectors the local index or the starter library
  already holds whenever the text is unchanged, so nothing is embedded twice;
- the metadata the evidence priors read: ``kind``, ``year``, ``section``, ``source_id``;
- ``text_key``: a digest of everything above that comes from the text, to know what changed.

A search runs the same query understanding as the local path (``query.analyse`` with the library's
vocabulary) and the same fusion — Milvus's RRF ranker (k=60) over the lexical ranking (sent twice:
RRF has no per-ranking weight, and the local path weighs lexical 2:1:1), the passage view and the
question view — then the same evidence priors (``Searcher._hits``, i.e. ``fuse.prior``).

``BEDSIDE_MILVUS_URI`` is a file path ending in ``.db`` (Milvus Lite, in-process: slow, for tests and
trying the code path) or an ``http(s)://`` URI of a Milvus standalone or cluster.

``refresh`` brings the collection up to the store's generation by difference: it reads the ids and
text keys Milvus holds, upserts passages that are new or changed (embedding only text no vector file
holds), deletes passages the store no longer has, and records the generation in the collection's
properties, so several web workers share one collection and none rebuilds it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path

import numpy as np

from bedside.library.store import Store
from bedside.search import dense
from bedside.search import query as q
from bedside.search.backend import SearchUnavailable
from bedside.search.embed import Encoder
from bedside.search.engine import CANDIDATES, DEFAULT_METHOD, Searcher, check_request
from bedside.search.index_dir import building, built_generation
from bedside.search.lexical import index_fields
from bedside.search.vocabulary import FILE as VOCABULARY_FILE
from bedside.search.vocabulary import Vocabulary, VocabularyBuilder

COLLECTION = "bedside_passages"
GENERATION_PROPERTY = "bedside.generation"
SYNC_BATCH = 1000
CONNECT_TIMEOUT = 5.0  # seconds to wait for a Milvus server before saying it cannot be reached
MAX_VARCHAR = 65_535  # bytes, Milvus's limit for one VARCHAR value
# The analyser of the BM25 field: Milvus Lite 2.5/3.x knows the "standard" and "jieba" tokenizers only
# (no built-in "english" analyser), so English stemming is added as a filter, like tantivy's en_stem.
ANALYZER = {"tokenizer": "standard", "filter": ["lowercase", {"type": "stemmer", "language": "english"}]}
LEXICAL_REPEATS = 2  # lexical counts double in the fusion, as FUSION_WEIGHTS does locally


def _milvus():
    try:
        import pymilvus
    except ImportError as exc:
        raise SearchUnavailable(
            "BEDSIDE_SEARCH=milvus needs the Milvus client: pip install 'bedside[milvus]' (pymilvus, milvus-lite)"
        ) from exc
    return pymilvus


def is_lite(uri: str) -> bool:
    return "://" not in uri


def shown(uri: str) -> str:
    """The URI as it may be printed: any password in it replaced by ***."""
    if "://" in uri and "@" in uri.split("://", 1)[1].split("/", 1)[0]:
        scheme, rest = uri.split("://", 1)
        credentials, host = rest.split("@", 1)
        return f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}"
    return uri


def lexical_document(row: dict) -> str:
    """The text of the BM25 field: what the passage is about, twice, then the passage."""
    fields = index_fields(row)
    about = " . ".join(x for x in (fields["title"], fields["question"], fields["focus"]) if x)
    text = f"{about}\n{about}\n{fields['text']}"
    return _clip(text)


def _clip(text: str) -> str:
    data = text.encode()
    return text if len(data) < MAX_VARCHAR else data[: MAX_VARCHAR - 4].decode(errors="ignore")


def lexical_query(analysed: q.AnalysedQuery) -> str:
    """The understood question as BM25 text: its content words, the words of the names it mentions
    once more (they count double locally), and the other names of those (synonyms, brand names)."""
    named = [word for name, _ in analysed.names for word in name.split()]
    alternatives = [alt for _, alts in analysed.names for alt in alts]
    return " ".join([*analysed.terms, *named, *alternatives])


def row_key(row: dict) -> str:
    """A digest of everything the collection derives from a passage row."""
    parts = [lexical_document(row), dense.passage_text(row) or "", dense.question_text(row) or ""]
    parts += [row["kind"], str(row["year"] or 0), row["section"] or "", row["source_id"]]
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


class MilvusSearcher:
    """The Searcher interface of bedside.search.engine, on a Milvus collection."""

    def __init__(
        self,
        store: Store,
        index_dir: Path,
        known_vector_dirs: list[Path] | None = None,
        uri: str = "",
        token: str = "",
        collection: str = COLLECTION,
    ):
        self.store = store
        self.uri = uri or str(index_dir.parent / "milvus.db")
        self.collection = collection
        # The local dense index folder is read, never written: its vectors are reused when present.
        self.known_vector_dirs = [*(known_vector_dirs or []), index_dir / "dense"]
        self.vocabulary_path = index_dir / "milvus-vocabulary"
        self.vocabulary: Vocabulary | None = None
        self._encoder: Encoder | None = None
        self._loaded = False
        self.client = self._connect(token)

    def _connect(self, token: str):
        pymilvus = _milvus()
        if is_lite(self.uri):
            if not self.uri.endswith(".db"):
                raise SearchUnavailable(f"BEDSIDE_MILVUS_URI {self.uri!r}: a Milvus Lite file must end in .db")
            Path(self.uri).expanduser().parent.mkdir(parents=True, exist_ok=True)
        try:
            return pymilvus.MilvusClient(uri=self.uri, token=token, timeout=CONNECT_TIMEOUT)
        except Exception as exc:  # MilvusException, grpc errors, a Lite server that did not start
            raise SearchUnavailable(f"cannot reach Milvus at {shown(self.uri)}: {_reason(exc)}") from exc

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = Encoder.load()
        return self._encoder

    # --- keeping the collection in step with the store ------------------------------------------
    def collection_generation(self) -> int | None:
        with self._errors():
            if not self.client.has_collection(self.collection):
                return None
            properties = self.client.describe_collection(self.collection).get("properties") or {}
        value = properties.get(GENERATION_PROPERTY)
        return int(value) if value is not None else None

    def is_stale(self) -> bool:
        generation = self.store.generation()
        return self.collection_generation() != generation or built_generation(self.vocabulary_path) != generation

    def refresh(
        self,
        on_index_progress: Callable[[int], None] | None = None,
        on_embed_progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """Bring the collection and the vocabulary up to the store's generation, then load them."""
        generation = self.store.generation()
        if self.collection_generation() != generation:
            self._sync(generation, on_index_progress, on_embed_progress)
        if built_generation(self.vocabulary_path) != generation:
            builder = VocabularyBuilder()
            for _ in builder.observe(self.store.iter_passages_for_index()):
                pass
            with building(self.vocabulary_path, generation) as staging:
                builder.save(staging / VOCABULARY_FILE)
        self.vocabulary = Vocabulary.load(self.vocabulary_path / VOCABULARY_FILE)
        with self._errors():
            self.client.load_collection(self.collection)
        self._loaded = True

    def _create_collection(self) -> None:
        pymilvus = _milvus()
        data_type = pymilvus.DataType
        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("passage_id", data_type.VARCHAR, max_length=512, is_primary=True)
        schema.add_field("source_id", data_type.VARCHAR, max_length=512)
        schema.add_field("kind", data_type.VARCHAR, max_length=40)
        schema.add_field("year", data_type.INT64)
        schema.add_field("section", data_type.VARCHAR, max_length=1024)
        schema.add_field("has_question", data_type.BOOL)
        schema.add_field("text_key", data_type.VARCHAR, max_length=32)
        schema.add_field(
            "lexical", data_type.VARCHAR, max_length=MAX_VARCHAR, enable_analyzer=True, analyzer_params=ANALYZER
        )
        schema.add_field("sparse", data_type.SPARSE_FLOAT_VECTOR)
        schema.add_field("passage_vec", data_type.FLOAT_VECTOR, dim=dense.DIM)
        schema.add_field("question_vec", data_type.FLOAT_VECTOR, dim=dense.DIM)
        schema.add_function(
            pymilvus.Function(
                name="lexical_bm25",
                function_type=pymilvus.FunctionType.BM25,
                input_field_names=["lexical"],
                output_field_names=["sparse"],
            )
        )
        index = self.client.prepare_index_params()
        index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        # AUTOINDEX: exact (FLAT) in Milvus Lite, HNSW-like on a server; inner product = cosine here.
        index.add_index("passage_vec", index_type="AUTOINDEX", metric_type="IP")
        index.add_index("question_vec", index_type="AUTOINDEX", metric_type="IP")
        self.client.create_collection(self.collection, schema=schema, index_params=index)

    def _held(self) -> dict[str, str]:
        """passage id → text key of every passage the collection holds."""
        held: dict[str, str] = {}
        # Milvus Lite cannot give the iterator a server timestamp and logs a harmless warning saying so.
        logging.getLogger("pymilvus").setLevel(logging.ERROR)
        iterator = self.client.query_iterator(
            self.collection, batch_size=5000, filter="", output_fields=["passage_id", "text_key"]
        )
        while batch := iterator.next():
            held.update((r["passage_id"], r["text_key"]) for r in batch)
        iterator.close()
        return held

    def _sync(
        self,
        generation: int,
        on_index_progress: Callable[[int], None] | None,
        on_embed_progress: Callable[[int, int], None] | None,
    ) -> None:
        with self._errors():
            if not self.client.has_collection(self.collection):
                self._create_collection()
            self.client.load_collection(self.collection)
            held = self._held()
            known = {view: dense.known_vectors(self.known_vector_dirs, view) for view in dense.VIEWS}
            seen = embedded = 0
            for rows in batched(self.store.iter_passages_for_index(), SYNC_BATCH):
                keys = [row_key(row) for row in rows]
                changed = [
                    (row, key) for row, key in zip(rows, keys, strict=True) if held.pop(row["passage_id"], None) != key
                ]
                if changed:
                    embedded += self._upsert(changed, known, on_embed_progress)
                seen += len(rows)
                if on_index_progress:
                    on_index_progress(seen)
            gone = list(held)
            for chunk in batched(gone, SYNC_BATCH):
                self.client.delete(self.collection, ids=chunk)
            self.client.flush(self.collection)
            self.client.alter_collection_properties(self.collection, properties={GENERATION_PROPERTY: str(generation)})
        self.last_sync = {"passages": seen, "deleted": len(gone), "embedded": embedded}

    def _upsert(self, changed: list[tuple[dict, str]], known: dict, on_embed_progress) -> int:
        rows = [row for row, _ in changed]
        vectors, embedded = {}, 0
        for view, text_of in dense.VIEWS.items():
            missing = sum(
                1 for r in rows if (t := text_of(r)) and (r["passage_id"], dense.text_key(t)) not in known[view]
            )
            embedded += missing
            ids, _, matrix = dense.embed_rows(
                rows, text_of, known[view], lambda texts: self.encoder.encode(texts), on_embed_progress
            )
            vectors[view] = dict(zip(ids, matrix, strict=True))
        zero = [0.0] * dense.DIM
        records = []
        for row, key in changed:
            pid = row["passage_id"]
            question = vectors["question"].get(pid)
            records.append(
                {
                    "passage_id": pid,
                    "source_id": row["source_id"],
                    "kind": row["kind"],
                    "year": int(row["year"] or 0),
                    "section": _clip(row["section"] or "")[:1000],
                    "has_question": question is not None,
                    "text_key": key,
                    "lexical": lexical_document(row),
                    "passage_vec": vectors["passage"][pid].tolist(),
                    "question_vec": question.tolist() if question is not None else zero,
                }
            )
        self.client.upsert(self.collection, records)
        return embedded

    # --- searching ------------------------------------------------------------------------------
    def search(self, text: str, k: int = 10, method: str = DEFAULT_METHOD) -> list[dict]:
        return self.search_many([text], k, method)[0]

    def search_many(
        self, texts: list[str], k: int = 10, method: str = DEFAULT_METHOD, question_field: bool = True
    ) -> list[list[dict]]:
        """As Searcher.search_many; ``question_field`` is accepted for the same calls, but this backend
        has no separate BM25 over the questions (its text field holds them, repeated)."""
        check_request(texts, k, method)
        if not self._loaded:
            self.refresh()
        vectors = self.encoder.encode_queries(texts) if method != "bm25" else [None] * len(texts)
        with self._errors():
            ranked = [self._rank(text, vector, k, method) for text, vector in zip(texts, vectors, strict=True)]
        found = self.store.passages_by_id({pid for scored in ranked for pid, _ in scored})
        return [Searcher._hits(scored, found, k, method) for scored in ranked]

    def similarity(self, text: str, passage_ids: list[str]) -> list[float]:
        if not passage_ids:
            return []
        if not self._loaded:
            self.refresh()
        vector = self.encoder.encode_queries([text])[0]
        with self._errors():
            rows = self.client.get(self.collection, ids=list(dict.fromkeys(passage_ids)), output_fields=["passage_vec"])
        stored = {r["passage_id"]: np.asarray(r["passage_vec"], dtype=np.float32) for r in rows}
        return [float(stored[pid] @ vector) if pid in stored else 0.0 for pid in passage_ids]

    def _rank(self, text: str, vector, k: int, method: str) -> list[tuple[str, float]]:
        pymilvus = _milvus()
        if method == "bm25":
            return self._single(" ".join(q.terms(text)), "sparse", k)
        if method == "dense":
            return self._single(vector.tolist(), "passage_vec", k)
        analysed = q.analyse(text, self.vocabulary)
        lexical = pymilvus.AnnSearchRequest(
            data=[lexical_query(analysed)], anns_field="sparse", param={}, limit=CANDIDATES
        )
        requests = [lexical] * LEXICAL_REPEATS + [
            pymilvus.AnnSearchRequest(data=[vector.tolist()], anns_field="passage_vec", param={}, limit=CANDIDATES),
            pymilvus.AnnSearchRequest(
                data=[vector.tolist()],
                anns_field="question_vec",
                param={},
                limit=CANDIDATES,
                expr="has_question == true",
            ),
        ]
        # Keep more than k so the priors can promote a slightly lower passage of better evidence.
        limit = max(k * 2, 20)
        result = self.client.hybrid_search(
            self.collection, requests, ranker=pymilvus.RRFRanker(60), limit=limit, output_fields=["passage_id"]
        )
        return [(hit["passage_id"], float(hit["distance"])) for hit in result[0]]

    def _single(self, data, field: str, k: int) -> list[tuple[str, float]]:
        result = self.client.search(
            self.collection, data=[data], anns_field=field, limit=k, output_fields=["passage_id"]
        )
        return [(hit["passage_id"], float(hit["distance"])) for hit in result[0]]

    def _errors(self):
        return _Translate(self.uri)


class _Translate:
    """Turns whatever Milvus raises into SearchUnavailable naming the URI (503 on the web)."""

    def __init__(self, uri: str):
        self.uri = uri

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, _tb):
        if exc is None or isinstance(exc, (SearchUnavailable, q.QueryError)):
            return False
        pymilvus = _milvus()
        if isinstance(exc, pymilvus.MilvusException) or type(exc).__module__.startswith("grpc"):
            raise SearchUnavailable(f"Milvus at {shown(self.uri)} failed: {_reason(exc)}") from exc
        return False


def _reason(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return message.strip().splitlines()[0]
