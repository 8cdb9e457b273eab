"""The page of a network: a chain per layer direction, the head above the band it reads (at
every step, or once after the last for one label), every tooltip the recorded value and its
terms adding up to the recorded total, and a loss term's error arrows, with their recorded
norms, through every layer and direction. A 2-layer bidirectional LSTM and a one-label GRU."""

from __future__ import annotations

import base64
import html
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from axe_audit import violations
from browser import browser, tab  # noqa: F401  (fixtures)
from pages import matches_printed, widget_page

from explore import data as explore_data
from explore import network_data, show
from explore.data import page_data
from explore.network_data import network_floats
from explore.page import page_html
from rnn import Optimizer, text_model
from rnn.errors import UnrolledError
from rnn.network import in_own_order
from rnn.traces import files as trace_files

pytestmark = pytest.mark.xdist_group("explore-browser")  # one browser launch under -n too
TEXT = "hello wo"  # 7 steps with a loss at each (all in view), 8 inputs for one label
ROOT = Path(__file__).resolve().parents[2]
BANDS = ["layer 2 of 2, forward", "layer 2 of 2, backward (reads from the end)",
         "layer 1 of 2, forward", "layer 1 of 2, backward (reads from the end)"]
SLOTS = [(1, 0), (1, 1), (0, 0), (0, 1)]  # (layer, direction) of each band, as drawn
# the error arrows shown in a band: [path, step, recorded norm]
ARROWS = """svg => [...svg.querySelectorAll('[data-kind=error]')]
    .filter(e => e.style.display !== 'none')
    .map(e => [e.dataset.path, +e.dataset.t, e.dataset.norm])"""


@pytest.fixture(scope="module")
def traces():
    return {"lstm": text_model(TEXT, hidden=3, seed=0, cell="lstm", num_layers=2,
                               bidirectional=True).trace(),
            "gru": text_model(TEXT, hidden=3, seed=0, cell="gru", label="x",
                              classes="x,y").trace()}


@pytest.fixture(scope="module")
def files(traces, tmp_path_factory):
    folder = tmp_path_factory.mktemp("network-pages")
    for name, trace in traces.items():
        (folder / f"{name}.html").write_text(page_html(trace, title=f"a {name} network"),
                                             encoding="utf-8")
    return {name: folder / f"{name}.html" for name in traces}


def unpack(packed: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(packed["f64"]), dtype="<f8").reshape(packed["shape"])


def recorded(trace, l: int, d: int, kind: str) -> np.ndarray:
    """(T, H) the Trace's values of a unit kind of layer l's direction d, sequence order."""
    own = trace.layer(l, d)
    value = own.gate(kind[5:]) if kind.startswith("gate-") else own.states(kind)
    return in_own_order(value, d)


def total(trace, l: int, d: int, name: str, kind: str) -> np.ndarray:
    """(T, H) what a declared sum's terms add up to, sequence order."""
    own = trace.layer(l, d)
    if kind.startswith("gate-") and name == "pre":
        return in_own_order(own.gate_pre(kind[5:]), d)
    return in_own_order(own.states(name) if name in own.spec.states else own.parts[name], d)


