"""The editorial core against real SQLite: accounts, tokens, sessions, the workflow, versions, the audit log,
concurrent reviewers and interrupted reviews."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from bedside.answer.article import Article, Evidence, Statement
from bedside.config import REPO_ROOT
from bedside.editorial import workflow as workflow_module
from bedside.editorial.articles import ArticleStore, new_article_id
from bedside.editorial.schema import article_versions, audit_log, reviews, users
from bedside.editorial.users import AccountError, Accounts, User
from bedside.editorial.workflow import ReviewError
from bedside.library.store import make_engine

PASSWORD = "correct horse battery staple"
INJECTION = "x'); DROP TABLE articles; -- \" OR 1=1 <script>alert(1)</script>"


def make_article(text_: str = "Ketamine infusions reduce pain in CRPS.") -> Article:
    stamp = "2026-01-01T00:00:00+00:00"
    return Article(
        id=new_article_id(),
        question="Ketamine for CRPS?",
        audience="clinician",
        status="submitted",
        created_at=stamp,
        updated_at=stamp,
        abstained=False,
        bottom_line=[Statement(text_, [1], [Evidence(1, "p1", text_)])],
        sections=[],
        pitfalls=[],
        references=[],
    )


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'bedside.db'}"


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def store(engine) -> ArticleStore:
    return ArticleStore(engine)


@pytest.fixture
def accounts(store) -> Accounts:
    return Accounts(store.engine)


ALICE = User("alice", "reviewer")
BOB = User("bob", "reviewer")
EDDIE = User("eddie", "editor")


def count(engine, table, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


# --- accounts ------------------------------------------------------------------------------------
def test_accounts_hash_passwords_and_check_input(accounts, engine):
    accounts.add("alice", "reviewer", PASSWORD)
    with engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert accounts.authenticate("alice", PASSWORD) == User("alice", "reviewer")
    assert accounts.authenticate("alice", PASSWORD + "x") is None
    assert accounts.authenticate("nobody", PASSWORD) is None
    with pytest.raises(AccountError, match="already exists"):
        accounts.add("alice", "editor", PASSWORD)
    with pytest.raises(AccountError, match="unknown role"):
        accounts.add("carol", "superuser", PASSWORD)
    with pytest.raises(AccountError, match="too short"):
        accounts.add("carol", "reader", "short")
    with pytest.raises(AccountError, match="user name"):
        accounts.add(" carol", "reader", PASSWORD)
    assert [u.name for u in accounts.list()] == ["alice"]
    accounts.remove("alice")
    assert accounts.list() == [] and accounts.authenticate("alice", PASSWORD) is None
    with pytest.raises(AccountError, match="no user"):
        accounts.remove("alice")
    with engine.connect() as conn:  # the audit log names the accounts, never a password
        logged = repr(conn.execute(select(audit_log)).all())
    assert "user_added" in logged and "user_removed" in logged and PASSWORD not in logged


def test_tokens_are_hashed_revocable_and_unforgeable(accounts, engine):
    accounts.add("alice", "reviewer", PASSWORD)
    token = accounts.issue_token("alice")
    assert accounts.user_for_token(token) == User("alice", "reviewer", accounts.get("alice").created_at)
    with engine.connect() as conn:
        assert token not in repr(conn.execute(text("select * from api_tokens")).all())
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert accounts.user_for_token(forged) is None
    assert accounts.user_for_token("bsd_" + "A" * 43) is None
    assert accounts.user_for_token(INJECTION) is None
    second = accounts.issue_token("alice")
    assert accounts.revoke_tokens("alice") == 2
    assert accounts.user_for_token(token) is None and accounts.user_for_token(second) is None
    third = accounts.issue_token("alice")
    accounts.remove("alice")  # removing the account kills its tokens too
    assert accounts.user_for_token(third) is None
    with pytest.raises(AccountError):
        accounts.issue_token("nobody")


def test_sessions_are_new_at_each_sign_in_and_end_at_sign_out(accounts):
    accounts.add("alice", "reviewer", PASSWORD)
    user = accounts.get("alice")
    first, session = accounts.start_session(user)
    second, _ = accounts.start_session(user)
    assert first != second and len(first) >= 40
    assert accounts.session(first).user.name == "alice" and accounts.session(first).csrf_token == session.csrf_token
    assert accounts.session("made-up-by-an-attacker") is None
    accounts.end_session(first)
    assert accounts.session(first) is None and accounts.session(second) is not None


def test_failed_sign_ins_are_throttled_per_name(accounts):
    for _ in range(5):
        assert not accounts.throttled("alice", "10.0.0.1")
        accounts.record_failure("alice", "10.0.0.1")
    assert accounts.throttled("alice", "10.0.0.2")
    assert not accounts.throttled("bob", "10.0.0.2")
    accounts.clear_failures("alice")
    assert not accounts.throttled("alice", "10.0.0.1")


# --- the workflow --------------------------------------------------------------------------------
def test_submitted_under_review_approved(store, engine):
    article = make_article()
    store.save(article)
    state = store.review_state(article.id)
    assert state["status"] == "submitted" and state["approved_version"] is None and not state["pending_newer_version"]
    store.workflow.decide(article.id, "start", ALICE)
    assert store.get(article.id).status == "under_review"
    review = store.workflow.decide(article.id, "approve", BOB, "Accurate and well cited.", version=1)
    assert review["decision"] == "approve" and review["version"] == 1
    state = store.review_state(article.id)
    assert (state["status"], state["reviewer"], state["approved_version"]) == ("approved", "bob", 1)
    assert state["approved_at"]
    shown = store.published(article.id)
    assert shown.status == "approved" and shown.meta["approved_by"] == "bob"
    history = store.workflow.history(article.id)
    assert [e["action"] for e in history["audit"]] == ["created", "start", "approve"]
    assert [(e["actor"], e["version"]) for e in history["audit"]] == [("bedside", 1), ("alice", 1), ("bob", 1)]
    assert history["audit"][2]["comment"] == "Accurate and well cited."
    assert [r["decision"] for r in history["reviews"]] == ["start", "approve"]


def test_changes_requested_then_a_new_version_re_enters_review(store):
    article = make_article()
    store.save(article)
    store.workflow.decide(article.id, "start", ALICE)
    with pytest.raises(ReviewError) as err:
        store.workflow.decide(article.id, "request_changes", ALICE, "   ")
    assert err.value.status_code == 422 and "comment" in err.value.reason
    store.workflow.decide(article.id, "request_changes", ALICE, "Cite the 2019 guideline.")
    assert store.review_state(article.id)["status"] == "changes_requested"
    new = store.add_version(article.id, make_article("Edited statement."), by="eddie", expected_version=1)
    assert (new.version, new.status, new.id) == (2, "submitted", article.id)
    assert store.get(article.id).bottom_line[0].text == "Edited statement."
    assert store.get_version(article.id, 1).bottom_line[0].text.startswith("Ketamine")
    assert store.get_version(article.id, 1).status == "changes_requested"
    store.workflow.decide(article.id, "start", EDDIE)
    with pytest.raises(ReviewError) as err:  # an editor does not approve their own version
        store.workflow.decide(article.id, "approve", EDDIE)
    assert err.value.status_code == 403
    store.workflow.decide(article.id, "approve", ALICE, version=2)
    assert store.published(article.id).version == 2


def test_readers_see_the_approved_version_while_a_newer_one_waits(store):
    article = make_article("Version one.")
    store.save(article)
    store.workflow.decide(article.id, "start", ALICE)
    store.workflow.decide(article.id, "approve", ALICE)
    store.add_version(article.id, make_article("Version two."), by="bedside", reason="regenerated")
    state = store.review_state(article.id)
    assert state["pending_newer_version"] and state["shown_version"] == 1 and state["version"] == 2
    shown = store.published(article.id)
    assert shown.bottom_line[0].text == "Version one." and shown.status == "approved"
    assert store.get(article.id).bottom_line[0].text == "Version two."
    # A version still waiting when a newer one arrives is superseded; the approved one stays approved.
    store.workflow.decide(article.id, "start", ALICE)
    store.add_version(article.id, make_article("Version three."), by="bedside", reason="regenerated")
    versions = {v["version"]: v["status"] for v in store.workflow.history(article.id)["versions"]}
    assert versions == {1: "approved", 2: "superseded", 3: "submitted"}


@pytest.mark.parametrize(
    ("steps", "decision", "user", "version", "code", "reason"),
    [
        ([], "approve", ALICE, None, 409, "only one that is under review"),
        ([], "request_changes", ALICE, None, 409, "under review"),
        (["start"], "start", ALICE, None, 409, "under review"),
        (["start", "approve"], "approve", ALICE, None, 409, "approved"),
        (["start"], "publish", ALICE, None, 422, "unknown decision"),
        (["start"], None, ALICE, None, 422, "unknown decision"),
        ([], "start", User("rita", "reader"), None, 403, "reader role may not review"),
        ([], "start", User("adam", "admin"), None, 403, "admin role may not review"),
        (["start"], "approve", ALICE, 7, 409, "not the current version"),
        (["start"], "approve", ALICE, "1", 422, "whole number"),
    ],
)
def test_invalid_steps_are_refused_with_a_reason(store, steps, decision, user, version, code, reason):
    article = make_article()
    store.save(article)
    for step in steps:
        store.workflow.decide(article.id, step, ALICE)
    before = store.workflow.history(article.id)
    with pytest.raises(ReviewError) as err:
        store.workflow.decide(article.id, decision, user, "a comment", version=version)
    assert err.value.status_code == code and reason in err.value.reason
    assert store.workflow.history(article.id) == before


def test_unknown_article_is_404(store):
    with pytest.raises(ReviewError) as err:
        store.workflow.decide(INJECTION, "start", ALICE)
    assert err.value.status_code == 404
    assert store.review_state(INJECTION) is None and store.workflow.history(INJECTION) is None


def test_injection_strings_are_stored_literally(store, accounts, engine):
    accounts.add(INJECTION, "reviewer", INJECTION)
    assert accounts.authenticate(INJECTION, INJECTION).name == INJECTION
    user = accounts.get(INJECTION)
    article = make_article(INJECTION)
    store.save(article)
    store.workflow.decide(article.id, "start", user, INJECTION)
    store.workflow.decide(article.id, "request_changes", user, INJECTION)
    history = store.workflow.history(article.id)
    assert history["reviews"][-1]["comment"] == INJECTION and history["audit"][-1]["actor"] == INJECTION
    assert store.get(article.id).bottom_line[0].text == INJECTION
    assert count(engine, users) == 1 and store.get(article.id) is not None  # every table still there


def test_the_audit_log_refuses_updates_and_deletes(store, engine):
    article = make_article()
    store.save(article)
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as tx:
        tx.execute(audit_log.update().values(actor="mallory"))
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as tx:
        tx.execute(audit_log.delete())
    assert count(engine, audit_log) == 1
    assert store.workflow.history(article.id)["audit"][0]["actor"] == "bedside"


# --- concurrency and atomicity ---------------------------------------------------------------------
def race(db_url: str, article_id: str, moves: list[tuple[str, User, str]]) -> list[object]:
    """Run each (decision, user, comment) in its own thread with its own engine, all released at once."""
    barrier = threading.Barrier(len(moves))
    results: list[object] = [None] * len(moves)

    def act(i: int, decision: str, user: User, comment: str) -> None:
        engine = make_engine(db_url)
        store = ArticleStore(engine)
        barrier.wait()
        try:
            results[i] = store.workflow.decide(article_id, decision, user, comment)
        except ReviewError as exc:
            results[i] = exc
        finally:
            engine.dispose()

    threads = [threading.Thread(target=act, args=(i, *move)) for i, move in enumerate(moves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def assert_consistent(store: ArticleStore, article_id: str) -> None:
    """The head, the version rows, the reviews and the audit log tell one story."""
    history = store.workflow.history(article_id)
    status = "submitted"
    for review in history["reviews"]:
        assert review["from_status"] == status, history["reviews"]
        status = review["to_status"]
    assert status == history["status"]
    assert history["versions"][-1]["status"] == history["status"]
    assert [e["action"] for e in history["audit"][1:]] == [r["decision"] for r in history["reviews"]]


def test_concurrent_reviewers_leave_one_consistent_history(db_url, store, engine):
    article = make_article()
    store.save(article)
    reviewers = [User(f"reviewer{i}", "reviewer") for i in range(6)]
    started = race(db_url, article.id, [("start", r, "") for r in reviewers])
    assert sum(isinstance(r, dict) for r in started) == 1
    assert all(r.status_code == 409 for r in started if isinstance(r, ReviewError))
    decided = race(
        db_url,
        article.id,
        [("approve", r, "ok") if i % 2 else ("request_changes", r, f"fix {i}") for i, r in enumerate(reviewers)],
    )
    winners = [r for r in decided if isinstance(r, dict)]
    assert len(winners) == 1
    assert count(engine, reviews, reviews.c.article_id == article.id) == 2
    assert store.review_state(article.id)["status"] == winners[0]["to_status"]
    assert_consistent(store, article.id)


def test_a_new_version_racing_an_approval_never_approves_the_wrong_version(db_url, store):
    for _ in range(3):
        article = make_article()
        store.save(article)
        store.workflow.decide(article.id, "start", ALICE)
        barrier = threading.Barrier(2)
        outcome = {}

        def approve(article_id=article.id, barrier=barrier, outcome=outcome):
            local = ArticleStore(make_engine(db_url))
            barrier.wait()
            try:
                outcome["approve"] = local.workflow.decide(article_id, "approve", BOB, version=1)
            except ReviewError as exc:
                outcome["approve"] = exc

        def edit(article_id=article.id, barrier=barrier, outcome=outcome):
            local = ArticleStore(make_engine(db_url))
            barrier.wait()
            try:
                outcome["edit"] = local.add_version(article_id, make_article("new"), by="eddie", expected_version=1)
            except ReviewError as exc:
                outcome["edit"] = exc

        threads = [threading.Thread(target=approve), threading.Thread(target=edit)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        versions = {v["version"]: v for v in store.workflow.history(article.id)["versions"]}
        assert 2 in versions  # editing always succeeds: it may follow an approval
        if isinstance(outcome["approve"], dict):  # the approval came first and applies to version 1 only
            assert versions[1]["status"] == "approved" and versions[1]["decided_by"] == "bob"
        else:
            assert outcome["approve"].status_code == 409 and versions[1]["status"] == "superseded"
        assert versions[2]["status"] == "submitted" and store.get(article.id).version == 2


def test_a_failure_inside_a_step_writes_nothing(store, engine, monkeypatch):
    article = make_article()
    store.save(article)
    before = store.workflow.history(article.id)

    def broken_append(tx, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(workflow_module.audit, "append", broken_append)
    with pytest.raises(RuntimeError):
        store.workflow.decide(article.id, "start", ALICE)
    monkeypatch.undo()
    assert store.workflow.history(article.id) == before
    assert count(engine, reviews) == 0 and store.get(article.id).status == "submitted"
    store.workflow.decide(article.id, "start", ALICE)  # and the article is not stuck
    assert_consistent(store, article.id)


KILLED_REVIEWER = """
import sys, time
from pathlib import Path
from bedside.editorial import workflow
from bedside.editorial.articles import ArticleStore
from bedside.editorial.users import User
from bedside.library.store import make_engine

