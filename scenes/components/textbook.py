"""The textbook's blackboxed RNN graphs (Goodfellow et al., figure 10.3): one node per vector.

``TwoStepGraph`` is the unfolded graph over two steps, x -> h -> o -> L <- y per column with
h(t-1) -> h(t) through W; ``FoldedGraph`` is one column whose W loop carries a delay square.
Both only place nodes and edges; scenes add numbers formatted from the Trace.
"""

from __future__ import annotations

from manim import VGroup

from scenes.components.blocks import BlockEdge, BlockNode, DelayLoop
from scenes.components.theme import Theme

NAMES = ("x", "h", "o", "L", "y")  # bottom to top, as in the textbook's figure
ROW_Y = {"x": -2.7, "h": -1.35, "o": 0.0, "L": 1.35, "y": 2.7}


def _column(theme: Theme, step: str, x: float, radius: float) -> dict[str, BlockNode]:
    return {name: BlockNode(name, step, theme, radius).move_to([x, ROW_Y[name], 0])
            for name in NAMES}


def _column_edges(theme: Theme, nodes: dict[str, BlockNode]) -> list[BlockEdge]:
    # U and V are labelled on the left of the upward arrows; o -> L <- y carry no parameter
    return [BlockEdge(nodes["x"], nodes["h"], theme, "U"),
            BlockEdge(nodes["h"], nodes["o"], theme, "V"),
            BlockEdge(nodes["o"], nodes["L"], theme),
            BlockEdge(nodes["y"], nodes["L"], theme)]


class TwoStepGraph(VGroup):
    """Two columns, ``h(…) -> h(t−1) -> h(t) -> h(…)`` along W.

    Parameters
    ----------
    theme
        Colours to use.
    steps
        The two steps as printed, earlier first.
    xs
        x of the two columns; the ``h(…)`` ends sit ``gap`` further out.

    Notes
    -----
    ``nodes[name, step]`` and ``edges[param or "o->L" / "y->L", step]`` give the parts; the
    W edge of a step is the one arriving at its h. Edges come before nodes in the family, so
    nodes (filled with the background) cover the arrow ends.
    """

    def __init__(self, theme: Theme, steps: tuple[str, str] = ("t−1", "t"),
                 xs: tuple[float, float] = (-1.9, 1.9), gap: float = 3.1,
                 radius: float = 0.46, **kwargs):
        super().__init__(**kwargs)
        self.steps = steps
        self.nodes: dict[tuple[str, str], BlockNode] = {}
        self.edges: dict[tuple[str, str], BlockEdge] = {}
        self.columns: dict[str, VGroup] = {}
        for step, x in zip(steps, xs):
            col = _column(theme, step, x, radius)
            for name, node in col.items():
                self.nodes[name, step] = node
            for edge, key in zip(_column_edges(theme, col), ("U", "V", "o->L", "y->L")):
                self.edges[key, step] = edge
            self.columns[step] = VGroup(*col.values())
        first, last = steps
        y = ROW_Y["h"]
        self.ends = VGroup(BlockNode("h", "…", theme, radius).move_to([xs[0] - gap, y, 0]),
                           BlockNode("h", "…", theme, radius).move_to([xs[1] + gap, y, 0]))
        self.edges["W", first] = BlockEdge(self.ends[0], self.nodes["h", first], theme, "W")
        self.edges["W", last] = BlockEdge(self.nodes["h", first], self.nodes["h", last], theme,
                                          "W")
        self.edges["W", "…"] = BlockEdge(self.nodes["h", last], self.ends[1], theme, "W")
        self.add(*self.edges.values(), *self.columns.values(), self.ends)

    def labels(self) -> list[str]:
        """The text of every node, e.g. ``h(t−1)``."""
        return [n.text for n in self.nodes.values()]

    def params(self) -> list[str]:
        """The parameter name of every labelled edge."""
        return [e.label.original_text for e in self.edges.values() if e.label is not None]


class FoldedGraph(VGroup):
    """One column x, h, o, L, y; h's W loop carries the delay square.

    Parameters
    ----------
    theme
        Colours to use.
    x
        x of the column.
    """

    def __init__(self, theme: Theme, x: float = 0.0, radius: float = 0.46, **kwargs):
        super().__init__(**kwargs)
        self.nodes = _column(theme, "", x, radius)
        edges = _column_edges(theme, self.nodes)
        self.edges = dict(zip(("U", "V", "o->L", "y->L"), edges))
        self.delay = DelayLoop(self.nodes["h"], theme, "W")
        self.add(*edges, self.delay, *self.nodes.values())

    def labels(self) -> list[str]:
        return [n.text for n in self.nodes.values()]

    def params(self) -> list[str]:
        labelled = [e.label.original_text for e in self.edges.values() if e.label is not None]
        return labelled + [self.delay.label.original_text]
