"""The editorial routes of the real web app (TestClient), on a copy of the starter library: sign-in, sessions,
CSRF, the review API and pages, versions, history, and the security properties of issue 6."""

from __future__ import annotations

import logging
import re
import shutil
import threading

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import func, select

from bedside.answer.article import Article
from bedside.config import Settings
from bedside.core import Bedside
from bedside.editorial.articles import new_article_id
from bedside.editorial.schema import users
from bedside.editorial.users import Accounts
from bedside.web.app import create_app
from bedside.web.review import SESSION_COOKIE

PASSWORD = "reviewer password 1234"
INJECTION = "'); DROP TABLE articles; -- \" OR 1=1 <script>alert('x')</script>"
QUESTION = "What are the treatments for complex regional pain syndrome?"


@pytest.fixture(scope="module")
def site(starter_home, tmp_path_factory):
    """The app on its own copy of the starter home (so these tests' users and reviews stay here)."""
    home = tmp_path_factory.mktemp("review-web") / "home"
    shutil.copytree(starter_home, home)
    bedside = Bedside.open(Settings.from_env({"BEDSIDE_HOME": str(home), "BEDSIDE_STARTER": "on"}))
    accounts = Accounts(bedside.articles.engine)
    for name, role in [("alice", "reviewer"), ("bob", "reviewer"), ("eddie", "editor"), ("rita", "reader")]:
        accounts.add(name, role, PASSWORD)
    accounts.add("adam", "admin", PASSWORD)
    app = create_app(bedside)
    with TestClient(app) as client:
        asked = bedside.ask(QUESTION)
        yield {
            "app": app,
            "bedside": bedside,
            "accounts": accounts,
            "client": client,
            "asked": asked,
            "tokens": {name: accounts.issue_token(name) for name in ("alice", "bob", "eddie", "rita", "adam")},
        }


@pytest.fixture
def anonymous(site) -> TestClient:
    return TestClient(site["app"])


def new_article(site) -> str:
    """A fresh article with the content the engine wrote for QUESTION (submitted, version 1)."""
    article = Article.from_json({**site["asked"].to_json(), "id": new_article_id()})
    site["bedside"].articles.save(article)
    return article.id


def bearer(site, name: str) -> dict:
    return {"Authorization": f"Bearer {site['tokens'][name]}"}


def review(client, site, article_id: str, name: str | None, decision: str, comment: str = "", **extra):
    headers = bearer(site, name) if name else {}
    return client.post(
        f"/api/articles/{article_id}/reviews", json={"decision": decision, "comment": comment, **extra}, headers=headers
    )


def sign_in(site, name: str, password: str = PASSWORD, client: TestClient | None = None) -> TestClient:
    client = client or TestClient(site["app"])
    page = client.get("/login")
    token = csrf_of(page.text)
    response = client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": token, "next": "/review"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


