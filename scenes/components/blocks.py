"""Pieces of the abstract RNN pictures: recurrent loops among neurons, labelled blocks, delays.

``RecurrentLoops`` draws the article's yellow arrows (every hidden unit feeding every hidden
unit); ``BlockNode``, ``BlockEdge`` and ``DelayLoop`` draw the textbook's blackboxed graph
(Goodfellow et al., figures 10.2 and 10.3). Nothing here reads or computes values: scenes
pass in text and colours formatted from the Trace.
"""

from __future__ import annotations

import numpy as np
from manim import (
    ITALIC,
    RIGHT,
    UP,
    Arrow,
    Circle,
    CurvedArrow,
    ManimColor,
    Rectangle,
    Square,
    Text,
    VGroup,
)

from scenes.components.panels import light
from scenes.components.theme import Theme

LOOP_WIDTH = 2.2
TIP = 0.12


def math_text(s: str, color, height: float) -> Text:
    """A variable name such as ``h(t−1)``, italic serif like the textbook's."""
    return light(Text(s, font="Serif", slant=ITALIC, color=color)).scale_to_fit_height(height)


def _unit(angle: float) -> np.ndarray:
    return np.array([np.cos(angle), np.sin(angle), 0.0])


class RecurrentLoops(VGroup):
    """Every unit of a row of neurons feeding every unit of the same row: H*H curved arrows.

    Parameters
    ----------
    centers
        Centres of the neurons, left to right in index order.
    radius
        Neuron radius: arrows start and end on the circles.
    color
        Arrow colour (the theme's recurrent colour).

    Notes
    -----
    ``arrows[j, i]`` is the arrow from unit j to unit i. Arrows to the right bulge upwards,
    arrows to the left downwards, and each unit's loop onto itself sits on top of it, so no
    two arrows of the same pair overlap.
    """

    def __init__(self, centers, radius: float, color, stroke_width: float = LOOP_WIDTH,
                 **kwargs):
        super().__init__(**kwargs)
        self.centers = [np.asarray(c, dtype=float) for c in centers]
        self.radius = radius
        xs = sorted(c[0] for c in self.centers)
        self.spacing = min((b - a for a, b in zip(xs, xs[1:])), default=0.0)
        self.arrows: dict[tuple[int, int], CurvedArrow] = {}
        style = {"color": ManimColor(color), "stroke_width": stroke_width, "tip_length": TIP}
        for j, a in enumerate(self.centers):
            for i, b in enumerate(self.centers):
                arrow = self._self_loop(a, style) if i == j else self._arc(a, b, style)
                self.arrows[j, i] = arrow
                self.add(arrow)

    def _self_loop(self, c: np.ndarray, style: dict) -> CurvedArrow:
        # Leaves the top-left of the circle and comes back top-right: a 270 degree loop
        r = self.radius
        start, end = c + r * _unit(np.radians(125)), c + r * _unit(np.radians(55))
        return CurvedArrow(start, end, angle=-1.5 * np.pi, **style)

    def _arc(self, a: np.ndarray, b: np.ndarray, style: dict) -> CurvedArrow:
        right = b[0] > a[0]
        up = 1.0 if right else -1.0  # rightwards above the row, leftwards below it
        # leave and arrive 40 degrees off the row, on the side the arc bulges to
        out = np.radians(40) * up
        d = 1.0 if right else -1.0
        start = a + self.radius * np.array([d * np.cos(out), np.sin(out), 0.0])
        end = b + self.radius * np.array([-d * np.cos(out), np.sin(out), 0.0])
        chord = float(np.linalg.norm(end - start))
        # Neighbours pass under the self-loops; further pairs clear them, each a bit higher
        hops = round(abs(b[0] - a[0]) / self.spacing) if self.spacing else 1
        sag = 0.12 if hops <= 1 else 2.6 * self.radius + 0.5 * self.radius * (hops - 2)
        angle = -4 * np.arctan(2 * sag / chord)  # clockwise from a to b: bulges to its left
        return CurvedArrow(start, end, angle=angle, **style)

    def from_unit(self, j: int) -> VGroup:
        """The H arrows leaving unit ``j`` (its own loop included)."""
        return VGroup(*[a for (src, _), a in self.arrows.items() if src == j])


