"""The example notebook runs: its widgets carry the page's module and the model's numbers, and
each is followed by a static copy of the very page ``unrolled explore`` writes.

nbclient executes it in a real kernel (ipykernel) and keeps the widgets' state as JupyterLab
would save it (conftest.py). No notebook front end runs here: the module's ``render`` itself
is tested in a browser by test_explore_browser.py, the copies by test_explore_export.py.
"""

from __future__ import annotations

import base64
import html
import json
import re

import numpy as np
import pytest
from example_notebook import HOSTILE_COPY, expected_traces
from pages import joined

from explore import show
from explore import widget as explore_widget
from explore.page import asset, page_html
from explore.widget import static_copy
from rnn import text_model

pytestmark = pytest.mark.xdist_group("explore-notebook")  # one kernel run under -n too
VIEW = "application/vnd.jupyter.widget-view+json"


def unpack(packed: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(packed["f64"]), dtype="<f8").reshape(packed["shape"])


def code_outputs(nb) -> list[list]:
    return [cell.outputs for cell in nb.cells if cell.cell_type == "code"]


def srcdoc(fragment: str) -> str:
    """The document an ``<iframe srcdoc>`` fragment holds, as a browser reads the attribute."""
    (value,) = re.findall(r'srcdoc="([^"]*)"', fragment)
    return html.unescape(value)


def test_the_example_notebook_shows_each_model(executed):
    nb, _, examples = executed
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    shown = [out["data"][VIEW]["model_id"] for outputs in code_outputs(nb)[:examples]
             for out in outputs if VIEW in out.get("data", {})]
    assert len(shown) == 3
    widgets = [state[model_id]["state"] for model_id in shown]
    for widget in widgets:
        assert widget["_esm"] == asset("explore.js")  # the very module the HTML file inlines
        assert "<iframe" not in json.dumps(widget)  # the copy is no part of the widget's state
    for widget, traces in zip(widgets, expected_traces()):
        data = json.loads(widget["data"])
        assert np.array_equal(unpack(data["arrays"]["h"]), joined(traces, lambda tr: tr.h))
        assert np.array_equal(unpack(data["arrays"]["loss"]),
                              joined(traces, lambda tr: tr.losses))
    assert json.loads(widgets[1]["data"])["cell"] == "lstm" and widgets[1]["theme"] == "light"
    assert len(json.loads(widgets[2]["data"])["windows"]) == 3


def test_each_widget_is_followed_by_a_copy_of_the_page(executed):
    nb, _, examples = executed
    themes = ["dark", "light", "dark"]
    for outputs, traces, theme in zip(code_outputs(nb)[:examples], expected_traces(), themes):
        widget, copy = outputs  # two outputs, in this order, and nothing else
        assert set(widget["data"]) == {"text/plain", VIEW}
        assert set(copy["data"]) == {"text/plain", "text/html"}
        # the frame's document is the page, byte for byte: its script hash still matches
        assert srcdoc(copy["data"]["text/html"]) == page_html(traces, theme=theme)


def test_a_hostile_text_stays_inside_the_attribute(executed):
    nb, _, examples = executed
    (widget, copy), = code_outputs(nb)[examples:]
    fragment = copy["data"]["text/html"]
    hostile = text_model(HOSTILE_COPY, hidden=3, seed=0, cell="lstm").trace()
    assert srcdoc(fragment) == page_html(hostile, title=HOSTILE_COPY)
    value = re.search(r'srcdoc="([^"]*)"', fragment).group(1)
    assert not set("<>\"'") & set(value)  # nothing in it can end the attribute or open a tag
    assert fragment.count("</iframe>") == 1 and "<script" not in fragment.replace(value, "")
    title = re.search(r' title="([^"]*)"', fragment.replace(value, "")).group(1)
    assert html.unescape(title) == HOSTILE_COPY


def test_static_false_leaves_the_copy_out(monkeypatch):
    shown = []
    monkeypatch.setattr(explore_widget, "display",
                        lambda data, **kwargs: shown.append(sorted(data)))
    trace = text_model("hello", hidden=2, seed=0).trace()
    show(trace)._ipython_display_()
    assert shown == [sorted(["text/plain", VIEW]), ["text/html", "text/plain"]]
    shown.clear()
    quiet = show(trace, static=False)
    quiet._ipython_display_()
    assert shown == [sorted(["text/plain", VIEW])] and quiet.static_html() is None


def test_the_copy_follows_the_widgets_theme():
    trace = text_model("hello", hidden=2, seed=0).trace()
    widget = show(trace, theme="dark", title="a title")
    widget.theme = "light"
    assert srcdoc(widget.static_html()) == page_html(trace, theme="light", title="a title")
    assert static_copy("<p>&amp;</p>").count("&amp;amp;") == 1  # escaped once, not twice