def csrf_of(text: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert match, "no CSRF field in the form"
    return match.group(1)


def state_of(site, article_id: str) -> dict:
    return site["bedside"].articles.review_state(article_id)


# --- credentials and roles ----------------------------------------------------------------------------------
def test_the_review_api_needs_credentials(site, anonymous):
    article_id = new_article(site)
    response = review(anonymous, site, article_id, None, "start")
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    for header in ("Basic YWxpY2U6cGFzc3dvcmQ=", "Bearer", "Bearer " + INJECTION, "Bearer bsd_" + "A" * 43):
        response = anonymous.post(
            f"/api/articles/{article_id}/reviews", json={"decision": "start"}, headers={"Authorization": header}
        )
        assert response.status_code == 401, header
    forged = site["tokens"]["alice"][:-3] + ("xyz" if not site["tokens"]["alice"].endswith("xyz") else "abc")
    response = anonymous.post(
        f"/api/articles/{article_id}/reviews", json={"decision": "start"}, headers={"Authorization": f"Bearer {forged}"}
    )
    assert response.status_code == 401
    assert state_of(site, article_id)["status"] == "submitted"
    assert anonymous.get(f"/api/articles/{article_id}/history").status_code == 200  # the history is public


def test_a_revoked_token_is_rejected(site, anonymous):
    accounts = site["accounts"]
    accounts.add("temp-reviewer", "reviewer", PASSWORD)
    token = accounts.issue_token("temp-reviewer")
    article_id = new_article(site)
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/articles/{article_id}/reviews"
    assert anonymous.post(url, json={"decision": "start"}, headers=headers).status_code == 201
    accounts.revoke_tokens("temp-reviewer")
    response = anonymous.post(url, json={"decision": "approve"}, headers=headers)
    assert response.status_code == 401 and "not valid" in response.json()["detail"]
    assert state_of(site, article_id)["status"] == "under_review"


@pytest.mark.parametrize("name", ["rita", "adam"])
def test_roles_that_may_not_review_get_403(site, anonymous, name):
    article_id = new_article(site)
    response = review(anonymous, site, article_id, name, "start")
    assert response.status_code == 403 and "may not review" in response.json()["detail"]
    review(anonymous, site, article_id, "alice", "start")
    response = review(anonymous, site, article_id, name, "approve")
    assert response.status_code == 403
    assert state_of(site, article_id)["status"] == "under_review"
    response = anonymous.post(
        f"/api/articles/{article_id}/versions", json={"regenerate": True}, headers=bearer(site, name)
    )
    assert response.status_code == 403


# --- the workflow through the API ---------------------------------------------------------------------------
def test_the_api_workflow_and_its_refusals(site, anonymous):
    article_id = new_article(site)
    response = review(anonymous, site, article_id, "alice", "approve")
    assert response.status_code == 409 and "under review" in response.json()["detail"]
    response = review(anonymous, site, article_id, "alice", "publish")
    assert response.status_code == 422 and "unknown decision" in response.json()["detail"]
    started = review(anonymous, site, article_id, "alice", "start", version=1)
    assert started.status_code == 201 and started.json()["state"]["status"] == "under_review"
    response = review(anonymous, site, article_id, "bob", "request_changes", "  ")
    assert response.status_code == 422 and "comment" in response.json()["detail"]
    response = review(anonymous, site, article_id, "bob", "approve", version=2)
    assert response.status_code == 409 and "not the current version" in response.json()["detail"]
    response = anonymous.post(
        f"/api/articles/{article_id}/reviews",
        json={"decision": "approve", "role": "admin"},
        headers=bearer(site, "bob"),
    )
    assert response.status_code == 422
    approved = review(anonymous, site, article_id, "bob", "approve", "Checked against the cited guideline.", version=1)
    assert approved.status_code == 201
    body = approved.json()
    assert body["review"]["reviewer"] == "bob" and body["state"]["approved_version"] == 1
    assert review(anonymous, site, article_id, "alice", "approve").status_code == 409
    assert review(anonymous, site, "no-such-article", "alice", "start").status_code == 404

    article = anonymous.get(f"/api/articles/{article_id}").json()
    assert article["status"] == "approved"
    history = anonymous.get(f"/api/articles/{article_id}/history").json()
    assert [v["version"] for v in history["versions"]] == [1]
    assert [r["decision"] for r in history["reviews"]] == ["start", "approve"]
    assert [(e["actor"], e["action"], e["version"]) for e in history["audit"]] == [
        ("bedside", "created", 1),
        ("alice", "start", 1),
        ("bob", "approve", 1),
    ]
    assert history["audit"][-1]["comment"] == "Checked against the cited guideline."
    assert anonymous.get("/api/articles/nope/history").status_code == 404


def test_new_versions_readers_see_the_approved_one(site, anonymous):
    article_id = new_article(site)
    review(anonymous, site, article_id, "alice", "start")
    review(anonymous, site, article_id, "alice", "approve")
    made = anonymous.post(
        f"/api/articles/{article_id}/versions", json={"regenerate": True, "version": 1}, headers=bearer(site, "eddie")
    )
    assert made.status_code == 201, made.text
    assert made.json()["article"]["version"] == 2 and made.json()["state"]["pending_newer_version"]
    shown = anonymous.get(f"/api/articles/{article_id}").json()
    assert (shown["version"], shown["status"]) == (1, "approved")
    page = anonymous.get(f"/articles/{article_id}").text
    assert "approved by <strong>alice</strong>" in page and "version 2) is pending review" in page

    edited = {**made.json()["article"], "bottom_line": made.json()["article"]["bottom_line"][:1]}
    response = anonymous.post(
        f"/api/articles/{article_id}/versions", json={"article": edited, "version": 1}, headers=bearer(site, "eddie")
    )
    assert response.status_code == 409  # version 2 was made meanwhile
    response = anonymous.post(
        f"/api/articles/{article_id}/versions", json={"article": edited, "version": 2}, headers=bearer(site, "eddie")
    )
    assert response.status_code == 201 and response.json()["article"]["version"] == 3
    review(anonymous, site, article_id, "eddie", "start")
    response = review(anonymous, site, article_id, "eddie", "approve")
    assert response.status_code == 403 and "another reviewer" in response.json()["detail"]
    assert review(anonymous, site, article_id, "bob", "approve", version=3).status_code == 201
    shown = anonymous.get(f"/api/articles/{article_id}").json()
    assert shown["version"] == 3 and len(shown["bottom_line"]) == 1
    statuses = [v["status"] for v in anonymous.get(f"/api/articles/{article_id}/history").json()["versions"]]
    assert statuses == ["approved", "superseded", "approved"]
    bad = anonymous.post(
        f"/api/articles/{article_id}/versions", json={"article": {"id": "x"}}, headers=bearer(site, "eddie")
    )
    assert bad.status_code == 422


def test_concurrent_api_reviewers_leave_one_decision(site):
    article_id = new_article(site)
    barrier = threading.Barrier(4)
    codes: list[int] = []

    def act(name: str, decision: str, comment: str) -> None:
        client = TestClient(site["app"])
        barrier.wait()
        codes.append(review(client, site, article_id, name, decision, comment).status_code)

    moves = [("alice", "start", ""), ("bob", "start", ""), ("eddie", "start", ""), ("alice", "start", "")]
    threads = [threading.Thread(target=act, args=move) for move in moves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(codes) == [201, 409, 409, 409]
    history = site["bedside"].articles.workflow.history(article_id)
    assert [r["decision"] for r in history["reviews"]] == ["start"]
    assert [e["action"] for e in history["audit"]] == ["created", "start"]


# --- sign-in, sessions, CSRF ------------------------------------------------------------------------------------
def session_cookie(response) -> tuple[str, str]:
    """(the session id, the whole Set-Cookie line) that a response set."""
    line = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "="))
    return line.split(";")[0].split("=", 1)[1], line