class BlockNode(VGroup):
    """A node of the textbook graph: a circle around a variable name such as ``h(t)``.

    Parameters
    ----------
    name
        The variable (``"x"``, ``"h"``, ``"o"``, ``"L"``, ``"y"``).
    step
        The step as printed (``"t"``, ``"t−1"``, ``"…"``); empty for a folded node.
    theme
        Colours to use.
    """

    def __init__(self, name: str, step: str, theme: Theme, radius: float = 0.46, **kwargs):
        super().__init__(**kwargs)
        self.name, self.step = name, step
        self.circle = Circle(radius=radius, stroke_color=theme.text, stroke_width=2.5)
        self.circle.set_fill(theme.background, opacity=1.0)  # hides edges passing behind
        # the step as the textbook's superscript, so every node's name has the same size
        self.label = VGroup(math_text(name, theme.text, 0.66 * radius))
        if step:
            sup = math_text(f"({step})", theme.text, 0.44 * radius)
            self.label.add(sup.next_to(self.label[0], RIGHT, buff=0.03, aligned_edge=UP)
                           .shift(0.2 * radius * UP))
        self.label.move_to(self.circle)
        if self.label.width > 1.7 * radius:
            self.label.scale_to_fit_width(1.7 * radius)
        self.add(self.circle, self.label)

    @property
    def text(self) -> str:
        """The node as plain text: ``h(t−1)``, or ``h`` for a folded node."""
        return f"{self.name}({self.step})" if self.step else self.name

    def boundary(self, direction) -> np.ndarray:
        """The point of the circle in ``direction`` (a vector, normalised here)."""
        d = np.asarray(direction, dtype=float)
        return self.circle.get_center() + self.circle.width / 2 * d / np.linalg.norm(d)


class BlockEdge(VGroup):
    """A straight arrow from one BlockNode to another, labelled with its parameter, if any.

    Parameters
    ----------
    src, dst
        The nodes joined (placed before building the edge).
    theme
        Colours: the parameter's colour for a labelled edge, the text colour otherwise.
    param
        ``"U"``, ``"V"`` or ``"W"``, or None for an unlabelled edge (o to L, y to L).
    side
        Which side of the arrow the label goes: +1 left of its direction, -1 right.
    """

    def __init__(self, src: BlockNode, dst: BlockNode, theme: Theme, param: str | None = None,
                 side: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.src, self.dst, self.param = src, dst, param
        a, b = src.circle.get_center(), dst.circle.get_center()
        color = theme.param_color(param) if param else theme.muted
        self.arrow = Arrow(src.boundary(b - a), dst.boundary(a - b), buff=0.02, color=color,
                           stroke_width=3, tip_length=0.16, max_tip_length_to_length_ratio=0.4)
        self.add(self.arrow)
        self.label = None
        if param:
            d = (b - a) / np.linalg.norm(b - a)
            normal = np.array([-d[1], d[0], 0.0]) * side
            self.label = light(Text(param, font="Sans", weight="BOLD", color=color))
            self.label.scale_to_fit_height(0.24).move_to((a + b) / 2 + 0.26 * normal)
            self.add(self.label)


class DelayLoop(VGroup):
    """A W self-loop on a node with a small filled square: the one-step delay of the
    textbook's folded graph (h(t-1) re-enters h(t) one step later).

    Parameters
    ----------
    node
        The node looped on (h).
    theme
        The loop takes W's colour; the delay square the text colour (black on light).
    param
        The label of the loop.
    """

    def __init__(self, node: BlockNode, theme: Theme, param: str = "W", **kwargs):
        super().__init__(**kwargs)
        self.param = param
        c, r = node.circle.get_center(), node.circle.width / 2
        color = theme.param_color(param)
        start, end = c + r * _unit(np.radians(40)), c + r * _unit(np.radians(-40))
        # clockwise from the upper right round to the lower right: a loop out to the right
        self.arrow = CurvedArrow(start, end, angle=-1.5 * np.pi, color=color, stroke_width=3,
                                 tip_length=0.16)
        # the square sits on the loop's rightmost point, the middle of the loop
        far = np.array([self.arrow.get_right()[0], c[1], 0.0])
        self.square = Square(side_length=0.16, stroke_width=0).set_fill(theme.text, opacity=1.0)
        self.square.move_to(far)
        self.label = light(Text(param, font="Sans", weight="BOLD", color=color))
        self.label.scale_to_fit_height(0.24).next_to(self.square, direction=[1, 0, 0], buff=0.12)
        self.add(self.arrow, self.square, self.label)


class ValueScale(VGroup):
    """The colour key of neuron fills: ``n`` swatches from -vmax to +vmax, ends labelled.

    Parameters
    ----------
    theme
        Its ``value_color`` gives the swatches, so the key matches the neurons.
    vmax
        The value drawn at full colour (neurons are filled on [-vmax, vmax]).
    """

    def __init__(self, theme: Theme, vmax: float = 1.0, n: int = 9, width: float = 2.2,
                 **kwargs):
        super().__init__(**kwargs)
        w = width / n
        self.swatches = VGroup(*[
            Rectangle(width=w, height=0.18, stroke_width=0)
            .set_fill(theme.value_color(v, vmax), opacity=1.0)
            for v in np.linspace(-vmax, vmax, n)
        ]).arrange(buff=0)
        self.frame = Rectangle(width=width, height=0.18, stroke_color=theme.muted, stroke_width=1)
        self.frame.move_to(self.swatches)
        ends = VGroup()
        for v, side in ((-vmax, -1), (vmax, 1)):
            label = light(Text(f"{v:+g}", font="Monospace", color=theme.muted))
            label.scale_to_fit_height(0.16)
            ends.add(label.next_to(self.frame, direction=[side, 0, 0], buff=0.1))
        self.add(self.swatches, self.frame, ends)


__all__ = ["BlockEdge", "BlockNode", "DelayLoop", "RecurrentLoops", "ValueScale", "math_text"]
