"""`bedside users add/token/list/remove` and `bedside review queue/history`: passwords from stdin, never
printed; bad input exits 2 with a message and no traceback."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest

from bedside.answer.article import Article
from bedside.config import REPO_ROOT, Settings
from bedside.editorial.articles import ArticleStore, new_article_id
from bedside.editorial.users import Accounts
from bedside.library.store import make_engine

PASSWORD = "a long enough secret phrase"


def accounts() -> Accounts:
    return Accounts(make_engine(Settings.from_env().database_url))


def assert_bad_input(result, *words: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    assert "error:" in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


def test_add_list_token_remove(home, bedside, caplog):
    caplog.set_level(logging.DEBUG)
    result = bedside("users", "add", "alice", "--role", "reviewer", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "added alice (reviewer)" in result.stderr
    result = bedside("users", "add", "rita", "--role", "reader", input=PASSWORD + "\n")
    assert result.exit_code == 0
    listed = bedside("users", "list", "--json")
    assert [json.loads(line)["name"] for line in listed.stdout.splitlines()] == ["alice", "rita"]
    assert "reviewer" in bedside("users", "list").stdout

    token = bedside("users", "token", "alice")
    assert token.exit_code == 0
    value = token.stdout.strip()
    assert value.startswith("bsd_") and len(token.stdout.splitlines()) == 1 and "shown once" in token.stderr
    assert accounts().user_for_token(value).name == "alice"
    revoked = bedside("users", "token", "alice", "--revoke")
    assert revoked.exit_code == 0 and "revoked 1 token" in revoked.stderr
    assert accounts().user_for_token(value) is None

    removed = bedside("users", "remove", "rita")
    assert removed.exit_code == 0
    assert [u.name for u in accounts().list()] == ["alice"]

    everything = "".join(r.stdout + r.stderr for r in (result, listed, token, revoked, removed)) + caplog.text
    assert PASSWORD not in everything


@pytest.mark.parametrize(
    ("args", "stdin", "words"),
    [
        (["users", "add", "carol", "--role", "superuser"], PASSWORD + "\n", ["unknown role", "superuser"]),
        (["users", "add", "carol", "--role", "reviewer"], "short\n", ["too short"]),
        (["users", "add", "carol", "--role", "reviewer"], "", ["password on standard input"]),
        (["users", "add", " carol", "--role", "reviewer"], PASSWORD + "\n", ["user name"]),
        (["users", "add", "alice", "--role", "editor"], PASSWORD + "\n", ["already exists"]),
        (["users", "token", "nobody"], None, ["no user named 'nobody'"]),
        (["users", "token", "nobody", "--revoke"], None, ["no user named"]),
        (["users", "remove", "nobody"], None, ["no user named"]),
        (["review", "history", "no-such-article"], None, ["no article"]),
    ],
)
def test_bad_input_exits_2_with_a_message(home, bedside, args, stdin, words):
    assert bedside("users", "add", "alice", "--role", "reviewer", input=PASSWORD + "\n").exit_code == 0
    result = bedside(*args, input=stdin)
    assert_bad_input(result, *words)
    assert PASSWORD not in result.output + result.stderr and "short" not in result.stdout


def test_a_short_password_is_not_echoed(home, bedside):
    result = bedside("users", "add", "carol", "--role", "reviewer", input="hunter2\n")
    assert_bad_input(result, "too short")
    assert "hunter2" not in result.output + result.stderr
    assert accounts().get("carol") is None


def test_users_add_as_a_real_process_reads_stdin_and_prints_no_secret(home):
    command = [sys.executable, "-m", "bedside", "users", "add", "dr o'brien", "--role", "editor"]
    done = subprocess.run(command, input=PASSWORD + "\n", capture_output=True, text=True, cwd=REPO_ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    assert accounts().authenticate("dr o'brien", PASSWORD).role == "editor"
    done = subprocess.run(
        [*command[:-1], "root"], input=PASSWORD + "\n", capture_output=True, text=True, cwd=REPO_ROOT, timeout=120
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr and "unknown role" in done.stderr


def test_review_queue_and_history(home, bedside):
    store = ArticleStore(make_engine(Settings.from_env().database_url))
    article = Article(
        id=new_article_id(),
        question="Ketamine for CRPS?",
        audience="clinician",
        status="submitted",
        created_at="2026-01-01T00:00:00+00:00",
        updated_at="2026-01-01T00:00:00+00:00",
        abstained=True,
        bottom_line=[],
        sections=[],
        pitfalls=[],
        references=[],
    )
    store.save(article)
    queue = bedside("review", "queue", "--json")
    assert queue.exit_code == 0
    assert [json.loads(line)["id"] for line in queue.stdout.splitlines()] == [article.id]
    history = json.loads(bedside("review", "history", article.id).stdout)
    assert history["status"] == "submitted" and history["audit"][0]["action"] == "created"
