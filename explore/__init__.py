"""An interactive page of a Trace: a self-contained HTML file, or the same page in a notebook.

    from explore import show
    show(trace)                  # in Jupyter: the page inline (anywidget), and a static
                                 # copy for exports (static=False leaves it out)

``explore.page.page_html(trace)`` gives the HTML file's text; ``unrolled explore`` writes it.
"""

from __future__ import annotations


def show(traces, theme: str = "dark", title: str = "unrolled", static: bool = True):
    """The page of a trace, a network's trace (stacked layers, two directions, one label), or
    a list of window traces, as a notebook widget; displayed, it also leaves a static copy of
    the page for exports and static sites, unless ``static=False``."""
    from explore.widget import Explorer

    return Explorer(traces, theme=theme, title=title, static=static)


__all__ = ["show"]