def test_sign_in_gives_a_new_http_only_session_and_sign_out_ends_it(site):
    # A fixation attempt: rita plants her own valid session id in alice's browser before alice signs in.
    rita = TestClient(site["app"])
    token = csrf_of(rita.get("/login").text)
    planted, _ = session_cookie(
        rita.post("/login", data={"name": "rita", "password": PASSWORD, "csrf_token": token}, follow_redirects=False)
    )
    assert site["accounts"].session(planted).user.name == "rita"

    browser = TestClient(site["app"], cookies={SESSION_COOKIE: planted})
    page = browser.get("/login")
    assert "HttpOnly" in page.headers["set-cookie"] and "SameSite=strict" in page.headers["set-cookie"]
    response = browser.post(
        "/login",
        data={"name": "alice", "password": PASSWORD, "csrf_token": csrf_of(page.text), "next": "/review"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/review"
    first, line = session_cookie(response)
    assert "HttpOnly" in line and "SameSite=lax" in line and "Path=/" in line and "Secure" not in line
    assert first != planted and site["accounts"].session(planted) is None  # the planted id is dead
    alice = TestClient(site["app"], cookies={SESSION_COOKIE: first})
    queue = alice.get("/review")
    assert queue.status_code == 200 and "Sign out alice" in queue.text

    # Signing in again gives another id and ends the one before.
    token = csrf_of(alice.get("/login").text)
    second, _ = session_cookie(
        alice.post("/login", data={"name": "alice", "password": PASSWORD, "csrf_token": token}, follow_redirects=False)
    )
    assert second != first and site["accounts"].session(first) is None

    alice = TestClient(site["app"], cookies={SESSION_COOKIE: second})
    queue = alice.get("/review")
    assert alice.post("/logout", data={}, follow_redirects=False).status_code == 403  # no CSRF token
    out = alice.post("/logout", data={"csrf_token": csrf_of(queue.text)}, follow_redirects=False)
    assert out.status_code == 303
    again = TestClient(site["app"], cookies={SESSION_COOKIE: second})
    assert again.get("/review", follow_redirects=False).headers["location"].startswith("/login")


def test_the_session_cookie_is_secure_over_https(site):
    client = TestClient(site["app"], base_url="https://testserver")
    page = client.get("/login")
    assert "Secure" in page.headers["set-cookie"]
    response = client.post(
        "/login",
        data={"name": "bob", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    _, cookie = session_cookie(response)
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_form_posts_without_csrf_are_rejected(site):
    client = TestClient(site["app"])
    client.get("/login")
    response = client.post("/login", data={"name": "alice", "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 403 and SESSION_COOKIE not in response.headers.get("set-cookie", "")
    response = client.post(
        "/login", data={"name": "alice", "password": PASSWORD, "csrf_token": "guess"}, follow_redirects=False
    )
    assert response.status_code == 403

    sign_in(site, "alice", client=client)
    article_id = new_article(site)
    for data in ({"decision": "start"}, {"decision": "start", "csrf_token": "forged"}):
        response = client.post(f"/articles/{article_id}/review", data=data, follow_redirects=False)
        assert response.status_code == 403 and "CSRF" in response.text
    response = client.post(f"/articles/{article_id}/regenerate", data={}, follow_redirects=False)
    assert response.status_code == 403
    # The JSON API with a session cookie (not a token) also needs the CSRF token, in a header.
    assert client.post(f"/api/articles/{article_id}/reviews", json={"decision": "start"}).status_code == 403
    assert state_of(site, article_id)["status"] == "submitted"
    token = csrf_of(client.get(f"/articles/{article_id}").text)
    response = client.post(
        f"/api/articles/{article_id}/reviews", json={"decision": "start"}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 201
    # And a form post with no session at all is 401, not a review.
    anonymous = TestClient(site["app"])
    response = anonymous.post(f"/articles/{article_id}/review", data={"decision": "approve", "csrf_token": token})
    assert response.status_code == 401 and state_of(site, article_id)["status"] == "under_review"


def test_failed_sign_ins_are_throttled(site):
    site["accounts"].add("throttled", "reviewer", PASSWORD)
    client = TestClient(site["app"])
    for _ in range(5):
        token = csrf_of(client.get("/login").text)
        response = client.post("/login", data={"name": "throttled", "password": "wrong guess!!", "csrf_token": token})
        assert response.status_code == 401 and "Wrong name or password" in response.text
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"name": "throttled", "password": PASSWORD, "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 429 and response.headers["retry-after"] == "900"
    assert SESSION_COOKIE not in client.cookies


# --- the pages ---------------------------------------------------------------------------------------------------
def test_reviewing_in_the_browser(site, anonymous):
    article_id = new_article(site)
    page = anonymous.get(f"/articles/{article_id}").text
    assert "Pending human review" in page and 'id="review"' in page and "sign in</a> to review" in page
    assert "Start review" not in page

    alice = sign_in(site, "alice")
    page = alice.get(f"/articles/{article_id}").text
    assert "Start review" in page
    token = csrf_of(page)
    response = alice.post(
        f"/articles/{article_id}/review",
        data={"decision": "start", "version": "1", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == f"/articles/{article_id}#review"
    page = alice.get(f"/articles/{article_id}").text
    assert "Approve this version" in page and "Request changes" in page
    response = alice.post(f"/articles/{article_id}/review", data={"decision": "request_changes", "csrf_token": token})
    assert response.status_code == 422 and "comment is required" in response.text
    response = alice.post(
        f"/articles/{article_id}/review",
        data={"decision": "request_changes", "comment": INJECTION, "csrf_token": token},
    )
    assert response.status_code == 200  # followed the redirect back to the article
    page = anonymous.get(f"/articles/{article_id}").text
    assert str(escape(INJECTION)) in page and "<script>alert" not in page

    eddie = sign_in(site, "eddie")
    page = eddie.get(f"/articles/{article_id}").text
    assert "Regenerate from the current library" in page
    response = eddie.post(
        f"/articles/{article_id}/regenerate",
        data={"version": "1", "csrf_token": csrf_of(page)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert state_of(site, article_id)["version"] == 2

    bob = sign_in(site, "bob")
    token = csrf_of(bob.get(f"/articles/{article_id}").text)
    for decision in ("start", "approve"):
        bob.post(f"/articles/{article_id}/review", data={"decision": decision, "version": "2", "csrf_token": token})
    page = anonymous.get(f"/articles/{article_id}").text
    state = state_of(site, article_id)
    assert state["reviewer"] == "bob" and state["approved_version"] == 2
    assert "Approved by <strong>bob</strong>" in page and "Version 2 was approved by <strong>bob</strong>" in page


def test_the_review_queue_and_version_pages_are_for_the_board(site, anonymous):
    article_id = new_article(site)
    response = anonymous.get("/review", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/review"
    assert sign_in(site, "rita").get("/review").status_code == 403
    alice = sign_in(site, "alice")
    queue = alice.get("/review")
    assert queue.status_code == 200 and f"/articles/{article_id}/versions/1" in queue.text
    assert "Sign out alice" in queue.text
    assert alice.get(f"/articles/{article_id}/versions/1").status_code == 200
    assert alice.get(f"/articles/{article_id}/versions/9").status_code == 404
    assert anonymous.get(f"/articles/{article_id}/versions/1", follow_redirects=False).status_code == 303


def test_sign_in_redirects_only_to_local_pages(site):
    client = TestClient(site["app"])
    for target, expected in [
        ("https://evil.example/", "/review"),
        ("//evil.example", "/review"),
        ("/articles/x", "/articles/x"),
    ]:
        token = csrf_of(client.get("/login").text)
        response = client.post(
            "/login",
            data={"name": "alice", "password": PASSWORD, "csrf_token": token, "next": target},
            follow_redirects=False,
        )
        assert response.headers["location"] == expected


# --- secrets and hostile input ----------------------------------------------------------------------------------
def test_passwords_never_appear_in_responses_or_logs(site, caplog):
    caplog.set_level(logging.DEBUG)
    client = TestClient(site["app"])
    seen = []
    for password in ("a wrong password", PASSWORD):
        token = csrf_of(client.get("/login").text)
        response = client.post("/login", data={"name": "alice", "password": password, "csrf_token": token})
        seen.append(response.text + repr(response.headers) + "".join(r.text for r in response.history))
    seen.append(client.get("/review").text)
    seen.append(TestClient(site["app"]).get("/api/articles/" + new_article(site) + "/history").text)
    everything = "\n".join(seen) + caplog.text
    assert PASSWORD not in everything and "a wrong password" not in everything


def test_injection_strings_in_every_field_are_harmless(site, anonymous):
    engine = site["bedside"].articles.engine
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(users)).scalar_one()
    token = csrf_of(anonymous.get("/login").text)
    response = anonymous.post(
        "/login", data={"name": INJECTION, "password": INJECTION, "csrf_token": token, "next": INJECTION}
    )
    assert response.status_code == 401
    assert str(escape(INJECTION)) in response.text  # shown back literally, escaped
    assert "<script>alert" not in response.text
    assert anonymous.get("/api/articles/" + INJECTION + "/history").status_code == 404
    assert review(anonymous, site, INJECTION, "alice", "start").status_code == 404
    article_id = new_article(site)
    assert review(anonymous, site, article_id, "alice", INJECTION).status_code == 422
    review(anonymous, site, article_id, "alice", "start")
    response = review(anonymous, site, article_id, "alice", "request_changes", INJECTION)
    assert response.status_code == 201 and response.json()["review"]["comment"] == INJECTION.strip()
    history = anonymous.get(f"/api/articles/{article_id}/history").json()
    assert history["audit"][-1]["comment"] == INJECTION.strip()
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(users)).scalar_one() == before
    assert anonymous.get(f"/api/articles/{article_id}").status_code == 200  # the articles table is still there
