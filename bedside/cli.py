"""The `bedside` command: ingest, search, and the starter library.

Exit codes: 0 success, 2 bad input (a message on stderr naming the problem), 1 internal error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from bedside.answer.engine import QuestionError, check_question
from bedside.answer.render import to_rich
from bedside.config import Settings
from bedside.core import AUDIENCES, Bedside
from bedside.editorial.cli import review_app, users_app
from bedside.eval import answers as answers_eval
from bedside.eval import retrieval as retrieval_eval
from bedside.eval.readability import Readability
from bedside.library import starter
from bedside.library.ingest import IngestReport, ingest
from bedside.search.engine import METHODS
from bedside.search.query import QueryError

app = typer.Typer(help="Cited answers to clinical questions, from evidence you can see.", no_args_is_help=True)
starter_app = typer.Typer(help="The bundled starter library.", no_args_is_help=True)
app.add_typer(starter_app, name="starter")
eval_app = typer.Typer(help="Evaluation on the development sets, scored by the shared scorer.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(users_app, name="users")
app.add_typer(review_app, name="review")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

HIT_FIELDS = ("passage_id", "source_id", "title", "section", "text", "score", "kind", "year", "url", "origin")


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", markup=True, highlight=False, soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def progress_bar(description: str) -> Iterator[Progress]:
    columns = [
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,}"),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        yield progress


def open_bedside() -> Bedside:
    """Open the library, loading the starter library and building indexes on first use."""
    try:
        bedside = Bedside.open(Settings.from_env())
    except ValueError as exc:
        raise fail(str(exc)) from exc
    if bedside.wants_starter():
        with progress_bar("Loading the starter library") as progress:
            task = progress.add_task("Loading the starter library", total=None)
            bedside.seed_starter(lambda path, n: progress.update(task, description=f"Loading {path.name}", completed=n))
    refresh_indexes(bedside)
    return bedside


def refresh_indexes(bedside: Bedside) -> None:
    """Bring the search indexes up to date with the library, embedding only new passages."""
    if not bedside.searcher.is_stale():
        return
    with progress_bar("Indexing passages") as progress:
        index = progress.add_task("Indexing passages", total=bedside.store.counts()["passages"])
        embed = progress.add_task("Embedding new passages", total=None, visible=False)
        bedside.searcher.refresh(
            lambda n: progress.update(index, completed=n),
            lambda done, total: progress.update(embed, completed=done, total=total, visible=True),
        )


@app.command("ingest")
def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders, in any supported format.")],
) -> None:
    """Load files or folders into the library (idempotent: unchanged content is skipped).

    Formats: MedQuAD XML, PubMed/MEDLINE XML (.xml, .xml.gz), MEDLINE text, PubMedQA JSON, FDA label
    indications, DailyMed SPL XML, OpenStax CNXML collections, Markdown/HTML with front matter, and
    bedside's own JSON Lines.
    """
    bedside = open_bedside()
    with progress_bar("Ingesting") as progress:
        task = progress.add_task("Ingesting", total=None)
        report = ingest(
            bedside.store, paths, lambda path, n: progress.update(task, description=f"{path.name}", completed=n)
        )
    if report.changed:
        refresh_indexes(bedside)
    print_report(report)
    if report.errors:
        raise typer.Exit(2)


def print_report(report: IngestReport) -> None:
    err.print(
        f"{report.added:,} sources added, {report.updated:,} updated, {report.skipped:,} unchanged "
        f"({report.passages:,} passages read) from {report.files_read:,} files; "
        f"{report.files_unchanged:,} files already ingested, {len(report.files_ignored):,} not in a known format, "
        f"{len(report.errors):,} errors."
    )
    for message in report.errors:
        err.print(f"[red]error:[/red] {message}", markup=True, highlight=False, soft_wrap=True)


@app.command("ask")
def ask_command(
    question: Annotated[str | None, typer.Argument(help="The clinical question.")] = None,
    audience: Annotated[str, typer.Option(help="clinician or patient.")] = "clinician",
    follow_up: Annotated[str | None, typer.Option("--follow-up", help="The id of the article this follows.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The Article as one JSON object on stdout.")] = False,
    batch: Annotated[Path | None, typer.Option(help="JSON Lines of {id, question}; one article line each.")] = None,
) -> None:
    """Answer a clinical question with a cited article (stored, pending review)."""
    if audience not in AUDIENCES:
        raise fail(f"unknown audience {audience!r}; use one of {', '.join(AUDIENCES)}")
    if batch is not None:
        run_batch(batch, question, "QUESTION", lambda bedside, line: batch_ask(bedside, line, audience))
        return
    if question is None:
        raise fail("give a QUESTION (or --batch FILE)")
    try:
        check_question(question)
    except QuestionError as exc:
        raise fail(str(exc)) from exc
    bedside = open_bedside()
    try:
        article = bedside.ask(question, audience, follow_up)
    except QuestionError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        emit(article.to_json())
    else:
        out.print(to_rich(article))


def run_batch(
    batch: Path, single: str | None, single_name: str, answer_line: Callable[[Bedside, str], dict | None]
) -> None:
    """One JSON line out per line in, in order, with the library loaded once."""
    if single is not None:
        raise fail(f"give either a {single_name} or --batch FILE, not both")
    lines = read_batch(batch)
    bedside = open_bedside()
    for line in lines:
        emit(answer_line(bedside, line))


def batch_ask(bedside: Bedside, line: str, audience: str) -> dict | None:
    if not line.strip():
        return None
    try:
        record_id, text = parse_batch_line(line, "question")
    except BatchLineError as exc:
        return {"id": exc.record_id, "error": str(exc)}
    try:
        return {"id": record_id, "article": bedside.ask(text, audience).to_json()}
    except QuestionError as exc:
        return {"id": record_id, "error": str(exc)}


@app.command("search")
def search_command(
    query: Annotated[str | None, typer.Argument(help="What to look for.")] = None,
    k: Annotated[int, typer.Option("-k", help="How many passages to return.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    batch: Annotated[Path | None, typer.Option(help="JSON Lines of {id, query}; one result line each.")] = None,
) -> None:
    """Search the library's passages, best first."""
    if batch is not None:
        run_batch(batch, query, "QUERY", lambda bedside, line: batch_search(bedside, line, k))
        return
    if query is None:
        raise fail("give a QUERY (or --batch FILE)")
    bedside = open_bedside()
    try:
        hits = [public_hit(h) for h in bedside.searcher.search(query, k)]
    except QueryError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        emit({"query": query, "results": hits})
    else:
        print_hits(hits)


