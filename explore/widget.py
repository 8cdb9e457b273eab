"""The page in a notebook: an anywidget running the very module the HTML file inlines.

anywidget serves the ES module itself (no RequireJS, no CDN), in JupyterLab, Notebook 7,
VS Code and Colab. The trace travels as the same JSON the HTML file carries.
"""

from __future__ import annotations

import anywidget
import traitlets

from explore.data import page_data
from explore.page import THEMES, asset, script_json


class Explorer(anywidget.AnyWidget):
    """``Explorer(trace)``: the linked views of one trace (or list of window traces)."""

    _esm = asset("explore.js")
    _css = asset("explore.css")
    data = traitlets.Unicode("").tag(sync=True)
    theme = traitlets.Unicode("dark").tag(sync=True)

    def __init__(self, traces, theme: str = "dark", title: str = "unrolled", **kwargs):
        if theme not in THEMES:
            raise ValueError(f"theme must be one of {THEMES}, got {theme!r}")
        super().__init__(data=script_json(page_data(traces, title)), theme=theme, **kwargs)
