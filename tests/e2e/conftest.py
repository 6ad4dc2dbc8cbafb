"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

`page` is a fresh browser context (own cookies) per test, at 1400×900, with
relative URLs resolved against the live server: `page.goto("/organizations/")`.
Every test fails if the page logged a Content-Security-Policy violation or a
JavaScript error, so the CSP and our scripts are checked on every click.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1400, "height": 900}

expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"No Chromium at {CHROMIUM}: run `make system-deps`.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_problems():
    """CSP violations, JavaScript errors and failed requests seen by the page."""
    return []


@pytest.fixture
def page(chromium, live_server, browser_problems) -> Page:
    context = chromium.new_context(base_url=live_server.url, viewport=VIEWPORT, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            browser_problems.append(f"console {message.type}: {message.text}")
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: browser_problems.append(f"page error: {error}"))
    yield page
    context.close()
    # 4xx answers the test provoked on purpose show up as console errors; CSP and script errors never should.
    serious = [p for p in browser_problems if "Content Security Policy" in p or p.startswith("page error")]
    assert not serious, serious