def test_the_page_carries_every_layer_directions_recorded_arrays(traces):
    trace = traces["lstm"]
    data = page_data(trace)
    assert [b["label"] for b in data["bands"]] == BANDS
    assert [b["reads"] for b in data["bands"]] == ["forward", "backward"] * 2
    assert [b["head"] for b in data["bands"]] == [True, False, False, False]
    for band, (l, d) in zip(data["bands"], SLOTS):
        arrays = {k: unpack(v) for k, v in band["arrays"].items()}
        assert np.array_equal(arrays["h"], trace.seq(l, d, "h"))
        assert np.array_equal(arrays["x"], trace.X if l == 0 else trace.output(0))
        assert np.array_equal(arrays["cell"], trace.seq(l, d, "cell"))
        (window,) = band["windows"]
        for path, key in (("h", "norms"), ("cell", "cell_norms")):  # whole: (S, T)
            assert np.array_equal(unpack(window[key]), trace.error_by_source_norms(l, d, path))
        assert np.array_equal(unpack(window["h0"]), trace.layer(l, d).h0)
        assert np.array_equal(unpack(window["params"]["W_hh"]), trace.layer(l, d).params.W_hh)
    assert np.array_equal(unpack(data["bands"][0]["windows"][0]["params"]["V"]), trace.params.V)
    assert np.array_equal(unpack(data["arrays"]["features"]), trace.features)
    assert data["loss_steps"] == list(range(1, trace.T + 1))
    one = page_data(traces["gru"])
    assert one["loss_steps"] == [traces["gru"].T] and one["classes"] == ["x", "y"]
    assert unpack(one["bands"][0]["windows"][0]["norms"]).shape == (1, traces["gru"].T)
    assert np.array_equal(unpack(one["arrays"]["loss"]), traces["gru"].losses)


def packed_floats(data) -> int:
    """How many floats the page's data holds, every packed block counted."""
    if isinstance(data, dict):
        return (int(np.prod(data["shape"])) if "f64" in data
                else sum(packed_floats(v) for v in data.values()))
    return sum(packed_floats(v) for v in data) if isinstance(data, list) else 0


def test_a_network_page_too_big_is_refused_before_its_errors_are_computed(traces, monkeypatch):
    windows = text_model(TEXT, hidden=3, seed=0, num_layers=2).windows(3, Optimizer("sgd", lr=0.1))
    for made in (traces["lstm"], traces["gru"], windows):
        listed = made if isinstance(made, list) else [made]
        assert network_floats(listed) == packed_floats(page_data(made))  # counted exactly
    monkeypatch.setattr(explore_data, "MAX_PAGE_FLOATS", network_floats([traces["lstm"]]) - 1)
    monkeypatch.setattr(network_data, "error_norms", lambda tr: pytest.fail("computed"))
    with pytest.raises(UnrolledError, match="at most"):
        page_data(traces["lstm"])


def test_one_label_in_windows_has_one_head_row_after_the_last_window():
    """The windows before the label have no head row and no loss term: nothing to point at."""
    windows = text_model(TEXT, hidden=3, seed=0, label="a", classes="a,b",
                         bidirectional=True).windows(2, Optimizer("sgd", lr=0.1))
    data = page_data(windows)
    assert len(windows) > 1 and data["loss_steps"] == [data["T"]] and data["targets"] == [0]
    assert tuple(data["arrays"]["o"]["shape"]) == (1, 2)
    assert network_floats(windows) == packed_floats(data)
    for band in data["bands"]:
        assert [tuple(w["norms"]["shape"])[0] for w in band["windows"]] == \
            [0] * (len(windows) - 1) + [1]


def test_windows_of_a_stacked_run_stop_every_layers_arrows_at_the_cuts(tab, tmp_path):
    windows = text_model("hello world!", hidden=3, seed=0, num_layers=2).windows(
        4, Optimizer("sgd", lr=0.1))  # 11 steps: 1-4, 5-8, 9-11
    data = page_data(windows)
    for band, l in zip(data["bands"], (1, 0)):
        assert [(w["start"], w["stop"]) for w in band["windows"]] == [(1, 4), (5, 8), (9, 11)]
        for w, tr in zip(band["windows"], windows):
            assert np.array_equal(unpack(w["norms"]), tr.error_by_source_norms(l, 0, "h"))
            assert np.array_equal(unpack(w["h0"]), tr.layer(l, 0).h0)  # carried across cuts
    path = tmp_path / "windows.html"
    path.write_text(page_html(windows), encoding="utf-8")
    page = tab(path, "#t=7")
    page.click("[data-kind=loss][data-s='7']")
    for i, l in enumerate((1, 0)):
        arrows = page.locator("svg.ux-chain").nth(i).evaluate(ARROWS)
        assert sorted(t for _, t, _ in arrows) == [5, 6, 7]  # not across the cut at 5
        norms = windows[1].error_by_source_norms(l, 0, "h")
        assert all(float(n) == norms[7 - 5, t - 5] for _, t, n in arrows)


