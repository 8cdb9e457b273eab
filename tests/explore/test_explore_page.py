"""The page's data is the Trace's recorded arrays, bit for bit, and the page cannot be broken
out of by text from a trace."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from types import SimpleNamespace

import numpy as np
import pytest
from pages import HOSTILE, make_trace

from explore import data as explore_data
from explore.data import lower_triangle, page_data
from explore.equations import equations
from explore.page import page_html
from rnn.cells import get_cell
from rnn.cells.base import Sum
from rnn.errors import UnrolledError


def unpack(packed: dict) -> np.ndarray:
    raw = base64.b64decode(packed["f64"])
    return np.frombuffer(raw, dtype="<f8").reshape(packed["shape"])


def embedded(html: str) -> dict:
    block = re.search(r'<script type="application/json" id="unrolled-data">(.*?)</script>',
                      html, re.S).group(1)
    return json.loads(block)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_the_page_carries_the_recorded_arrays(cell):
    tr = make_trace(cell)
    data = embedded(page_html(tr))
    arrays = {k: unpack(v) for k, v in data["arrays"].items()}
    assert np.array_equal(arrays["h"], tr.h) and np.array_equal(arrays["x"], tr.X)
    assert np.array_equal(arrays["yhat"], tr.yhat) and np.array_equal(arrays["loss"], tr.losses)
    if cell == "rnn":
        assert np.array_equal(arrays["a"], tr.a)
    else:
        assert np.array_equal(arrays["pre"], tr.pre) and np.array_equal(arrays["gates"], tr.gates)
    (window,) = data["windows"]
    norms = unpack(window["norms"])
    assert np.array_equal(norms, lower_triangle(tr.error_by_source_norms()))
    s, t = 5, 2  # row s, column t at s (s + 1) / 2 + t
    assert norms[s * (s + 1) // 2 + t] == tr.error_by_source_norms()[s, t]
    if cell == "lstm":
        assert np.array_equal(unpack(window["cell_norms"]),
                              lower_triangle(tr.cell_error_by_source_norms()))
    for name, value in tr.params.as_dict().items():
        assert np.array_equal(unpack(window["params"][name]), value)
    assert data["chars"] == tr.input_chars() and data["targets"] == tr.targets.tolist()


def test_windows_are_one_sequence_with_their_own_parameters():
    windows = make_trace("rnn", text="hello world!", window=4)
    data = page_data(windows)
    assert data["T"] == 11
    assert [(w["start"], w["stop"]) for w in data["windows"]] == [(1, 4), (5, 8), (9, 11)]
    assert np.array_equal(unpack(data["windows"][1]["params"]["W"]), windows[1].params.W)
    assert np.array_equal(unpack(data["windows"][2]["h0"]), windows[1].h[-1])


def test_text_from_a_trace_cannot_close_the_data_block():
    tr = make_trace("rnn", text=HOSTILE + "&\u2028")
    html = page_html(tr, title=HOSTILE)
    assert html.count("</script>") == 2  # the data block's end and the script's end
    assert "<img" not in html
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html  # the <title>
    data = embedded(html)
    assert data["title"] == HOSTILE and "<" in data["vocabulary"]


def test_only_the_pages_own_script_may_run():
    html = page_html(make_trace("gru"))
    script = re.search(r'<script type="module">(.*?)</script>', html, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert f"script-src 'sha256-{digest}'" in csp and "default-src 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_the_same_trace_gives_the_same_bytes():
    assert page_html(make_trace("lstm")) == page_html(make_trace("lstm"))


def test_a_page_too_big_is_refused_before_packing(monkeypatch):
    tr = make_trace("rnn")
    monkeypatch.setattr(explore_data, "MAX_PAGE_FLOATS", explore_data.page_floats(tr) - 1)
    with pytest.raises(UnrolledError, match="at most"):
        page_data(tr)


def test_a_cells_sums_are_resolved_to_what_the_page_reads():
    lstm = get_cell("lstm")
    H, shapes = 3, {**lstm.param_shapes(4, 3, 5), "P": (9,)}  # P: a stacked vector, 3 blocks
    sums = {"i": Sum("pre", ("b_hh", "W_hh h@p", "P[2] * cell@p", "1-f * tanh(cell)"),
                     "sigmoid")}
    spec = SimpleNamespace(title="test", name="t", gates=lstm.gates, states=lstm.states,
                           parts=lstm.parts, sums=sums)
    (kind, eq), = equations(spec, shapes, {"x", "h", "pre", "gates", "cell"}, H).items()
    assert kind == "gate-i" and eq["fn"] == "sigmoid"
    assert eq["total"] == {"array": "pre", "block": 0, "lag": 0, "shown": "pre_i"}
    bias, matrix, peep, mixed = eq["terms"]
    assert bias == {"factors": [{"param": "b_hh", "block": 0, "shown": "b_hi"}]}
    assert matrix == {"matrix": {"param": "W_hh", "block": 0, "shown": "W_hi"},
                      "vector": {"array": "h", "block": None, "lag": 1, "shown": "h"}}
    assert peep["factors"] == [{"param": "P", "block": 2, "shown": "P_i"},
                               {"array": "cell", "block": None, "lag": 1, "shown": "cell"}]
    assert mixed["factors"] == [{"array": "gates", "block": 1, "lag": 0, "shown": "f", "op": "1-"},
                                {"array": "cell", "block": None, "lag": 0, "shown": "cell",
                                 "op": "tanh"}]
    for bad, words in ((("P[3] * cell",), "no block 3"), (("f@p",), "only a state"),
                       (("W_hh q",), "'q'"), (("V h",), "rows")):
        spec.sums = {"i": Sum("pre", bad, "sigmoid")}
        with pytest.raises(UnrolledError, match=words):
            equations(spec, shapes, {"x", "h", "pre", "gates", "cell"}, H)