def public_hit(hit: dict) -> dict:
    return {f: hit[f] for f in HIT_FIELDS}


def read_batch(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise fail(f"{path}: no such file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"{path}: cannot be read as UTF-8 text ({exc})") from exc


class BatchLineError(ValueError):
    def __init__(self, record_id: object, message: str):
        super().__init__(message)
        self.record_id = record_id


def parse_batch_line(line: str, field: str) -> tuple[object, str]:
    """(id, text) of one batch line, or a BatchLineError carrying the id (when there is one) and why."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BatchLineError(None, f"not JSON ({exc.msg})") from exc
    if not isinstance(record, dict):
        raise BatchLineError(None, "not a JSON object")
    text = record.get(field)
    if not isinstance(text, str):
        raise BatchLineError(record.get("id"), f'no "{field}" string')
    return record.get("id"), text


def batch_search(bedside: Bedside, line: str, k: int) -> dict | None:
    if not line.strip():
        return None
    try:
        record_id, text = parse_batch_line(line, "query")
    except BatchLineError as exc:
        return {"id": exc.record_id, "error": str(exc)}
    try:
        hits = bedside.searcher.search(text, k)
    except QueryError as exc:
        return {"id": record_id, "error": str(exc)}
    return {"id": record_id, "results": [public_hit(h) for h in hits]}


def emit(record: dict | None) -> None:
    if record is not None:
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        sys.stdout.flush()


def print_hits(hits: list[dict]) -> None:
    if not hits:
        out.print("No passages found.")
    for rank, hit in enumerate(hits, start=1):
        year = f", {hit['year']}" if hit["year"] else ""
        out.print(f"[bold]{rank}. {hit['title']}[/bold]  [dim]{hit['kind']}{year} · score {hit['score']}[/dim]")
        if hit["section"]:
            out.print(f"   [italic]{hit['section']}[/italic]")
        text = hit["text"]
        out.print("   " + (text[:300] + "…" if len(text) > 300 else text), markup=False)
        out.print(f"   [dim]{hit['url'] or hit['source_id']}[/dim]")


@starter_app.command("build")
def starter_build(
    shared_data: Annotated[Path, typer.Option("--from", help="The shared data folder.")] = Path("../shared/data"),
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write it.")] = Path("data/starter"),
) -> None:
    """Rebuild the starter library from ../shared/data with bedside's own loaders."""
    if not shared_data.is_dir():
        raise fail(f"{shared_data}: no such folder")
    for name, counts in starter.build(shared_data, out_dir).items():
        out.print(f"{name}: {counts['sources']:,} sources, {counts['passages']:,} passages")


@starter_app.command("vectors")
def starter_vectors(
    starter_dir: Annotated[Path, typer.Option("--dir", help="The starter library folder.")] = Path("data/starter"),
) -> None:
    """Embed the starter library's passages once and write the vector file shipped beside it."""
    if not starter.files(starter_dir):
        raise fail(f"{starter_dir}: holds no starter library (run `bedside starter build` first)")
    with progress_bar("Embedding passages") as progress:
        task = progress.add_task("Embedding passages", total=None)
        counts = starter.build_vectors(
            starter_dir, lambda done, total: progress.update(task, completed=done, total=total)
        )
    for view, n in counts.items():
        out.print(f"{n:,} {view} vectors in {starter_dir}")


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The port to listen on.", min=1, max=65535)] = 8000,
) -> None:
    """Run the web app and the JSON API (OpenAPI at /docs)."""
    import uvicorn

    from bedside.web.app import create_app

    bedside = open_bedside()
    err.print(f"bedside on http://{host}:{port}/ (API reference at /docs); Ctrl+C stops it")
    uvicorn.run(create_app(bedside), host=host, port=port, log_level="info", proxy_headers=False)


@app.command("status")
def status_command() -> None:
    """Where the library lives and what it holds."""
    bedside = open_bedside()
    counts = bedside.store.counts()
    out.print(f"home: {bedside.settings.home}\nstore: {bedside.settings.database_url}")
    out.print(f"{counts['sources']:,} sources, {counts['passages']:,} passages")


@eval_app.command("answers")
def eval_answers(
    gold: Annotated[Path, typer.Option(help="K-QA style questions with must-have statements.")] = answers_eval.KQA,
    scorer: Annotated[Path, typer.Option(help="The shared scorer.")] = retrieval_eval.SHARED_EVAL / "score.py",
    limit: Annotated[int | None, typer.Option(help="Only the first N questions.")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Where to write the answer files.")] = None,
) -> None:
    """Must-have coverage of articles on K-QA, beside the top-hit baseline and the reference ceiling."""
    for path in (gold, scorer):
        if not path.is_file():
            raise fail(f"{path}: no such file")
    bedside = open_bedside()
    out_dir = out_dir or bedside.settings.home / "eval"
    out_dir.mkdir(parents=True, exist_ok=True)
    subset = answers_eval.write_gold_subset(gold, out_dir / "gold.jsonl", limit)

    readability = Readability()

    def article_text(question: str) -> str:
        try:
            article = bedside.answerer.answer(question)
        except QuestionError:
            return ""
        readability.add(article, bedside.for_audience(article, "patient"))
        return article.plain_text()

    def top_hit(question: str) -> str:
        try:
            hits = bedside.searcher.search(question, 1)
        except QueryError:
            return ""
        return hits[0]["text"] if hits else ""

    results = {}
    for name, answer in (("bedside", article_text), ("top_hit", top_hit)):
        path = out_dir / f"answers-{name}.jsonl"
        answers_eval.write_answers(path, subset, answer)
        results[name] = answers_eval.score(subset, path, scorer)
    reference = out_dir / "answers-reference.jsonl"
    reference.write_text(
        "".join(json.dumps({"id": r["id"], "answer": r["answer"]}) + "\n" for r in answers_eval.questions(subset))
    )
    results["reference_ceiling"] = answers_eval.score(subset, reference, scorer)
    results["readability"] = readability.summary()
    emit(results)


@eval_app.command("retrieval")
def eval_retrieval(
    questions: Annotated[Path, typer.Option(help="LiveQA-style questions (JSON Lines).")] = (
        retrieval_eval.SHARED_EVAL / "liveqa-medquad" / "questions.jsonl"
    ),
    qrels: Annotated[Path, typer.Option(help="Graded judgements.")] = (
        retrieval_eval.SHARED_EVAL / "liveqa-medquad" / "qrels.txt"
    ),
    scorer: Annotated[Path, typer.Option(help="The shared scorer.")] = retrieval_eval.SHARED_EVAL / "score.py",
    method: Annotated[str, typer.Option(help=f"One of: {', '.join(METHODS)}.")] = "hybrid+priors",
    run: Annotated[Path | None, typer.Option(help="Where to write the TREC run file.")] = None,
) -> None:
    """Score retrieval on LiveQA-Med (nDCG@10, MAP@10, MRR@10, P@5), and the ceiling of this library."""
    for path in (questions, qrels, scorer):
        if not path.is_file():
            raise fail(f"{path}: no such file")
    if method not in METHODS:
        raise fail(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    bedside = open_bedside()
    run = run or bedside.settings.home / f"run-{method}.txt"
    retrieval_eval.write_run(questions, run, lambda text, k: bedside.searcher.search(text, k, method=method))
    ceiling = run.with_name("run-ceiling.txt")
    retrieval_eval.ceiling_run(qrels, ceiling)
    emit(
        {
            "method": method,
            "run": str(run),
            "scores": retrieval_eval.score(qrels, run, scorer),
            "ceiling": retrieval_eval.score(qrels, ceiling, scorer),
        }
    )