url, article_id, ready = sys.argv[1:4]
store = ArticleStore(make_engine(url))
real_append = workflow.audit.append

def append_then_hang(tx, **kwargs):
    real_append(tx, **kwargs)  # the head, the version and the review row are written by now, uncommitted
    Path(ready).write_text("in the transaction")
    time.sleep(600)

workflow.audit.append = append_then_hang
store.workflow.decide(article_id, "request_changes", User("alice", "reviewer"), "half-written?")
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_reviewer_process_killed_mid_step_leaves_no_half_written_review(db_url, store, engine, tmp_path):
    article = make_article()
    store.save(article)
    store.workflow.decide(article.id, "start", ALICE)
    before = store.workflow.history(article.id)
    ready = tmp_path / "ready"
    script = tmp_path / "reviewer.py"
    script.write_text(textwrap.dedent(KILLED_REVIEWER))
    process = subprocess.Popen(
        [sys.executable, str(script), db_url, article.id, str(ready)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert process.poll() is None, "the reviewer process ended early"
            assert time.monotonic() < deadline, "the reviewer process never reached its transaction"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    assert process.returncode == -signal.SIGKILL
    assert store.workflow.history(article.id) == before
    assert count(engine, reviews, reviews.c.decision == "request_changes") == 0
    assert count(engine, article_versions, article_versions.c.status == "changes_requested") == 0
    store.workflow.decide(article.id, "approve", BOB)  # the database is not left locked
    assert_consistent(store, article.id)
