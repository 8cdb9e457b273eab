"""The explore page in a real browser, offline: what it shows is the Trace, and nothing runs
but the page's own script.

Debian's Chromium, driven by Playwright, launched once for the module. Every request that is
not the page's own file is refused and recorded; a console error, an uncaught exception or a
dialog fails the test that caused it.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from browser import browser, tab  # noqa: F401  (fixtures)
from pages import HOSTILE, make_trace, matches_printed, recorded, widget_page

from explore.page import page_html
from rnn.cells import get_cell

pytestmark = pytest.mark.xdist_group("explore-browser")  # one browser launch under -n too
CELLS = ("rnn", "lstm", "gru")


@pytest.fixture(scope="module")
def traces():
    return {cell: make_trace(cell) for cell in CELLS}


@pytest.fixture(scope="module")
def files(tmp_path_factory, traces):
    """The pages, written once: one per cell, a truncated run, a wide layer, a hostile text."""
    folder = tmp_path_factory.mktemp("explore")
    out = {}
    for cell, tr in traces.items():
        out[cell] = folder / f"{cell}.html"
        out[cell].write_text(page_html(tr, theme="light" if cell == "gru" else "dark"))
    windows = make_trace("rnn", text="hello world!", window=4)  # 11 steps: 1-4, 5-8, 9-11
    out["windows"] = (folder / "windows.html", windows)
    out["windows"][0].write_text(page_html(windows))
    wide = make_trace("rnn", text="hello world, again", hidden=40)  # two pages of units
    out["wide"] = (folder / "wide.html", wide)
    out["wide"][0].write_text(page_html(wide))
    hostile = make_trace("lstm", text=HOSTILE + HOSTILE[:3])
    out["hostile"] = folder / "hostile.html"
    out["hostile"].write_text(page_html(hostile, title=HOSTILE))
    # The notebook widget's path: anywidget's render({model, el}) of the same module.
    out["widget"] = folder / "widget.html"
    out["widget"].write_text(widget_page(traces["lstm"]))
    return out


def wait_until(page, expression: str, value, seconds: float = 5.0):
    """Poll ``expression`` until it equals ``value`` (wait_for_function would need eval, which
    the page's Content-Security-Policy forbids)."""
    for _ in range(int(seconds / 0.05)):
        if page.evaluate(expression) == value:
            return
        page.wait_for_timeout(50)
    assert page.evaluate(expression) == value


def attribute_of(page, selector: str, name: str) -> list[int]:
    """``data-NAME`` of every element matching ``selector``, as integers, in document order."""
    return page.eval_on_selector_all(selector, f"es => es.map(e => +e.dataset.{name})")


def shown_arrows(page) -> list[dict]:
    return page.evaluate("""[...document.querySelectorAll('[data-kind=error]')]
        .filter(e => e.style.display !== 'none')
        .map(e => ({path: e.dataset.path, source: +e.dataset.source, t: +e.dataset.t,
                    norm: e.dataset.norm, width: parseFloat(e.style.strokeWidth)}))""")


def kinds(cell):
    spec = get_cell(cell)
    return ["x", *(f"gate-{g}" for g in spec.gates), *(s for s in spec.states if s != "h"),
            "h", "o", "yhat"]


@pytest.mark.parametrize("cell", CELLS)
def test_tooltips_print_the_recorded_values(tab, files, traces, cell):
    page = tab(files[cell])
    tr = traces[cell]
    checked = 0
    for kind in kinds(cell):
        for t in (1, tr.T):
            units = page.locator(f"[data-kind='{kind}'][data-t='{t}']")
            for index in (0, units.count() - 1):
                unit = units.nth(index)
                u = int(unit.get_attribute("data-unit"))
                unit.hover()
                tooltip = page.locator("[role=tooltip]")
                printed = tooltip.locator(".value").inner_text()
                assert matches_printed(printed, recorded(tr, kind, t, u)), (kind, t, u, printed)
                assert tooltip.locator(".ux-tt-name").inner_text().endswith(f"({t})[{u}]")
                lines = tooltip.inner_text()
                if kind == "h" and cell == "rnn":  # the pre-activation, next to its terms
                    a = re.search(rf"a\({t}\)\[{u}\] = (\S+)  \(recorded\)", lines).group(1)
                    assert matches_printed(a, float(tr.a[t - 1, u]))
                    assert f"b[{u}] = " in lines and "U[" in lines
                    assert ("W[" in lines) == (t > 1)  # h(0) = 0: no W term at step 1
                if kind.startswith("gate-"):
                    g = kind[5:]
                    pre = re.search(rf"pre_{g}\({t}\)\[{u}\] = (\S+)  \(recorded\)", lines)
                    assert matches_printed(pre.group(1), float(tr.gate_pre(g)[t - 1, u]))
                checked += 1
    assert checked == 4 * len(kinds(cell))


@pytest.mark.parametrize("cell", CELLS)
def test_a_loss_term_sends_one_arrow_per_earlier_step_with_the_recorded_norms(
        tab, files, traces, cell):
    page = tab(files[cell])
    tr = traces[cell]
    assert shown_arrows(page) == []
    s = tr.T - 2
    page.click(f"[data-kind=loss][data-s='{s}']")
    arrows = shown_arrows(page)
    paths = {p: tr.error_by_source_norms(p) for p in tr.spec.states}  # h, and the cell state
    assert len(paths) == (2 if cell == "lstm" else 1)
    for path, norms in paths.items():
        mine = [a for a in arrows if a["path"] == path]
        assert sorted(a["t"] for a in mine) == list(range(1, s + 1))  # one per step t <= s
        for a in mine:
            assert a["source"] == s
            assert float(a["norm"]) == norms[s - 1, a["t"] - 1]  # the recorded norm, exactly
        by_norm = sorted(mine, key=lambda a: float(a["norm"]))
        widths = [a["width"] for a in by_norm]
        assert widths == sorted(widths) and widths[0] < widths[-1]  # log-scale widths
    assert len(arrows) == s * len(paths)
    assert page.get_attribute(f"[data-kind=loss][data-s='{s}']", "aria-pressed") == "true"
    page.click(f"[data-kind=loss][data-s='{s}']")  # a second click takes it back
    assert shown_arrows(page) == []


def test_enter_and_space_on_a_loss_term(tab, files):
    page = tab(files["rnn"])
    page.focus("[data-kind=loss][data-s='3']")
    page.keyboard.press("Enter")
    assert {a["t"] for a in shown_arrows(page)} == {1, 2, 3}
    page.keyboard.press(" ")
    assert shown_arrows(page) == []


def test_arrows_stop_at_the_cuts_of_a_truncated_run(tab, files):
    path, windows = files["windows"]
    page = tab(path, "#t=7&source=7")
    arrows = shown_arrows(page)
    norms = windows[1].error_by_source_norms()  # window 2 holds steps 5..8
    assert sorted(a["t"] for a in arrows) == [5, 6, 7]  # no error crosses the cut at 5
    for a in arrows:
        assert float(a["norm"]) == norms[7 - 5, a["t"] - 5]
    cuts = page.evaluate("""[...document.querySelectorAll('.ux-slot')]
        .filter(g => g.querySelector('.ux-cut').style.display !== 'none').map(g => +g.dataset.t)""")
    assert cuts == [5, 9]


def test_a_deep_link_restores_the_step_the_term_and_the_unit(tab, files, traces):
    page = tab(files["lstm"], "#t=4&source=6&unit=2")
    assert page.input_value("input[type=range]") == "4"
    assert page.get_attribute(".ux-slot:has(.ux-selected)", "data-t") == "4"
    assert page.get_attribute("[data-kind=loss][data-s='6']", "aria-pressed") == "true"
    assert {a["source"] for a in shown_arrows(page)} == {6}
    assert set(attribute_of(page, ".ux-unit-sel[data-kind=h]", "unit")) == {2}
    # and the view is written back: another term, then the hash says so
    page.click("[data-kind=loss][data-s='3']")
    wait_until(page, "location.hash", "#t=4&source=3&unit=2")


def test_the_scrubber_moves_the_chain(tab, files):
    path, wide = files["wide"]
    page = tab(path)
    scrub = page.locator("input[type=range]")
    assert scrub.get_attribute("max") == str(wide.T)
    scrub.focus()
    for _ in range(9):
        page.keyboard.press("ArrowRight")
    assert scrub.input_value() == "10"
    assert page.get_attribute(".ux-slot:has(.ux-selected)", "data-t") == "10"
    shown = attribute_of(page, "[data-kind=h][data-unit='0']", "t")
    assert shown == list(range(6, 15))  # 9 steps around t = 10
    page.keyboard.press("End")
    shown = attribute_of(page, "[data-kind=h][data-unit='0']", "t")
    assert shown == list(range(wide.T - 8, wide.T + 1))
    page.locator("body").click(position={"x": 5, "y": 5})  # arrows on the page move it too
    page.keyboard.press("ArrowLeft")
    assert scrub.input_value() == str(wide.T - 1)


def test_a_wide_layer_is_shown_a_page_of_units_at_a_time(tab, files):
    path, wide = files["wide"]
    page = tab(path, "#t=3&unit=35")
    units = attribute_of(page, "[data-kind=h][data-t='3']", "unit")
    assert units == list(range(8, 40))  # the last 32 of 40, the selected unit among them
    page.hover("[data-kind=h][data-t='3'][data-unit='35']")
    assert matches_printed(page.inner_text("[role=tooltip] .value"), float(wide.h[2, 35]))


def test_units_are_reached_with_the_keyboard(tab, files, traces):
    page = tab(files["gru"])
    page.focus(".ux-unit[tabindex='0']")
    focused = "[document.activeElement.dataset.kind, +document.activeElement.dataset.unit]"
    first = page.evaluate(focused)
    page.keyboard.press("ArrowDown")
    now = page.evaluate(focused)
    assert now == [first[0], first[1] + 1]
    assert page.is_visible("[role=tooltip]")
    printed = page.inner_text("[role=tooltip] .value")
    t = int(page.evaluate("document.activeElement.dataset.t"))
    assert matches_printed(printed, recorded(traces["gru"], now[0], t, now[1]))


def test_clicking_the_maps_selects(tab, files):
    path, wide = files["wide"]
    page = tab(path)
    errmap = page.locator("canvas.ux-errmap")
    box = errmap.bounding_box()
    # the centre of row s = 15, column t = 4 of the error map
    errmap.click(position={"x": box["width"] * 3.5 / wide.T, "y": box["height"] * 14.5 / wide.T})
    assert page.input_value("input[type=range]") == "4"
    assert "L(15)" in page.inner_text(".ux-source")
    arrows = shown_arrows(page)  # L(15) is off the chain, its arrows into steps 1..9 are on it
    assert {a["source"] for a in arrows} == {15}
    assert sorted(a["t"] for a in arrows) == list(range(1, 10))
    heat = page.locator("canvas.ux-heat")
    box = heat.bounding_box()
    heat.click(position={"x": box["width"] * 9.5 / wide.T, "y": box["height"] * 20.5 / 40})
    assert page.input_value("input[type=range]") == "10"
    assert set(attribute_of(page, ".ux-unit-sel[data-kind=h]", "unit")) == {20}


def test_text_from_the_trace_never_runs(tab, files):
    page = tab(files["hostile"])
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.inner_text("h1") == HOSTILE  # shown as text
    assert page.title() == HOSTILE
    assert "'<' \u2192 '/'" in page.inner_text(".ux-step")  # the characters, as text
    # the loss term's tooltip names the target character as text too
    page.hover("[data-kind=loss][data-s='1']")
    assert "'/'" in page.inner_text("[role=tooltip]")


def test_the_theme_switch(tab, files):
    page = tab(files["gru"])  # written with --theme light
    root = page.locator(".unrolled-explore")
    assert root.get_attribute("data-theme") == "light"
    background = "getComputedStyle(document.querySelector('.unrolled-explore')).backgroundColor"
    light = page.evaluate(background)
    page.click(".ux-theme")
    assert root.get_attribute("data-theme") == "dark"
    assert page.evaluate(background) != light


def test_the_notebook_widget_runs_the_same_module(tab, files, traces):
    page = tab(files["widget"])
    tr = traces["lstm"]
    assert page.get_attribute("#cell-output", "data-theme") == "light"
    page.hover("[data-kind=cell][data-t='2'][data-unit='1']")
    assert matches_printed(page.inner_text("[role=tooltip] .value"), float(tr.cell[1, 1]))
    page.click("[data-kind=loss][data-s='3']")
    assert sorted((a["path"], a["t"]) for a in shown_arrows(page)) == [
        ("cell", 1), ("cell", 2), ("cell", 3), ("h", 1), ("h", 2), ("h", 3)]
    assert page.evaluate("location.hash") == ""  # a notebook's URL is left alone


def _shot(page, selector: str):
    from PIL import Image

    return Image.open(io.BytesIO(page.locator(selector).screenshot())).convert("RGB")


def _diverging(v: float) -> tuple[int, int, int]:
    """The page's blue-white-red colour of a value in [-1, 1], in 256 levels."""
    level = round((min(1.0, max(-1.0, v)) + 1.0) * 127.5)
    u = level / 127.5 - 1.0
    w = round(255 * (1 - abs(u)))
    return (w, w, 255) if u < 0 else (255, w, w)


def test_the_maps_are_painted_with_the_recorded_values(tab, files):
    path, wide = files["wide"]
    page = tab(path)
    heat = _shot(page, "canvas.ux-heat")
    T, H = wide.h.shape
    (w, h) = heat.size
    # the largest and smallest activations and a spread of others, each at its cell's centre
    cells = {np.unravel_index(np.argmax(wide.h), wide.h.shape),
             np.unravel_index(np.argmin(wide.h), wide.h.shape),
             *((t, (7 * t) % H) for t in range(T))}
    for t, i in cells:
        shown = heat.getpixel((int((t + 0.5) * w / T), int((i + 0.5) * h / H)))
        expected = _diverging(float(wide.h[t, i]))
        assert max(abs(a - b) for a, b in zip(shown, expected)) <= 3, (t, i, shown, expected)
    # the error map: dL(s)/dh(t) exists for t <= s only; those cells are painted, the rest not
    errmap = _shot(page, "canvas.ux-errmap")
    (w, h) = errmap.size
    at = lambda s, t: errmap.getpixel((int((t - 0.5) * w / T), int((s - 0.5) * h / T)))  # noqa: E731
    above = {at(s, t) for s in range(1, T + 1) for t in range(s + 1, T + 1)}
    assert len(above) == 1  # one empty colour
    below = [at(s, t) for s in range(1, T + 1) for t in range(1, s + 1)]
    assert above.isdisjoint(below) and len(set(below)) > T  # the norms differ, in colour too


def shown_names(page) -> list[dict]:
    return page.evaluate("""[...document.querySelectorAll('[data-kind=error-name]')]
        .filter(e => e.style.display !== 'none').map(e => {
          const r = e.getBBox();
          return {text: e.textContent, x: r.x, y: r.y, w: r.width, h: r.height};
        })""")


def test_a_loss_terms_arrows_carry_its_name_and_repeated_colours_their_dashes(tab, files):
    """Colour is not the only cue: the first arc of L(s) is named, over it and clear of the
    loss circles; L(10) shares L(2)'s colour and is dashed, L(2) is not."""
    path, wide = files["wide"]
    assert wide.T >= 10
    page = tab(path, "#t=10&source=10")
    [name] = shown_names(page)
    assert name["text"] == "L(10)"
    dashes = page.evaluate("""[...document.querySelectorAll('[data-kind=error]')]
        .filter(e => e.style.display !== 'none').map(e => e.style.strokeDasharray)""")
    assert len(dashes) >= 5 and {d.replace("px", "").replace(",", "") for d in dashes} == {"5 10"}
    boxes = page.evaluate("""[...document.querySelectorAll('.ux-loss circle, .ux-layer-label')]
        .filter(e => e.closest('[data-t="10"]')).map(e => {
          const r = e.getBBox(); return [r.x, r.y, r.x + r.width, r.y + r.height]; })""")
    assert boxes
    mine = [name["x"], name["y"], name["x"] + name["w"], name["y"] + name["h"]]
    for b in boxes:  # the name's slot and the loss circle above it: apart
        assert not (mine[0] < b[2] and b[0] < mine[2] and mine[1] < b[3] and b[1] < mine[3])
    page = tab(path, "#t=2&source=2")
    assert [n["text"] for n in shown_names(page)] == ["L(2)"]
    assert page.evaluate("""[...document.querySelectorAll('[data-kind=error]')]
        .filter(e => e.style.display !== 'none').every(e => !e.style.strokeDasharray)""")
