"""End to end in a real headless Chromium (Debian's `chromium`, driven by playwright) against a real
uvicorn server on loopback: ask through the form, read, follow a citation, switch audience, follow up.

Screenshots go to a temporary folder, or to BEDSIDE_SCREENSHOTS when set
(``BEDSIDE_SCREENSHOTS=docs/screenshots .venv/bin/pytest tests/test_browser.py`` refreshes the docs' ones).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bedside.editorial.users import User

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUESTION = "What is the recommended approach to using ketamine for CRPS secondary to spinal cord injury?"
FOLLOW_UP = "What dose of ketamine is used for complex regional pain syndrome?"

if not CHROMIUM.exists():
    # scripts/test installs it (scripts/setup-chromium); in CI its absence is a failure, not a skip.
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: run scripts/setup-chromium")
    pytest.skip(f"{CHROMIUM} is missing: run scripts/setup-chromium", allow_module_level=True)

from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("BEDSIDE_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Problems:
    """Console errors (CSP violations among them), page errors and failed requests of one page."""

    def __init__(self, page: Page):
        self.messages: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.messages.append(f"page error: {error}"))
        page.on("requestfailed", self._request_failed)

    def _request_failed(self, request) -> None:
        # A request the browser itself cancelled because the page navigated on (a favicon still loading
        # when a form is submitted) is not a failure of the app.
        if request.failure != "net::ERR_ABORTED":
            self.messages.append(f"request failed: {request.url} ({request.failure})")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.messages.append(f"console {message.type}: {message.text}")


@pytest.fixture
def tab(chromium_browser, web_server) -> Iterator[tuple[Page, Problems]]:
    context = chromium_browser.new_context(base_url=web_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    problems = Problems(page)
    yield page, problems
    context.close()


def ask(page: Page, question: str) -> str:
    """Ask through the form on the ask page; returns the article id it lands on."""
    page.goto("/")
    page.get_by_label("Your clinical question").fill(question)
    page.get_by_role("button", name="Get the evidence").click()
    page.wait_for_url("**/articles/*")
    expect(page.locator("h1")).to_have_text(question)
    return page.url.rsplit("/", 1)[1].split("?")[0].split("#")[0]


def test_ask_read_cite_switch_audience_and_follow_up(tab, web_server, screenshots):
    page, problems = tab
    article_id = ask(page, QUESTION)
    article = httpx.get(f"{web_server}/api/articles/{article_id}").json()
    expect(page.locator(".status")).to_contain_text("Pending review")
    expect(page.locator("#bottom-line")).to_have_text("Bottom line")
    page.screenshot(path=str(screenshots / "article.png"), full_page=True)

    # A citation: hovering shows its supporting quote; clicking reaches its reference.
    first = page.locator("sup.cites a").first
    n = int(first.inner_text())
    quote = next(e["quote"] for s in article["bottom_line"] for e in s["evidence"] if e["n"] == n)
    popover = page.locator("sup.cites .cite").first.locator(".cite-quote")
    expect(popover).to_be_hidden()
    first.hover()
    expect(popover).to_be_visible()
    expect(popover).to_contain_text(quote[:80])
    first.click()
    page.wait_for_url(f"**#ref-{n}")
    target = page.locator(f"#ref-{n}")
    expect(target).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target').id") == f"ref-{n}"
    expect(target).to_contain_text(article["references"][n - 1]["title"])
    expect(target.locator(".badge")).to_be_visible()

    # Switch audience: the patient view of the same article, in place (htmx swap, URL pushed).
    page.locator("#audience").scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    page.get_by_role("link", name="Patient or caregiver").click()
    page.wait_for_url(f"**/articles/{article_id}?audience=patient")
    expect(page.get_by_role("link", name="Patient or caregiver")).to_have_attribute("aria-current", "true")
    expect(page.locator("h1")).to_have_text(QUESTION)
    assert page.evaluate("window.scrollY") == before  # the reader keeps their place
    page.get_by_role("link", name="Healthcare professional").click()
    page.wait_for_url(f"**/articles/{article_id}?audience=clinician")
    expect(page.get_by_role("link", name="Healthcare professional")).to_have_attribute("aria-current", "true")

    # A follow-up lands on a new article that links back to this one.
    page.get_by_label("Your follow-up question").fill(FOLLOW_UP)
    page.get_by_role("button", name="Ask the follow-up").click()
    page.wait_for_url(lambda url: "/articles/" in url and article_id not in url)
    expect(page.locator("h1")).to_have_text(FOLLOW_UP)
    back = page.locator(".follow-up-of a")
    expect(back).to_have_text(QUESTION)
    child_id = page.url.rsplit("/", 1)[1].split("?")[0]
    assert httpx.get(f"{web_server}/api/articles/{child_id}").json()["follow_up_of"] == article_id
    back.click()
    page.wait_for_url(f"**/articles/{article_id}")
    expect(page.locator("h1")).to_have_text(QUESTION)

    assert problems.messages == [], problems.messages


def test_ask_page_lists_approved_articles_and_answers_examples(tab, web_server, starter_bedside, screenshots):
    page, problems = tab
    question = "What are the side effects of metformin?"
    approved = httpx.post(f"{web_server}/api/articles", json={"question": question}, timeout=120).json()
    workflow = starter_bedside.articles.workflow
    workflow.decide(approved["id"], "start", User("dr.okafor", "reviewer"))
    workflow.decide(approved["id"], "approve", User("dr.okafor", "reviewer"))
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Ask a clinical question")
    expect(page.locator(".examples li")).not_to_have_count(0)
    expect(page.locator(f".recent a[href='/articles/{approved['id']}']")).to_have_text(question)
    page.screenshot(path=str(screenshots / "ask.png"), full_page=True)
    page.locator(".examples button").first.click()
    page.wait_for_url("**/articles/*")
    expect(page.locator(".status")).to_be_visible()
    page.goto(f"/articles/{approved['id']}")
    expect(page.locator(".status-approved")).to_contain_text("dr.okafor")
    assert problems.messages == [], problems.messages


def test_an_empty_question_is_refused_and_the_reason_shown(tab):
    page, problems = tab
    page.goto("/")
    box = page.get_by_label("Your clinical question")
    box.fill("   ")
    page.get_by_role("button", name="Get the evidence").click()
    expect(page.get_by_role("alert")).to_contain_text("the question is empty")
    expect(page.get_by_label("Your clinical question")).to_be_visible()
    # the server refused it with 422, and the browser logged that failed request; nothing else went wrong
    assert [m for m in problems.messages if "422" not in m] == []


def test_the_article_page_works_on_a_phone(chromium_browser, web_server, screenshots):
    context = chromium_browser.new_context(
        base_url=web_server,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    problems = Problems(page)
    try:
        ask(page, QUESTION)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        page.screenshot(path=str(screenshots / "article-phone.png"), full_page=False)
        first = page.locator("sup.cites a").first
        n = first.inner_text()
        first.tap()  # on a touch screen a tap goes to the reference, which shows the quoted passages
        page.wait_for_url(f"**#ref-{n}")
        expect(page.locator(f"#ref-{n}")).to_be_in_viewport()
        expect(page.locator(f"#ref-{n} .ref-quotes blockquote").first).to_be_visible()
        assert problems.messages == [], problems.messages
    finally:
        context.close()


def test_unknown_article_shows_a_404_page(tab):
    page, _ = tab
    response = page.goto("/articles/nosuchid")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Not found")
