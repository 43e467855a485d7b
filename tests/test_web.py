"""The web app and JSON API, in-process (FastAPI TestClient) against real homes: the starter library,
and a small library of one hostile document."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import lxml.html
import pytest
from fastapi.testclient import TestClient

from bedside.answer.article import Article, Evidence, Reference, Section, Statement
from bedside.config import Settings
from bedside.core import Bedside
from bedside.editorial.articles import new_article_id
from bedside.editorial.users import User
from bedside.library.ingest import ingest
from bedside.search.backend import SearchUnavailable
from bedside.web.app import create_app
from bedside.web.security import MAX_BODY_BYTES

QUESTION = "What is the recommended approach to using ketamine for CRPS secondary to spinal cord injury?"
ARTICLE_FIELDS = {
    "id",
    "question",
    "audience",
    "status",
    "created_at",
    "updated_at",
    "abstained",
    "bottom_line",
    "sections",
    "pitfalls",
    "references",
    "follow_up_of",
}


@pytest.fixture(scope="module")
def client(starter_bedside) -> Iterator[TestClient]:
    with TestClient(create_app(starter_bedside), follow_redirects=False) as client:
        yield client


@pytest.fixture(scope="module")
def asked(client) -> dict:
    """One article composed through the API (the starter library answers this question)."""
    response = client.post("/api/articles", json={"question": QUESTION})
    assert response.status_code == 201, response.text
    return response.json()


def post_ask(client: TestClient, data: dict) -> httpx.Response:
    """Posts the ask form as a browser does: with the token of the page the form came from."""
    token = page(client.get("/")).xpath("string(//input[@name='ask_token']/@value)")
    return client.post("/ask", data={**data, "ask_token": token})


def test_the_ask_form_without_its_token_is_refused_and_nothing_is_stored(client, starter_bedside):
    before = len(starter_bedside.articles.recent("submitted", 1000))
    client.get("/")  # the cookie alone is not enough: the form must carry the same token
    response = client.post("/ask", data={"question": QUESTION})
    assert response.status_code == 403 and "security token" in response.text
    forged = client.post("/ask", data={"question": QUESTION, "ask_token": "forged"})
    assert forged.status_code == 403
    assert len(starter_bedside.articles.recent("submitted", 1000)) == before


def page(response: httpx.Response):
    assert response.headers["content-type"].startswith("text/html")
    return lxml.html.fromstring(response.text)


def texts(tree, xpath: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in tree.xpath(xpath)]


def crafted_article(bedside: Bedside, **changes) -> Article:
    """An article with every feature the page shows (and hostile text in every field), stored directly."""
    quote_1 = "Metformin <script>alert('QUOTE')</script> lowers hepatic glucose output."
    article = Article(
        id=new_article_id(),
        question="Is metformin <script>alert('QUESTION')</script> first line?",
        audience="clinician",
        status="submitted",
        created_at="2026-01-05T10:00:00+00:00",
        updated_at="2026-02-07T11:30:00+00:00",
        abstained=False,
        bottom_line=[
            Statement(
                "Metformin is first line <b>for most adults</b>.",
                [1, 2],
                [Evidence(1, "pubmed:1#0", quote_1), Evidence(2, "g:1#0", "Offer metformin first.")],
            )
        ],
        sections=[
            Section(
                "Older adults <i>aged 80+</i>",
                [Statement("Reduce the dose when eGFR falls.", [3], [Evidence(3, "x#1", "Reduce the dose.")], True)],
                note="No direct evidence for people over 80; the closest evidence is shown.",
            )
        ],
        pitfalls=[Statement("Do not start when eGFR is below 30.", [2], [Evidence(2, "g:1#1", "Not below 30.")])],
        references=[
            Reference(1, "pubmed:1", "A <script>alert('TITLE')</script> trial", "rct", 2011, "", {"pmid": "21645374"}),
            Reference(2, "g:1", "Diabetes guideline", "guideline", 2024, "https://example.org/g", {}, "NICE"),
            Reference(3, "x", "Local note", "other", None, "javascript:alert('URL')", {}, "<b>Ward</b>"),
        ],
        evidence_cutoff=2024,
    )
    for name, value in changes.items():
        setattr(article, name, value)
    bedside.articles.save(article)
    return article


# --- the ask page ------------------------------------------------------------------------------------


def test_ask_page_has_the_question_box_examples_and_recent_approved(client):
    response = client.get("/")
    assert response.status_code == 200
    tree = page(response)
    (form,) = tree.xpath("//form[@action='/ask' and textarea[@name='question']]")
    assert form.get("method") == "post"
    assert form.xpath(".//textarea[@required and @maxlength='4000']")
    assert {i.get("value") for i in form.xpath(".//input[@name='audience']")} == {"clinician", "patient"}
    examples = tree.xpath("//ul[@class='examples']//input[@name='question']/@value")
    assert len(examples) >= 3 and QUESTION in examples
    assert texts(tree, "//h2")[:2] == ["Example questions", "Recently approved articles"]
    assert tree.xpath("//a[@href='/editorial-policy']")


def test_an_example_question_is_answered_through_the_form(client):
    response = post_ask(client, {"question": QUESTION})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/articles/")


def test_approved_articles_are_listed_on_the_ask_page_with_reviewer_and_date(client, starter_bedside):
    article = crafted_article(starter_bedside, question="Which statin after a stroke?")
    workflow = starter_bedside.articles.workflow
    workflow.decide(article.id, "start", User("dr.okafor", "reviewer"))
    workflow.decide(article.id, "approve", User("dr.okafor", "reviewer"))
    tree = page(client.get("/"))
    assert f"/articles/{article.id}" in tree.xpath("//ul[@class='recent']//a/@href")

    tree = page(client.get(f"/articles/{article.id}"))
    (banner,) = texts(tree, "//div[contains(@class, 'status-approved')]")
    assert "Approved" in banner and "dr.okafor" in banner and "pending" not in banner.lower()
    assert tree.xpath("//div[contains(@class, 'status')]//time/@datetime")[0][:4].isdigit()


# --- the article page -------------------------------------------------------------------------------


def test_asking_through_the_form_redirects_to_the_article_page(client):
    response = post_ask(client, {"question": QUESTION, "audience": "clinician"})
    assert response.status_code == 303
    location = response.headers["location"]
    tree = page(client.get(location))
    assert texts(tree, "//h1") == [QUESTION]
    (banner,) = texts(tree, "//div[contains(@class, 'status-submitted')]")
    assert "Pending review" in banner and "Submitted" in banner
    facts = dict(zip(texts(tree, "//dl[@class='facts']//dt"), texts(tree, "//dl[@class='facts']//dd"), strict=True))
    assert facts["Last updated"] and facts["Evidence cutoff"]
    assert "Which best describes you?" in texts(tree, "//nav[@id='audience']")[0]


def test_the_article_page_shows_every_part_of_the_article(client, starter_bedside, asked):
    article = starter_bedside.articles.get(asked["id"])
    tree = page(client.get(f"/articles/{article.id}"))
    shown = " ".join(texts(tree, "//article"))
    for statement in article.statements():
        assert statement.text in shown
    headings = texts(tree, "//article//h2")
    assert headings[0] == "Bottom line"
    assert [s.heading for s in article.sections] == headings[1 : 1 + len(article.sections)]
    assert "References" in headings and "Ask a follow-up question" in headings
    assert " ".join(article.disclaimer.split()) in " ".join(texts(tree, "//aside[@class='disclaimer']"))
    assert tree.xpath("//article//a[@href='/editorial-policy']")
    for reference in article.references:
        (item,) = tree.xpath(f"//li[@id='ref-{reference.n}']")
        assert reference.title in item.text_content()
        assert item.xpath(".//span[contains(@class, 'badge')]")


def test_citations_link_to_their_reference_and_carry_the_supporting_quote(client, starter_bedside, asked):
    article = starter_bedside.articles.get(asked["id"])
    tree = page(client.get(f"/articles/{article.id}"))
    links = tree.xpath("//sup[@class='cites']//a")
    assert len(links) == sum(len(s.citations) for s in article.statements())
    ids = set(tree.xpath("//li[starts-with(@id, 'ref-')]/@id"))
    quotes = {e.quote for s in article.statements() for e in s.evidence}
    for link in links:
        assert link.get("href")[1:] in ids
        assert any(q[:60] in link.get("title") for q in quotes)
        popover = link.getnext()
        assert popover is not None and "cite-quote" in popover.get("class")


def test_crafted_article_shows_notes_indirect_evidence_badges_and_safe_source_links(client, starter_bedside):
    article = crafted_article(starter_bedside)
    tree = page(client.get(f"/articles/{article.id}"))
    assert texts(tree, "//p[@class='note']") == ["Evidence note " + article.sections[0].note]
    assert texts(tree, "//li[contains(@class, 'is-indirect')]//span[contains(@class, 'tag-indirect')]") == [
        "Indirect evidence"
    ]
    badges = texts(tree, "//li[starts-with(@id, 'ref-')]//span[contains(@class, 'badge')]")
    assert badges == ["Randomised trial", "Guideline", "Other"]
    assert tree.xpath("//li[@id='ref-1']//a/@href") == ["https://pubmed.ncbi.nlm.nih.gov/21645374/"]
    assert tree.xpath("//li[@id='ref-2']//a/@href") == ["https://example.org/g"]
    assert tree.xpath("//li[@id='ref-3']//a") == []  # a javascript: URL is never a link
    assert "javascript:" not in client.get(f"/articles/{article.id}").text.replace("javascript:alert('URL')", "")
    assert texts(tree, "//dl[@class='facts']//dd")[:2] == ["7 Feb 2026", "Sources up to 2024"]
    assert texts(tree, "//h2[@id='pitfalls']") == ["Common pitfalls"]


def test_all_question_and_source_text_is_escaped(client, starter_bedside):
    article = crafted_article(starter_bedside)
    response = client.get(f"/articles/{article.id}")
    tree = page(response)
    assert tree.xpath("//script[not(@src)]") == []
    assert tree.xpath("//b | //i") == []
    assert "<script>alert('QUESTION')</script>" in texts(tree, "//h1")[0]
    for marker in ("QUESTION", "QUOTE", "TITLE"):
        assert f"<script>alert('{marker}')" not in response.text
        assert f"&lt;script&gt;alert(&#39;{marker}&#39;)" in response.text


def test_audience_selector_gives_the_patient_version_and_keeps_the_place(client, starter_bedside, asked):
    tree = page(client.get(f"/articles/{asked['id']}"))
    options = tree.xpath("//nav[@id='audience']//a")
    assert [o.text_content().strip() for o in options] == ["Healthcare professional", "Patient or caregiver"]
    assert options[0].get("aria-current") == "true" and options[1].get("aria-current") is None
    assert options[1].get("href") == f"/articles/{asked['id']}?audience=patient#audience"
    assert options[1].get("hx-select") == "#article" and "show:none" in options[1].get("hx-swap")

    response = client.get(f"/articles/{asked['id']}?audience=patient")
    assert response.status_code == 200
    tree = page(response)
    current = tree.xpath("//nav[@id='audience']//a[@aria-current='true']")
    assert [o.text_content().strip() for o in current] == ["Patient or caregiver"]
    patient = starter_bedside.for_audience(starter_bedside.articles.get(asked["id"]), "patient")
    assert " ".join(patient.disclaimer.split()) in " ".join(texts(tree, "//aside[@class='disclaimer']"))
    assert tree.xpath("//form[.//input[@name='audience' and @value='patient' and @checked]]")

    assert client.get(f"/articles/{asked['id']}?audience=martian").status_code == 422


def test_a_follow_up_is_posted_with_its_parent_and_links_back(client, asked):
    tree = page(client.get(f"/articles/{asked['id']}"))
    (form,) = tree.xpath("//section[@class='follow-up']//form")
    assert form.get("action") == "/ask"
    assert form.xpath(".//input[@name='follow_up_of']/@value") == [asked["id"]]

    response = post_ask(client, {"question": "What dose of ketamine is used?", "follow_up_of": asked["id"]})
    assert response.status_code == 303
    child_id = response.headers["location"].removeprefix("/articles/")
    assert client.get(f"/api/articles/{child_id}").json()["follow_up_of"] == asked["id"]
    tree = page(client.get(f"/articles/{child_id}"))
    assert tree.xpath("//p[@class='follow-up-of']/a/@href") == [f"/articles/{asked['id']}"]
    assert texts(tree, "//p[@class='follow-up-of']/a") == [QUESTION]


def test_bad_questions_in_the_form_show_the_reason_with_4xx(client):
    for question, reason in (
        ("   ", "the question is empty"),
        ("x" * 4001, "at most 4,000 characters"),
        ("dose?\x00\x01\x02", "binary data"),
    ):
        response = post_ask(client, {"question": question})
        assert response.status_code == 422
        assert reason in " ".join(texts(page(response), "//div[@role='alert']"))
    response = post_ask(client, {"question": "What dose?", "follow_up_of": "nosuchid"})
    assert response.status_code == 422 and "no article with id" in response.text


def test_unknown_articles_and_pages_give_404_pages_not_tracebacks(client):
    for path in ("/articles/nosuchid", "/articles/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/no/such/page"):
        response = client.get(path)
        assert response.status_code == 404
        tree = page(response)
        assert texts(tree, "//h1") == ["Not found"]
        assert "Traceback" not in response.text and "<script>alert(1)" not in response.text


def test_editorial_policy_explains_production_evidence_levels_and_review(client):
    tree = page(client.get("/editorial-policy"))
    headings = texts(tree, "//h2")
    assert {"How an article is produced", "Evidence levels", "How review works"} <= set(headings)
    badges = texts(tree, "//dl[@class='levels']//span[contains(@class, 'badge')]")
    assert {"Guideline", "Drug label", "Systematic review", "Randomised trial", "Case report"} <= set(badges)


# --- the JSON API --------------------------------------------------------------------------------


def test_api_creates_an_article_and_reads_it_back(client, asked):
    assert set(asked) >= ARTICLE_FIELDS
    assert asked["question"] == QUESTION and asked["status"] == "submitted" and not asked["abstained"]
    assert asked["bottom_line"] and asked["references"]
    for statement in asked["bottom_line"]:
        assert statement["citations"] and {e["n"] for e in statement["evidence"]} == set(statement["citations"])
    response = client.get(f"/api/articles/{asked['id']}")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.json() == asked


def test_api_create_returns_201_with_location(client):
    response = client.post("/api/articles", json={"question": "What are the side effects of metformin?"})
    assert response.status_code == 201
    assert response.headers["location"] == f"/api/articles/{response.json()['id']}"


def test_api_follow_up_and_patient_audience(client, asked):
    response = client.post(
        "/api/articles", json={"question": "How long is it given?", "audience": "patient", "follow_up_of": asked["id"]}
    )
    assert response.status_code == 201
    assert response.json()["follow_up_of"] == asked["id"] and response.json()["audience"] == "patient"
    assert client.get(f"/api/articles/{asked['id']}?audience=patient").status_code == 200


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"question": ""}, "the question is empty"),
        ({"question": "y" * 4001}, "at most 4,000 characters"),
        ({"question": "\x00\x01\x02\x03"}, "binary data"),
        ({"question": "dose?", "follow_up_of": "nosuchid"}, "no article with id 'nosuchid' to follow up"),
    ],
)
def test_api_rejects_bad_questions_with_422_and_the_reason(client, body, reason):
    response = client.post("/api/articles", json=body)
    assert response.status_code == 422
    assert reason in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "question"),
        ({"question": "dose?", "audience": "martian"}, "audience"),
        ({"question": 7}, "question"),
        ({"question": "dose?", "extra": 1}, "extra"),
    ],
)
def test_api_rejects_malformed_bodies_with_422_naming_the_field(client, body, field):
    response = client.post("/api/articles", json=body)
    assert response.status_code == 422
    assert any(field in error["loc"] for error in response.json()["detail"])


def test_api_rejects_invalid_json_and_oversized_bodies(client):
    response = client.post("/api/articles", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422 and response.json()["detail"]
    response = client.post("/api/articles", json={"question": "z" * (MAX_BODY_BYTES + 1)})
    assert response.status_code == 413 and "larger than" in response.json()["detail"]


def test_api_unknown_article_is_a_json_404(client):
    response = client.get("/api/articles/nosuchid")
    assert response.status_code == 404
    assert response.json() == {"detail": "no article with id 'nosuchid'"}
    assert client.get("/api/nothing-here").json() == {"detail": "Not Found"}


def test_openapi_document_and_docs_page_work_offline(client):
    spec = client.get("/openapi.json").json()
    assert {"/api/articles", "/api/articles/{article_id}", "/healthz"} <= set(spec["paths"])
    assert "201" in spec["paths"]["/api/articles"]["post"]["responses"]
    response = client.get("/docs")
    assert response.status_code == 200
    tree = page(response)
    assert [s for s in tree.xpath("//script/@src")] == ["/static/htmx.min.js"]
    assert {"POST /api/articles", "GET /api/articles/{article_id}"} <= set(texts(tree, "//section/h2"))


def test_healthz_reports_the_library(client, starter_bedside):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["library_loaded"] is True
    assert body["passages"] == starter_bedside.store.counts()["passages"] > 1000


def test_healthz_is_503_for_an_empty_library(tmp_path):
    empty = Bedside.open(Settings.from_env({"BEDSIDE_HOME": str(tmp_path), "BEDSIDE_STARTER": "off"}))
    with TestClient(create_app(empty)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["library_loaded"] is False and response.json()["passages"] == 0


# --- security ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/editorial-policy", "/docs", "/healthz", "/api/articles/x", "/articles/x"])
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"


def test_pages_have_no_inline_script_or_style(client, asked):
    for path in ("/", "/editorial-policy", "/docs", f"/articles/{asked['id']}", "/articles/none"):
        tree = page(client.get(path))
        assert tree.xpath("//script[not(@src)] | //style | //*[@style]") == [], path
        assert [a for e in tree.iter() if isinstance(e.tag, str) for a in e.attrib if a.startswith("on")] == []
        assert set(tree.xpath("//script/@src")) == {"/static/htmx.min.js"}


def test_static_files_are_served_from_the_package(client):
    css = client.get("/static/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    js = client.get("/static/htmx.min.js")
    assert js.status_code == 200 and "htmx" in js.text[:2000]


# --- a passage with markup, ingested into a home of its own -----------------------------------------------

HOSTILE = """---
title: "Hyperkalaemia <script>alert('TITLE-XSS')</script> emergency guideline"
kind: guideline
publisher: "St Elsewhere <b>Renal</b> Unit"
year: 2023
url: javascript:alert('URL-XSS')
---
# Emergency treatment

