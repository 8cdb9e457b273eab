"""The example notebook runs, and its widgets carry the page's module and the model's numbers.

nbclient executes it in a real kernel (ipykernel) and keeps the widgets' state as JupyterLab
would save it. No notebook front end runs here: the module's ``render`` itself is tested in a
browser by test_explore_browser.py.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import nbformat
import numpy as np
from nbclient import NotebookClient
from pages import joined

from explore.page import asset
from rnn import Optimizer, text_model

ROOT = Path(__file__).resolve().parents[2]
VIEW = "application/vnd.jupyter.widget-view+json"


def unpack(packed: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(packed["f64"]), dtype="<f8").reshape(packed["shape"])


def test_the_example_notebook_shows_each_model():
    nb = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    shown = [out["data"][VIEW]["model_id"] for cell in nb.cells if cell.cell_type == "code"
             for out in cell.outputs if VIEW in out.get("data", {})]
    assert len(shown) == 3
    widgets = [state[model_id]["state"] for model_id in shown]
    for widget in widgets:
        assert widget["_esm"] == asset("explore.js")  # the very module the HTML file inlines
    expected = [
        text_model("hello world", hidden=3, seed=0).trace(Optimizer("sgd", lr=0.1)),
        text_model("hello world", hidden=4, seed=0, cell="lstm", forget_bias=1.0).trace(),
        text_model("hello world", hidden=3, seed=0).windows(4, Optimizer("sgd", lr=0.1)),
    ]
    for widget, traces in zip(widgets, expected):
        data = json.loads(widget["data"])
        assert np.array_equal(unpack(data["arrays"]["h"]), joined(traces, lambda tr: tr.h))
        assert np.array_equal(unpack(data["arrays"]["loss"]),
                              joined(traces, lambda tr: tr.losses))
    assert json.loads(widgets[1]["data"])["cell"] == "lstm" and widgets[1]["theme"] == "light"
    assert len(json.loads(widgets[2]["data"])["windows"]) == 3
