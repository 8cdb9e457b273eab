"""The example lecture's HTML deck in a real browser, offline: it must play as in a lecture hall.

Chromium is Debian's (installed by ``make test``), driven by Playwright without a browser download.
Every request that is not a local file is blocked, and none may be needed.
"""

import shutil

import pytest
from example_deck import beats_of_example_lecture, example_decks
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    """The HTML deck, built once, copied to a fresh folder as a lecturer would carry it."""
    out = example_decks()
    carried = tmp_path_factory.mktemp("usb") / "deck"
    carried.mkdir()
    shutil.copy2(out / "example.html", carried)  # the page and its folder alone must be enough
    shutil.copytree(out / "example_assets", carried / "example_assets")
    return carried / "example.html"


@pytest.fixture(scope="module")
def blocked() -> list[str]:
    """URLs the page asked for that were not local files (and were refused)."""
    return []


@pytest.fixture(scope="module")
def page(deck, blocked):
    assert shutil.which(CHROMIUM), "chromium is not installed (make test installs it)"

    def offline(route):
        if route.request.url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"])
        try:
            tab = browser.new_page(viewport={"width": 1280, "height": 720})
            tab.route("**/*", offline)
            tab.goto(deck.as_uri())
            tab.wait_for_function("window.Reveal && Reveal.isReady()", timeout=30_000)
            yield tab
        finally:
            browser.close()


def test_one_slide_per_beat(page):
    beats = beats_of_example_lecture()
    assert page.evaluate("Reveal.getTotalSlides()") == sum(map(len, beats)) > 1


def test_notes_hold_each_beats_sentence(page):
    notes = page.evaluate(
        "Reveal.getSlides().map(s => (s.querySelector('aside.notes') || {}).textContent || '')")
    sentences = [sentence for beats in beats_of_example_lecture() for sentence in beats]
    assert len(notes) == len(sentences)
    for note, sentence in zip(notes, sentences):
        assert sentence and note.split() == sentence.split()


def test_right_arrow_walks_through_every_video(page):
    """From the first slide, each right-arrow shows the next slide, whose video loads."""
    total = page.evaluate("Reveal.getTotalSlides()")
    page.evaluate("Reveal.slide(0)")
    page.locator("body").click()  # focus the page for the keys
    for index in range(total):
        assert page.evaluate("Reveal.getIndices().h") == index
        # The shown slide's background video has its current frame at least (readyState >= 2).
        page.wait_for_function(
            """i => { const v = Reveal.getSlideBackground(i)?.querySelector('video');
                      return v !== null && v !== undefined && v.readyState >= 2 && !v.error; }""",
            arg=index, timeout=15_000)
        if index < total - 1:
            page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # past the last slide: stays there
    assert page.evaluate("Reveal.getIndices().h") == total - 1


def test_nothing_outside_the_folder_was_asked_for(page, blocked):
    assert page.evaluate("Reveal.isReady()")
    assert blocked == []
