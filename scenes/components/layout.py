"""Where things go on a 16:9 frame: columns per time step, rows per layer, a top band for text.

All positions are computed here, once, so that components never overlap by construction and
the limits (steps, neurons per layer) are checked in one place.

Up to ``FRAME_STEPS`` steps share the frame's width; a longer chain keeps the column width of
``FRAME_STEPS`` steps and runs off the frame to the right, for a camera to travel along
(``long``). A layer of more units than circles can show (``CIRCLE_HIDDEN``, ``CIRCLE_IO``) is
drawn as one strip of cells (``strip``), and its connections join strips, not units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnn.errors import UnrolledError
from scenes.components.limits import MAX_UNFOLDED_STEPS, MAX_UNFOLDED_UNITS

MAX_STEPS = MAX_UNFOLDED_STEPS  # the camera follows a chain longer than the frame
MAX_HIDDEN = MAX_UNFOLDED_UNITS  # beyond CIRCLE_HIDDEN, a layer is a strip of cells
MAX_IO = MAX_UNFOLDED_UNITS  # input and output units per step (vocabulary size)
FRAME_STEPS = 8  # columns that fit side by side at a readable size
CIRCLE_HIDDEN = 6  # hidden units drawn as circles (with their values); more make a strip
CIRCLE_IO = 8  # input or output units drawn as circles
STRIP_W, STRIP_H = 0.36, 0.8  # a strip of cells: one column, one cell per unit

FRAME_W, FRAME_H = 14.222, 8.0  # manim's default 16:9 frame
LAYERS = ("x", "h", "o")  # inputs at the bottom, hidden in the middle, outputs on top


@dataclass(frozen=True)
class Layout:
    """Geometry of an unrolled network of T steps with D inputs, H hidden and K outputs."""

    T: int
    D: int
    H: int
    K: int
    left: float = -6.7
    width: float = 13.4
    row_y: tuple[float, float, float] = (-2.85, -1.1, 0.65)  # y of the x, h and o rows
    loss_y: float = 1.2  # L(t) labels above the outputs
    top_y: float = 3.35  # first line of the top band (equations)
    panel_y: float = 2.3  # second line of the top band (numbers)
    max_radius: float = 0.28

    def __post_init__(self) -> None:
        check_unfolded(self.T, self.H, self.D, self.K)

    @property
    def long(self) -> bool:
        """Whether the chain is longer than the frame (a camera has to follow it)."""
        return self.T > FRAME_STEPS

    @property
    def col_w(self) -> float:
        return self.width / min(self.T, FRAME_STEPS)

    @property
    def chain_width(self) -> float:
        """Width of all T columns, from the left edge of step 1."""
        return self.col_w * self.T

    def strip(self, layer: str) -> bool:
        """Whether ``layer`` is drawn as one strip of cells rather than a row of circles."""
        return self.size(layer) > (CIRCLE_HIDDEN if layer == "h" else CIRCLE_IO)

    @property
    def any_strip(self) -> bool:
        return any(self.strip(layer) for layer in LAYERS)

    @property
    def radius(self) -> float:
        widest = max([self.size(layer) for layer in LAYERS if not self.strip(layer)], default=1)
        return min(self.max_radius, 0.8 * self.col_w / (2.5 * widest))

    def size(self, layer: str) -> int:
        return {"x": self.D, "h": self.H, "o": self.K}[layer]

    def anchors(self, layer: str) -> int:
        """Points connections start or end at: one per unit, or one for a strip."""
        return 1 if self.strip(layer) else self.size(layer)

    def half_height(self, layer: str) -> float:
        """Half the height of a layer's row: a circle's radius or half a strip."""
        return STRIP_H / 2 if self.strip(layer) else self.radius

    def column_x(self, t: int) -> float:
        """x of the centre of time step t (1-based); t = 0 is the slot left of step 1."""
        return self.left + (t - 0.5) * self.col_w

    def y(self, layer: str) -> float:
        return self.row_y[LAYERS.index(layer)]

    def neuron_point(self, layer: str, t: int, i: int) -> np.ndarray:
        """Centre of unit i of ``layer`` at step t (of its strip, for a strip)."""
        if self.strip(layer):
            return np.array([self.column_x(t), self.y(layer), 0.0])
        n = self.size(layer)
        step = 2.5 * self.radius
        x = self.column_x(t) + (i - (n - 1) / 2) * step
        return np.array([x, self.y(layer), 0.0])

    def row_half_width(self, layer: str) -> float:
        if self.strip(layer):
            return STRIP_W / 2
        return (self.size(layer) - 1) / 2 * 2.5 * self.radius + self.radius

    def lane_y(self, s: int) -> float:
        """y of the backward error lane of loss term L(s), just below the hidden row."""
        top = self.y("h") - self.half_height("h") - 0.15
        return top - (s - 1) * min(0.14, 0.6 / self.T)


def check_fits(T: int, H: int, D: int = 1, K: int = 1) -> None:
    """Raise UnrolledError naming the limit when a network does not fit the still frame in
    circles (the folded network, the dense and the compact scenes draw no more)."""
    if T > FRAME_STEPS:
        raise UnrolledError(f"the layout fits at most {FRAME_STEPS} time steps, the trace has {T}")
    if H > CIRCLE_HIDDEN:
        raise UnrolledError(
            f"the layout fits at most {CIRCLE_HIDDEN} hidden units, the trace has {H}"
        )
    if max(D, K) > CIRCLE_IO:
        raise UnrolledError(
            f"the layout fits at most {CIRCLE_IO} input or output units per step, "
            f"the trace has {max(D, K)} (a shorter text has a smaller vocabulary)"
        )
    if min(T, H, D, K) < 1:
        raise UnrolledError("the trace is empty: nothing to draw")


def check_fits_frame(T: int, H: int, D: int = 1, K: int = 1) -> None:
    """``check_fits``, saying which scenes draw more."""
    try:
        check_fits(T, H, D, K)
    except UnrolledError as err:
        raise UnrolledError(f"{err}; forward, bptt, gradients and lecture draw up to "
                            f"{MAX_STEPS} steps and {MAX_HIDDEN} units") from None


def check_unfolded(T: int, H: int, D: int = 1, K: int = 1) -> None:
    """Raise UnrolledError naming the limit when the unfolded scenes cannot draw a network:
    their camera follows a longer chain, and a wide layer is a strip of cells."""
    if T > MAX_STEPS:
        raise UnrolledError(f"the unfolded scenes draw at most {MAX_STEPS} time steps, "
                            f"the trace has {T}")
    if H > MAX_HIDDEN:
        raise UnrolledError(
            f"the unfolded scenes draw at most {MAX_HIDDEN} hidden units, the trace has {H}"
        )
    if max(D, K) > MAX_IO:
        raise UnrolledError(
            f"the unfolded scenes draw at most {MAX_IO} input or output units per step, "
            f"the trace has {max(D, K)} (a shorter text has a smaller vocabulary)"
        )
    if min(T, H, D, K) < 1:
        raise UnrolledError("the trace is empty: nothing to draw")