def test_a_chain_per_layer_direction_the_backward_ones_pointing_back(tab, files):
    page = tab(files["lstm"])
    assert page.eval_on_selector_all("svg.ux-chain", "s => s.map(e => e.dataset.band)") == BANDS
    arrows = page.eval_on_selector_all("svg.ux-chain", """s => s.map(svg =>
        [...svg.querySelectorAll('.ux-forward path')].filter(p => p.getAttribute('d'))
        .map(p => p.getAttribute('d').match(/^M([\\d.]+),[\\d.]+ L([\\d.]+),/)
        .slice(1).map(Number)))""")
    for drawn, (_, d) in zip(arrows, SLOTS):
        assert drawn and all((x2 < x1) if d else (x2 > x1) for x1, x2 in drawn)
    # the head reads the top layer: its strips and loss terms sit in that band only
    per_band = page.eval_on_selector_all("svg.ux-chain", """s => s.map(svg =>
        [svg.querySelectorAll('[data-kind=loss]').length,
         svg.querySelectorAll('[data-kind=o]').length])""")
    assert per_band[0][0] == 7 and per_band[0][1] > 0 and all(n == [0, 0] for n in per_band[1:])


@pytest.mark.parametrize("name", ["lstm", "gru"])
def test_every_bands_tooltips_add_up_to_the_recorded_values(tab, files, traces, name):
    trace = traces[name]
    spec, T = trace.spec, trace.T
    page = tab(files[name], f"#t={T}" if name == "gru" else "")
    chains = page.locator("svg.ux-chain")
    slots = SLOTS if name == "lstm" else [(0, 0)]
    assert chains.count() == len(slots)
    steps = (1, 4, 7) if name == "lstm" else (2, 5, T)  # the steps in view
    checked = 0
    for i, (l, d) in enumerate(slots):
        for sum_name, written in spec.sums.items():
            kind = f"gate-{sum_name}" if sum_name in spec.gates else sum_name
            values, totals = recorded(trace, l, d, kind), total(trace, l, d, written.total, kind)
            for t in steps:
                for u in (0, 2):
                    unit = f"[data-kind='{kind}'][data-t='{t}'][data-unit='{u}']"
                    chains.nth(i).locator(unit).hover()
                    tooltip = page.locator("[role=tooltip]")
                    value = tooltip.locator(".value").inner_text()
                    assert matches_printed(value, values[t - 1, u]), (i, kind, t, u)
                    terms = [float(x) for x in tooltip.locator(".ux-tt-term").evaluate_all(
                        "ls => ls.map(l => l.dataset.term)")]
                    assert terms and np.isclose(sum(terms), totals[t - 1, u], rtol=1e-12,
                                                atol=1e-14), (i, kind, t, u)
                    checked += 1
    assert checked == len(slots) * len(spec.sums) * 6
    # the head's output: at every step, or after the last step only
    k = int(trace.targets[-1])
    chains.nth(0).locator(f"[data-kind='yhat'][data-t='{T}'][data-unit='{k}']").hover()
    shown = page.locator("[role=tooltip] .value").inner_text()
    assert matches_printed(shown, trace.yhat[-1, k])
    assert f"L({T}) = " in page.locator("[role=tooltip]").inner_text()


