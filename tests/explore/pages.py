"""Traces the explore tests open, and the recorded value of any drawn unit, read from them."""

from __future__ import annotations

import numpy as np

from explore.data import page_data
from explore.page import asset, script_json
from rnn import Optimizer, text_model
from rnn.cells import get_cell

TEXT = "hello wo"  # 7 steps: the whole chain is visible, for every cell
HOSTILE = "</script><img src=x onerror=alert(1)>"


def make_trace(cell: str, text: str = TEXT, hidden: int = 3, window: int | None = None):
    """A trace (or window traces) of ``cell`` on ``text``, seed 0, one SGD update."""
    opt = Optimizer("sgd", lr=0.1)
    model = text_model(text, hidden=hidden, seed=0, cell=cell,
                       forget_bias=get_cell(cell).init_option("forget_bias"))
    return model.windows(window, opt) if window else model.trace(opt)


def joined(traces, get) -> np.ndarray:
    """One (T, ...) array over the windows of a truncated run (or a single trace)."""
    traces = traces if isinstance(traces, list) else [traces]
    return np.concatenate([get(tr) for tr in traces])


def recorded(traces, kind: str, t: int, unit: int) -> float:
    """The Trace's value of unit ``unit`` of ``kind`` at 1-based step ``t``."""
    if kind.startswith("gate-"):
        return float(joined(traces, lambda tr: tr.gate(kind[5:]))[t - 1, unit])
    if kind in ("x", "o", "yhat"):
        attr = "X" if kind == "x" else kind
        return float(joined(traces, lambda tr: getattr(tr, attr))[t - 1, unit])
    return float(joined(traces, lambda tr: tr.states(kind))[t - 1, unit])  # h, or another state


def matches_printed(printed: str, value: float) -> bool:
    """Whether ``printed`` is ``value`` to its printed significant digits (half a unit of the
    last digit), with at least 4 of them."""
    mantissa = printed.lstrip("-").split("e")[0].replace(".", "").lstrip("0")
    digits = max(len(mantissa), 1)
    if digits < 4 and float(printed) != 0.0:
        return False
    shown = float(printed)
    if value == 0.0:
        return shown == 0.0
    last = 10.0 ** (np.floor(np.log10(abs(value))) - (digits - 1))
    return abs(shown - value) <= 0.5 * last * (1 + 1e-9)


def widget_page(traces) -> str:
    """A page that draws ``traces`` as the notebook widget does: anywidget's
    ``render({model, el})`` of the page's module, in the light theme."""
    data = script_json({**page_data(traces), "theme": "light"})
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><style>" + asset("explore.css") +
            "</style></head><body><div id='cell-output'></div>"
            "<script type='application/json' id='d'>" + data + "</script><script type='module'>" +
            asset("explore.js") +
            "\nconst data = document.getElementById('d').textContent;"
            "\nconst model = {get: (k) => ({data, theme: 'light'})[k], on() {}};"
            "\nrender({model, el: document.getElementById('cell-output')});"
            "</script></body></html>")
