"""The explore tests' browser: Debian's Chromium, driven by Playwright, launched once for a
module; a page opened in it is offline and everything that went wrong in it is recorded.
A module that opens pages imports the fixtures: ``from browser import browser, tab``."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    assert shutil.which(CHROMIUM), "chromium is not installed (make test installs it)"
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=["--no-sandbox"])
        try:
            yield launched
        finally:
            launched.close()


class Tab:
    """A page of the browser, offline, with everything that went wrong recorded."""

    def __init__(self, browser, path, hash_: str = ""):
        self.problems: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.file = path.as_uri()
        self.page.route("**/*", self._offline)
        self.page.on("console", lambda m: m.type in ("error", "warning") and
                     self.problems.append(f"console {m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("dialog", self._dialog)
        self.page.goto(self.file + hash_)
        self.page.wait_for_selector(".unrolled-explore[data-ready='true']", timeout=10_000)

    def _offline(self, route):
        if route.request.url.split("#")[0] == self.file:
            route.continue_()
        else:
            self.problems.append(f"request: {route.request.url}")
            route.abort()

    def _dialog(self, dialog):
        self.problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def close(self):
        self.page.close()
        assert self.problems == []


@pytest.fixture
def tab(browser):
    opened = []

    def open_(path, hash_=""):
        opened.append(Tab(browser, path, hash_))
        return opened[-1].page

    yield open_
    for t in opened:
        t.close()
