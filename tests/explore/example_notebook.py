"""The example notebook the notebook tests run, and the hostile cell they add to it."""

from __future__ import annotations

from pathlib import Path

from rnn import Optimizer, text_model

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "notebooks" / "explore.ipynb"
# Text an author could not have meant as markup: it must reach every view as text.
HOSTILE_COPY = "</script></iframe><img src=x onerror=alert(1)>\"'&amp;"
HOSTILE_CELL = f"""\
hostile = text_model({HOSTILE_COPY!r}, hidden=3, seed=0, cell="lstm").trace()
show(hostile, title={HOSTILE_COPY!r})"""


def expected_traces():
    """What the example's three cells show, built here independently of the notebook."""
    return [
        text_model("hello world", hidden=3, seed=0).trace(Optimizer("sgd", lr=0.1)),
        text_model("hello world", hidden=4, seed=0, cell="lstm", forget_bias=1.0).trace(),
        text_model("hello world", hidden=3, seed=0).windows(4, Optimizer("sgd", lr=0.1)),
    ]
