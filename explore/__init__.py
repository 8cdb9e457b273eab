"""An interactive page of a Trace: a self-contained HTML file, or the same page in a notebook.

    from explore import show
    show(trace)                  # in Jupyter: the page inline (anywidget)

``explore.page.page_html(trace)`` gives the HTML file's text; ``unrolled explore`` writes it.
"""

from __future__ import annotations


def show(traces, theme: str = "dark", title: str = "unrolled"):
    """The page of a trace (or list of window traces) as a notebook widget."""
    from explore.widget import Explorer

    return Explorer(traces, theme=theme, title=title)


__all__ = ["show"]
