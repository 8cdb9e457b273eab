"""Frames around what one step's gradient contributions are made of, one per parameter colour,
for either drawing of the chain: none crosses another or cuts through a unit.

A frame stands for a parameter (its colour) and surrounds the activity and the error whose
outer product is that step's contribution (``trace.contributions``); nothing is computed here.
"""

from __future__ import annotations

from manim import Group, Rectangle, VGroup

Box = tuple[float, float, float, float]  # left, right, bottom, top
FRAME_GAP = 0.08  # between frames that stand apart
# the heat chain: the parameter each frame stands for, and what it frames at step t
HEAT_FRAMED = (("W_ih", "x"), ("W_hh", "h_prev"), ("b_ih", "gates"), ("V", "h"), ("c", "yhat"))


def _bounds(*mobs) -> Box:
    group = Group(*mobs)  # a wide layer is a strip: an image, not a vector shape
    return group.get_left()[0], group.get_right()[0], group.get_bottom()[1], group.get_top()[1]


def _padded(box: Box, pad: float) -> Box:
    return box[0] - pad, box[1] + pad, box[2] - pad, box[3] + pad


def _rect(box: Box, color, width: float) -> Rectangle:
    left, right, bottom, top = box
    rect = Rectangle(width=right - left, height=top - bottom, color=color, stroke_width=width)
    return rect.move_to([(left + right) / 2, (bottom + top) / 2, 0])


def frame_boxes(net, t: int) -> dict[str, Box]:
    """Where the frames of step t's contributions go on neurons (an ``UnrolledNetwork``),
    nested or apart: b around h(t) inside W's frame around h(t-1), h(t) and the W arcs
    between; U's frame below (x(t) and the U connections up to W's frame), V's above it,
    holding c's frame around o(t). Step 1 has no W frame (h(0) is not drawn)."""
    h = _bounds(net.neurons("h", t))
    boxes = {"b": _padded(h, 0.06)}
    inner = _padded(h, 0.12)  # what U and V keep clear of: W's frame, or b's margin
    if t > 1 and len(net.connections("W", t)) > 0:
        inner = _padded(_bounds(net.neurons("h", t - 1), net.neurons("h", t),
                                net.connections("W", t)), 0.12)
        boxes["W"] = inner
    x = _bounds(net.neurons("x", t), net.connections("U", t))
    boxes["U"] = (min(x[0], h[0]) - 0.12, max(x[1], h[1]) + 0.12, x[2] - 0.12,
                  inner[2] - FRAME_GAP)
    o = _bounds(net.neurons("o", t))
    boxes["c"] = _padded(o, 0.06)
    v = _bounds(net.connections("V", t), net.neurons("o", t))
    boxes["V"] = (min(v[0], h[0]) - 0.12, max(v[1], h[1]) + 0.12, inner[3] + FRAME_GAP,
                  o[3] + 0.12)
    return boxes


def neuron_frames(net, t: int) -> VGroup:
    """The frames of ``frame_boxes``, W's the widest."""
    th = net.theme
    return VGroup(*[_rect(box, th.param_color(name), 3.0 if name == "W" else 2.0)
                    for name, box in frame_boxes(net, t).items()])


def _frame(mob, color, pad: float, width: float = 2.0) -> Rectangle:
    rect = Rectangle(width=mob.width + 2 * pad, height=mob.height + 2 * pad, color=color,
                     stroke_width=width)
    return rect.move_to(mob.get_center())


def heat_frames(chain, t: int) -> VGroup:
    """Frames on heat columns (a ``HeatChain``): x(t) (W_ih), h(t-1) (W_hh; none at step 1,
    where h(0) is not drawn), the gates' errors (the biases), h(t) (V) and the output's error
    (c). Each sits on its own row: none crosses another."""
    th = chain.theme
    h = chain.cells("h", t)
    # without gates the biases' error is on h(t): their frame outside V's
    parts = {"x": chain.x_labels[t], "gates": chain.gates.get(t, h), "h": h,
             "yhat": chain.cells("yhat", t)}
    if t > 1:
        parts["h_prev"] = chain.cells("h", t - 1)
    pads = {"gates": 0.05 if chain.gates else 0.1}
    return VGroup(*[_frame(parts[part], th.param_colors[name], pads.get(part, 0.05),
                           3.0 if name == "W_hh" else 2.0)
                    for name, part in HEAT_FRAMED if part in parts])
