"""The explore page passes axe-core's WCAG 2.1 A and AA rules, in both themes, for the simple
RNN and the LSTM, offline in Chromium; and every control is reached and used from the keyboard."""

from __future__ import annotations

import pytest
from axe_audit import violations
from browser import CHROMIUM, browser  # noqa: F401 (a fixture)

from explore.page import page_html
from rnn import text_model


# the pages and the browser once, under -n too
pytestmark = pytest.mark.xdist_group("explore-axe")


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("pages")
    made = {}
    for cell in ("rnn", "lstm"):
        trace = text_model("hello world", hidden=4, seed=1, cell=cell).trace()
        for theme in ("dark", "light"):
            path = out / f"{cell}-{theme}.html"
            path.write_text(page_html(trace, theme=theme, title=f"The {cell} on hello world"),
                            encoding="utf-8")
            made[cell, theme] = path
    return made


def opened(browser, path):  # noqa: F811
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
               else r.abort())
    page.goto(path.as_uri())
    page.wait_for_selector(".unrolled-explore[data-ready='true']", timeout=10_000)
    return context, page


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
@pytest.mark.parametrize("theme", ["dark", "light"])
def test_no_wcag_violation(pages, browser, cell, theme):  # noqa: F811
    context, page = opened(browser, pages[cell, theme])
    try:
        assert violations(page) == []
    finally:
        context.close()


FOCUSED = """() => {
  const e = document.activeElement;
  return [e.tagName.toLowerCase(), e.getAttribute("class") || "", e.getAttribute("data-kind") || "",
          e.getAttribute("aria-label") || e.textContent.trim().slice(0, 20)].join("|");
}"""


def test_every_control_is_reached_and_used_from_the_keyboard(pages, browser):  # noqa: F811
    context, page = opened(browser, pages["lstm", "light"])
    try:
        seen = []
        for _ in range(40):  # Tab through the page from its start
            page.keyboard.press("Tab")
            seen.append(page.evaluate(FOCUSED))
        kinds = {s.split("|")[2] for s in seen}
        labels = " ".join(seen)
        assert "ux-theme" in labels and "previous step" in labels and "next step" in labels
        assert "time step" in labels and {"loss", "h"} <= kinds
        # the scrubber moves with the arrow keys
        page.focus("input[type=range]")
        page.keyboard.press("ArrowRight")
        assert page.input_value("input[type=range]") == "2"
        # a loss term is chosen and let go with Enter and Space
        term = "[data-kind=loss][data-s='3']"
        page.focus(term)
        page.keyboard.press("Enter")
        assert page.get_attribute(term, "aria-pressed") == "true"
        page.keyboard.press(" ")
        assert page.get_attribute(term, "aria-pressed") == "false"
        # the units are a grid the arrows walk
        page.focus("rect[data-kind=h][tabindex='0']")
        before = page.evaluate(FOCUSED)
        page.keyboard.press("ArrowDown")
        assert page.evaluate(FOCUSED) != before and "|h|" in page.evaluate(FOCUSED)
        # and the theme button switches the theme
        theme = page.get_attribute(".unrolled-explore", "data-theme")
        page.focus("button.ux-theme")
        page.keyboard.press("Enter")
        assert page.get_attribute(".unrolled-explore", "data-theme") != theme
    finally:
        context.close()


def test_nothing_moves_by_itself_under_reduced_motion(pages, browser):  # noqa: F811
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    try:
        page.goto(pages["rnn", "dark"].as_uri())
        page.wait_for_selector(".unrolled-explore[data-ready='true']", timeout=10_000)
        page.click("[data-kind=loss][data-s='4']")  # the error arrows of L(4) are drawn
        assert page.locator(".ux-error").count() > 0
        assert page.evaluate("document.getAnimations().length") == 0
    finally:
        context.close()
