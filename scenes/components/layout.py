"""Where things go on a 16:9 frame: columns per time step, rows per layer, a top band for text.

All positions are computed here, once, so that components never overlap by construction and
the limits (steps, neurons per layer) are checked in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnn.errors import UnrolledError

MAX_STEPS = 8  # columns that fit side by side at a readable size
MAX_HIDDEN = 6
MAX_IO = 8  # input and output neurons per step (vocabulary size)

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
        check_fits(self.T, self.H, self.D, self.K)

    @property
    def col_w(self) -> float:
        return self.width / self.T

    @property
    def radius(self) -> float:
        widest = max(self.D, self.H, self.K)
        return min(self.max_radius, 0.8 * self.col_w / (2.5 * widest))

    def size(self, layer: str) -> int:
        return {"x": self.D, "h": self.H, "o": self.K}[layer]

    def column_x(self, t: int) -> float:
        """x of the centre of time step t (1-based); t = 0 is the slot left of step 1."""
        return self.left + (t - 0.5) * self.col_w

    def y(self, layer: str) -> float:
        return self.row_y[LAYERS.index(layer)]

    def neuron_point(self, layer: str, t: int, i: int) -> np.ndarray:
        n = self.size(layer)
        step = 2.5 * self.radius
        x = self.column_x(t) + (i - (n - 1) / 2) * step
        return np.array([x, self.y(layer), 0.0])

    def row_half_width(self, layer: str) -> float:
        return (self.size(layer) - 1) / 2 * 2.5 * self.radius + self.radius

    def lane_y(self, s: int) -> float:
        """y of the backward error lane of loss term L(s), just below the hidden row."""
        top = self.y("h") - self.radius - 0.15
        return top - (s - 1) * min(0.14, 0.6 / self.T)


def check_fits(T: int, H: int, D: int = 1, K: int = 1) -> None:
    """Raise UnrolledError naming the limit when a network is too big to draw."""
    if T > MAX_STEPS:
        raise UnrolledError(f"the layout fits at most {MAX_STEPS} time steps, the trace has {T}")
    if H > MAX_HIDDEN:
        raise UnrolledError(
            f"the layout fits at most {MAX_HIDDEN} hidden units, the trace has {H}"
        )
    if max(D, K) > MAX_IO:
        raise UnrolledError(
            f"the layout fits at most {MAX_IO} input or output units per step, "
            f"the trace has {max(D, K)} (a shorter text has a smaller vocabulary)"
        )
    if min(T, H, D, K) < 1:
        raise UnrolledError("the trace is empty: nothing to draw")
