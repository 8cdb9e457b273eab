"""The example notebook the notebook tests run, and the hostile cell they add to it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "notebooks" / "explore.ipynb"
# Text an author could not have meant as markup: it must reach every view as text.
HOSTILE_COPY = "</script></iframe><img src=x onerror=alert(1)>\"'&amp;"
HOSTILE_CELL = f"""\
hostile = text_model({HOSTILE_COPY!r}, hidden=3, seed=0, cell="lstm").trace()
show(hostile, title={HOSTILE_COPY!r})"""
