"""The page in a notebook: an anywidget running the very module the HTML file inlines, and a
static copy of the same page for wherever no widget manager runs.

anywidget serves the ES module itself (no RequireJS, no CDN), in JupyterLab, Notebook 7,
VS Code and Colab. The trace travels as the same JSON the HTML file carries.

A live widget draws nothing once the kernel is gone: in ``jupyter nbconvert --to html``, a
static site or nbviewer its output is an empty box, or a box that asks a CDN for a widget
manager. So ``show`` displays two outputs: the widget, then the self-contained page in an
``<iframe srcdoc>``. A single mimebundle holding both cannot do this: nbconvert prefers the
widget's view whenever the notebook saved the widget's state (nbclient and
``nbconvert --execute`` always do). The copy steps aside by CSS alone where the live page is
drawn beside it in the same cell, so a front end that runs widgets shows the page once.
"""

from __future__ import annotations

import html

import anywidget
import traitlets
from IPython.display import display

from explore.data import page_data
from explore.page import THEMES, asset, page_html, script_json

# What holds all the outputs of one cell: in JupyterLab and Notebook 7 (and nbconvert's lab
# template), in the classic notebook, in VS Code's output webview, in a Jupyter Book page
# (where a widget manager loaded from a CDN may draw the live page when online).
_CELL_OUTPUTS = (".jp-OutputArea", ".output", ".cell_container", ".cell_output")
# Hidden only once the live page has finished drawing (data-ready), so a widget that failed
# to draw still leaves the copy in view.
_STEP_ASIDE = "<style>" + ", ".join(
    f"{area}:has(.unrolled-explore[data-ready]) .unrolled-static" for area in _CELL_OUTPUTS
) + " { display: none; }</style>"
COPY_HEIGHT = 900  # px: the page fills its frame (min-height 100vh); a frame cannot grow to fit


def static_copy(page: str, title: str = "unrolled") -> str:
    """``page`` (a whole HTML document) as an HTML fragment: an ``<iframe srcdoc>``.

    The attribute holds the page with ``& < > " '`` escaped, so the frame's document is the
    page byte for byte, its Content-Security-Policy and script hash included; nothing in it
    can end the attribute or the frame. ``sandbox="allow-scripts"`` gives the frame an opaque
    origin: the page's script runs but can reach neither the notebook nor its server.
    """
    return (f'<div class="unrolled-static">{_STEP_ASIDE}<iframe srcdoc="'
            f'{html.escape(page, quote=True)}" title="{html.escape(title, quote=True)}" '
            f'sandbox="allow-scripts" loading="lazy" width="100%" height="{COPY_HEIGHT}" '
            'style="border: 0; display: block"></iframe></div>')


class Explorer(anywidget.AnyWidget):
    """``Explorer(trace)``: the linked views of one trace (or list of window traces).

    Displayed, it shows the live widget and, unless ``static=False``, a static copy of the
    same page (made when displayed, in the widget's current theme).
    """

    _esm = asset("explore.js")
    _css = asset("explore.css")
    data = traitlets.Unicode("").tag(sync=True)
    theme = traitlets.Unicode("dark").tag(sync=True)

    def __init__(self, traces, theme: str = "dark", title: str = "unrolled",
                 static: bool = True, **kwargs):
        if theme not in THEMES:
            raise ValueError(f"theme must be one of {THEMES}, got {theme!r}")
        super().__init__(data=script_json(page_data(traces, title)), theme=theme, **kwargs)
        # kept off the synced state: the copy lives in the output, not in the widget's model
        self._copy_of = (traces, title) if static else None

    def static_html(self) -> str | None:
        """The static copy's HTML fragment, or None when shown without one."""
        if self._copy_of is None:
            return None
        traces, title = self._copy_of
        return static_copy(page_html(traces, theme=self.theme, title=title), title)

    def _ipython_display_(self):
        bundle = self._repr_mimebundle_()
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        display(data, metadata=metadata, raw=True)
        copy = self.static_html()
        if copy is not None:
            display({"text/html": copy,
                     "text/plain": "(a static copy of the page, for exports)"}, raw=True)