def test_the_maps_draw_the_layer_direction_chosen(tab, files, traces):
    trace = traces["lstm"]
    page = tab(files["lstm"])
    caption = page.locator(".ux-map figcaption").first
    assert "layer 2 of 2, forward" in caption.inner_text()
    page.select_option(".ux-band-pick select", label=BANDS[3])
    assert BANDS[3] in caption.inner_text() and page.locator("canvas.ux-heat").count() == 1
    # a click on the new heatmap selects a unit and a step, as the first one did
    heat = page.locator("canvas.ux-heat")
    box = heat.bounding_box()
    heat.click(position={"x": box["width"] * 4.5 / trace.T, "y": box["height"] * 2.5 / 3})
    assert page.input_value("input[type=range]") == "5"
    assert page.locator("svg.ux-chain").nth(3).locator(
        "[data-kind=h][data-t='5'][data-unit='2']").get_attribute("class").count("ux-unit-sel")


def test_one_label_has_one_loss_term_after_the_last_step(tab, files, traces):
    trace = traces["gru"]
    page = tab(files["gru"], f"#t={trace.T}")
    losses = page.locator("[data-kind=loss]:visible")
    assert losses.count() == 1 and losses.get_attribute("data-s") == str(trace.T)
    said = re.search(r"= (\S+)$", losses.get_attribute("aria-label")).group(1)
    assert matches_printed(said, trace.losses[0])
    assert page.locator(f"[data-kind=o][data-t='{trace.T - 1}']:visible").count() == 0
    assert page.locator(f"[data-kind=o][data-t='{trace.T}']:visible").count() == 2  # K = 2
    assert "'x'" in page.locator(".ux-step").inner_text()  # the label's name
    height = page.eval_on_selector("canvas.ux-errmap", "c => c.height")
    assert height == 1  # the error map of one label: one row
    # the arrow keys walk past the strips a step does not show
    page.focus("rect[data-kind=h][tabindex='0']")
    page.keyboard.press("ArrowRight")
    focused = page.evaluate("(e => [e.dataset.kind, +e.dataset.t])(document.activeElement)")
    assert focused == ["x", 3]


@pytest.mark.parametrize("name, s", [("lstm", 4), ("gru", None)])
def test_a_loss_terms_error_arrows_reach_every_layer_and_direction(tab, files, traces, name, s):
    trace = traces[name]
    s = s or trace.T
    page = tab(files[name], f"#t={trace.T}" if name == "gru" else "")
    page.click(f"[data-kind=loss][data-s='{s}']")
    shown = page.eval_on_selector_all("[data-kind=loss][aria-pressed=true]", "g => g.length")
    assert shown == 1
    row = 0 if trace.shape.task == "last" else s - 1
    in_view = page.eval_on_selector("svg.ux-chain", "svg => [...svg.querySelectorAll('.ux-slot')]"
                                    ".map(g => +g.dataset.t)")
    slots = SLOTS if name == "lstm" else [(0, 0)]
    for i, (l, d) in enumerate(slots):
        arrows = page.locator("svg.ux-chain").nth(i).evaluate(ARROWS)
        assert arrows, (l, d)  # the term's error reaches this layer direction
        for path in trace.spec.paths:
            norms = trace.error_by_source_norms(l, d, path)[row]
            drawn = {t: float(n) for p, t, n in arrows if p == path}
            # one arrow per step the error reached, with the recorded norm, exactly
            assert drawn == {t: norms[t - 1] for t in in_view if norms[t - 1] > 0}, (l, d, path)
        if name == "lstm" and l == 1:  # the top layer: back from s, or forward to it
            steps = {t for _, t, _ in arrows}
            assert steps == (set(range(s, trace.T + 1)) if d else set(range(1, s + 1)))


