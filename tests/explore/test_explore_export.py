"""The example notebook travels: executed, exported by ``jupyter nbconvert --to html`` as an
author would, and opened offline in Chromium, it shows each page drawn from the Trace.

Every request is refused (the export's own file aside) and recorded: the export asks CDNs for
RequireJS, MathJax and a widget manager and draws its widgets' boxes empty without them, but
the static copies ask for nothing and draw all the same.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from example_notebook import HOSTILE_COPY, expected_traces
from pages import matches_printed, recorded
from playwright.sync_api import sync_playwright

from explore.widget import static_copy
from rnn import text_model

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.xdist_group("explore-notebook")  # shares the kernel run
@pytest.fixture(scope="module")
def export(executed):
    """The HTML file nbconvert writes from the executed notebook."""
    _, path, _ = executed
    done = subprocess.run([sys.executable, "-m", "nbconvert", "--to", "html", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return path.with_suffix(".html")


@pytest.fixture(scope="module")
def offline(export):
    """The export open in Chromium with the network refused; what was asked and what failed."""
    assert shutil.which(CHROMIUM), "chromium is not installed (make test installs it)"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(10_000)
        seen = {"requests": [], "errors": [], "dialogs": []}
        own = export.as_uri()

        def refuse(route):
            if route.request.url.split("#")[0] == own:
                route.continue_()
            else:
                seen["requests"].append((route.request.frame.url, route.request.url))
                route.abort()

        page.route("**/*", refuse)
        page.on("pageerror", lambda e: seen["errors"].append(str(e)))
        page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
        page.goto(own)
        frames = []
        for handle in page.query_selector_all(".unrolled-static iframe"):
            handle.scroll_into_view_if_needed()  # the copies load lazily, as they come near
            frames.append(handle.content_frame())
            frames[-1].wait_for_selector(".unrolled-explore[data-ready='true']")
        try:
            yield page, frames, seen, browser
        finally:
            browser.close()


def test_the_export_draws_every_page_offline(offline):
    page, frames, seen, _ = offline
    assert len(frames) == 4  # the example's three, and the hostile one
    shown = page.eval_on_selector_all(".unrolled-static",
                                      "es => es.map(e => getComputedStyle(e).display)")
    assert shown == ["block"] * 4  # no live page beside them: every copy is in view
    for frame, traces in zip(frames, expected_traces()):
        assert frame.url == "about:srcdoc"
        # sandboxed: an opaque origin, kept out of the page that holds it
        assert frame.evaluate("""() => { try { return [self.origin, !!parent.document.body]; }
                                        catch (e) { return [self.origin, e.name]; } }""") == [
            "null", "SecurityError"]
        kinds = set(frame.eval_on_selector_all("[data-kind]", "es => es.map(e => e.dataset.kind)"))
        assert {"x", "h", "o", "yhat", "loss"} <= kinds
        for kind in ("x", "h", "o", "yhat"):
            units = frame.locator(f"[data-kind='{kind}']")
            for unit in (units.first, units.last):
                t, u = int(unit.get_attribute("data-t")), int(unit.get_attribute("data-unit"))
                unit.hover()
                printed = frame.inner_text("[role=tooltip] .value")
                assert matches_printed(printed, recorded(traces, kind, t, u)), (kind, t, u)
    lstm = expected_traces()[1]
    frames[1].hover("[data-kind='cell'][data-t='3'][data-unit='1']")
    assert matches_printed(frames[1].inner_text("[role=tooltip] .value"),
                           recorded(lstm, "cell", 3, 1))
    # nothing came from the copies: what was asked, the export's own page asked
    assert seen["requests"] and all(frame == page.url for frame, _ in seen["requests"])
    # the page keeps its view out of the URL in an about:srcdoc frame, so nothing fails there
    assert seen["errors"] == [] and not seen["dialogs"]


def test_a_hostile_text_stays_text_in_the_export(offline):
    page, frames, seen, _ = offline
    hostile = frames[3]
    assert hostile.title() == HOSTILE_COPY
    assert HOSTILE_COPY in hostile.inner_text("h1")
    assert page.query_selector_all("img") == [] == hostile.query_selector_all("img")
    vocabulary = sorted(set(HOSTILE_COPY))
    trace = text_model(HOSTILE_COPY, hidden=3, seed=0, cell="lstm").trace()
    hostile.hover("[data-kind=loss][data-s='1']")  # its target is the text's second character
    assert f"'{vocabulary[trace.targets[0]]}'" in hostile.inner_text("[role=tooltip]")
    assert not seen["dialogs"]


def test_a_live_page_beside_a_copy_puts_it_aside(offline):
    """In JupyterLab and Notebook 7 the live widget draws its root into the same output area
    (the classes nbconvert's lab template copies): the copy of that cell alone steps aside."""
    page, _, _, _ = offline
    display = "es => es.map(e => getComputedStyle(e).display)"
    page.evaluate("""() => {
        const area = document.querySelectorAll('.jp-OutputArea')[1];  // the LSTM's cell
        const root = document.createElement('div');
        root.className = 'unrolled-explore';
        area.querySelector('.jupyter-widgets').appendChild(root);
        window.liveRoot = root;
    }""")
    assert page.eval_on_selector_all(".unrolled-static", display) == ["block"] * 4  # drawing
    page.evaluate("() => { window.liveRoot.dataset.ready = 'true'; }")
    assert page.eval_on_selector_all(".unrolled-static", display) == [
        "block", "none", "block", "block"]
    page.evaluate("() => window.liveRoot.remove()")
    assert page.eval_on_selector_all(".unrolled-static", display) == ["block"] * 4


@pytest.mark.parametrize("cell, output", [
    ("cell_container", "output_container"),  # VS Code's output webview, as its source builds it
    ("output", "output_area"),  # the classic notebook
    ("cell_output", "output"),  # a Jupyter Book page (MyST-NB's markup)
])
def test_other_front_ends_outputs_put_the_copy_aside_too(offline, cell, output):
    _, _, _, browser = offline
    copy = static_copy("<!DOCTYPE html><title>a page</title>")
    live = f"<div class='{output}'><div class='unrolled-explore' data-ready='true'></div></div>"
    page = browser.new_page()
    try:
        page.set_content(f"<div class='{cell}'>{live}<div class='{output}'>{copy}</div></div>"
                         f"<div class='{cell}'><div class='{output}'>{copy}</div></div>")
        shown = page.eval_on_selector_all(".unrolled-static",
                                          "es => es.map(e => getComputedStyle(e).display)")
        assert shown == ["none", "block"]  # the live cell's copy alone
    finally:
        page.close()