Give calcium gluconate 10 ml of 10% intravenously for hyperkalaemia with ECG changes \
&lt;script&gt;alert('PASSAGE-XSS')&lt;/script&gt; to stabilise the myocardium.
"""


def test_an_ingested_passage_with_a_script_tag_shows_as_text(tmp_path):
    document = tmp_path / "hyperkalaemia.md"
    document.write_text(HOSTILE, encoding="utf-8")
    bedside = Bedside.open(Settings.from_env({"BEDSIDE_HOME": str(tmp_path / "home"), "BEDSIDE_STARTER": "off"}))
    assert ingest(bedside.store, [document]).added == 1
    with TestClient(create_app(bedside), follow_redirects=False) as client:
        response = post_ask(client, {"question": "How is hyperkalaemia with ECG changes treated?"})
        assert response.status_code == 303
        article = client.get(response.headers["location"])
    stored = bedside.articles.get(response.headers["location"].rsplit("/", 1)[1])
    assert "<script>alert('PASSAGE-XSS')</script>" in stored.statements()[0].text  # the text did get through
    assert stored.references[0].title.startswith("Hyperkalaemia <script>")
    html = article.text
    for marker in ("PASSAGE-XSS", "TITLE-XSS"):
        assert f"<script>alert('{marker}')" not in html
        assert f"&lt;script&gt;alert(&#39;{marker}&#39;)&lt;/script&gt;" in html
    assert "<b>Renal</b>" not in html and "&lt;b&gt;Renal&lt;/b&gt;" in html
    assert 'href="javascript:' not in html
    tree = page(article)
    assert tree.xpath("//script[not(@src)]") == []
    assert "<script>alert('PASSAGE-XSS')</script>" in " ".join(texts(tree, "//li[contains(@class, 'statement')]"))


# --- answering does not block the server -------------------------------------------------------------


def test_pages_are_served_while_an_article_is_being_composed(client, starter_bedside, asked, monkeypatch):
    composing, release = threading.Event(), threading.Event()
    real_ask = starter_bedside.ask

    def slow_ask(*args, **kwargs):
        composing.set()
        release.wait(timeout=60)
        return real_ask(*args, **kwargs)

    monkeypatch.setattr(starter_bedside, "ask", slow_ask)
    with ThreadPoolExecutor(max_workers=3) as pool:
        posting = [pool.submit(client.post, "/api/articles", json={"question": QUESTION}) for _ in range(3)]
        assert composing.wait(timeout=60)
        served = [client.get("/healthz").status_code, client.get(f"/articles/{asked['id']}").status_code]
        still_composing = not any(p.done() for p in posting)
        release.set()
        assert [p.result().status_code for p in posting] == [201, 201, 201]
    assert served == [200, 200]
    assert still_composing  # the pages above were answered while articles were being composed and queued


def test_concurrent_requests_on_a_real_server_all_succeed(web_server, asked):
    """SQLite and the answer engine under threads: writers and readers at once, no errors, no lost articles."""
    questions = ["What are the side effects of metformin?", QUESTION, "How is iron deficiency anaemia treated?"] * 2
    with httpx.Client(base_url=web_server, timeout=120) as http, ThreadPoolExecutor(max_workers=12) as pool:
        posts = [pool.submit(http.post, "/api/articles", json={"question": q}) for q in questions]
        gets = [pool.submit(http.get, path) for path in [f"/articles/{asked['id']}", "/healthz", "/"] * 8]
        created = [f.result() for f in posts]
        read = [f.result() for f in gets]
        assert [r.status_code for r in created] == [201] * len(questions)
        assert [r.status_code for r in read] == [200] * len(read)
        ids = {r.json()["id"] for r in created}
        assert len(ids) == len(questions)
        for article_id in ids:
            assert http.get(f"/api/articles/{article_id}").status_code == 200


def test_the_serve_command_is_registered(bedside):
    result = bedside("serve", "--help")
    assert result.exit_code == 0
    assert "--host" in result.stdout and "--port" in result.stdout


def test_form_accepts_the_patient_audience_and_redirects_to_the_patient_view(client):
    response = post_ask(client, {"question": QUESTION, "audience": "patient"})
    assert response.status_code == 303 and response.headers["location"].endswith("?audience=patient")


def test_get_ask_redirects_home(client):
    response = client.get("/ask")
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_a_search_backend_failure_is_a_503_with_the_reason_fault_injected(client, starter_bedside, monkeypatch):
    """The search engine going away mid-request (a Milvus server restarting, say) is simulated by making
    the searcher raise what the Milvus backend raises; the app must answer 503, not a traceback."""

    def unavailable(*args, **kwargs):
        raise SearchUnavailable("Milvus at http://search.internal:19530 did not answer")

    monkeypatch.setattr(starter_bedside.searcher, "search_many", unavailable)
    response = client.post("/api/articles", json={"question": QUESTION})
    assert response.status_code == 503
    assert "search.internal:19530" in response.json()["detail"] and response.headers["retry-after"]
    page_response = post_ask(client, {"question": QUESTION})
    assert page_response.status_code == 503 and "Search is unavailable" in page_response.text