@pytest.mark.parametrize("name, theme", [("lstm", "dark"), ("lstm", "light"), ("gru", "dark")])
def test_no_wcag_violation_and_every_band_reached_by_tab(browser, traces, tmp_path,  # noqa: F811
                                                         name, theme):
    path = tmp_path / f"{name}-{theme}.html"
    path.write_text(page_html(traces[name], theme=theme), encoding="utf-8")
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                   else r.abort())
        page.goto(path.as_uri() + "#t=8&source=7")  # a term's arrows drawn too
        page.wait_for_selector(".unrolled-explore[data-ready='true']", timeout=10_000)
        assert violations(page) == []
        names = page.eval_on_selector_all("svg.ux-chain",
                                          "s => s.map(e => e.getAttribute('aria-label'))")
        assert len(set(names)) == len(names)  # each band has a name of its own
        reached = set()
        for _ in range(60):  # Tab through the page: a unit of every band takes the focus
            page.keyboard.press("Tab")
            reached.add(page.evaluate("() => { const e = document.activeElement; const svg = "
                                      "e.closest && e.closest('svg.ux-chain'); return svg ? "
                                      "svg.getAttribute('aria-label') + '|' + "
                                      "e.getAttribute('data-kind') : ''; }"))
        assert {n + "|h" for n in names} <= reached
    finally:
        context.close()


def test_the_notebook_widget_shows_a_network(tab, traces, tmp_path):
    trace = traces["lstm"]
    widget = show(trace, title="a network")
    assert json.loads(widget.data) == json.loads(json.dumps(page_data(trace, "a network")))
    (copy,) = re.findall(r'srcdoc="([^"]*)"', widget.static_html())  # and its static copy
    assert html.unescape(copy) == page_html(trace, title="a network")
    path = tmp_path / "widget.html"
    path.write_text(widget_page(trace), encoding="utf-8")
    page = tab(path)  # anywidget's render of the same module
    assert page.eval_on_selector_all("svg.ux-chain", "s => s.map(e => e.dataset.band)") == BANDS
    page.locator("svg.ux-chain").nth(3).locator("[data-kind=h][data-t='2'][data-unit='1']").hover()
    assert matches_printed(page.inner_text("[role=tooltip] .value"), trace.seq(0, 1, "h")[1, 1])


def unrolled(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import cli; cli.main()", *args], cwd=ROOT,
                          capture_output=True, text=True)


def embedded(path: Path) -> dict:
    html = path.read_text(encoding="utf-8")
    return json.loads(re.search(r'id="unrolled-data">(.*?)</script>', html, re.S).group(1))


@pytest.mark.parametrize("args, bands", [
    (("--cell", "lstm", "--num-layers", "2", "--bidirectional"), BANDS),
    (("--cell", "gru", "--label", "x", "--classes", "x,y"), ["layer 1 of 1"]),
])
def test_the_command_writes_the_page_of_a_network(tmp_path, args, bands):
    out = tmp_path / "page.html"
    result = unrolled("explore", *args, "--text", TEXT, "--hidden", "3", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"wrote {out}" in result.stdout
    data = embedded(out)
    assert [b["label"] for b in data["bands"]] == bands
    assert len(data["loss_steps"]) == (1 if "--label" in args else len(TEXT) - 1)


def test_the_command_explores_a_saved_network_trace(tmp_path):
    saved, out = tmp_path / "net.json", tmp_path / "page.html"
    made = unrolled("trace", "--cell", "gru", "--num-layers", "2", "--bidirectional", "--text",
                    TEXT, "--hidden", "2", "--json", str(saved), "--quiet")
    assert made.returncode == 0, made.stderr
    result = unrolled("explore", "--trace", str(saved), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8") == page_html(trace_files.load_any(saved))
    assert [b["label"] for b in embedded(out)["bands"]] == BANDS


@pytest.mark.parametrize("args, words", [
    (("--num-layers", "0", "--text", TEXT), "num-layers"),
    (("--label", "z", "--classes", "x,y", "--text", TEXT), "z"),
    (("--trace", "SAVED", "--bidirectional"), "--bidirectional does not apply"),
])
def test_a_bad_network_is_one_error_line_and_nothing_written(tmp_path, args, words):
    saved, out = tmp_path / "t.json", tmp_path / "page.html"
    assert unrolled("trace", "--text", "hey", "--json", str(saved), "--quiet").returncode == 0
    result = unrolled("explore", *(str(saved) if a == "SAVED" else a for a in args),
                      "--out", str(out))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and words in lines[0], lines
    assert not out.exists()
