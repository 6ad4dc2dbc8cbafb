"""Helpers for browser tests (the fixtures are in conftest.py)."""

import os
import re
from pathlib import Path

from playwright.sync_api import Page, expect

# Where screenshots go: SCREENSHOT_DIR=docs/screenshots to refresh the ones in the docs.
SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR", "")


def login(page: Page, *, username: str, password: str = "pw") -> None:  # noqa: S107
    """Log in through the real login form and wait for the start page."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def screenshot(page: Page, name: str, tmp_path: Path) -> Path:
    """Save a full-width PNG of the viewport under SCREENSHOT_DIR (or the test's tmp dir)."""
    folder = Path(SCREENSHOT_DIR) if SCREENSHOT_DIR else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    # Let the browser finish painting after a swap or a focus scroll; headless
    # Chromium can otherwise capture a half-painted frame.
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.wait_for_timeout(150)
    page.screenshot(path=str(path), animations="disabled")
    return path
