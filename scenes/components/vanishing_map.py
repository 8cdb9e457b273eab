"""The vanishing scene's long chains, and beside each the error map of its trace.

A chain of 50 or more steps has no room for a number at every step: it is one dot per step
(``NormChain``), its segment t coloured like cell (T, t) of the map, so the chain reads as the
map's last row. The map is the T x T matrix of ||dL(s)/dh(t)|| (given, from the Trace) as one
image on the log colour map of ``heatmap``, uncovered column by column as the error goes back.
"""

from __future__ import annotations

import numpy as np
from manim import Group, Rectangle, Text

from scenes.components.carousel_chain import NormChain
from scenes.components.heatmap import Curtain, frame_label, heatmap_image, log_pixels
from scenes.components.panels import light
from scenes.components.theme import Theme


def rgba_hex(pixel: np.ndarray) -> str:
    """``#RRGGBB`` of a uint8 RGBA pixel (its alpha dropped)."""
    return "#" + "".join(f"{int(c):02X}" for c in pixel[:3])


def numbered_steps(T: int) -> list[int]:
    """The steps whose norm is printed under a chain of T steps: every one on a short chain,
    else the last, the middle and the first (a number is wider than ten steps of 50)."""
    if T <= 8:
        return list(range(T, 0, -1))
    return [T, (T + 1) // 2, 1]


class MapChain(NormChain):
    """``NormChain`` of the error of L(T), segment t in the colour of the map's cell (T, t).

    Parameters
    ----------
    log_norm
        (T,) log10 ||dL(T)/dh(t)|| indexed by t - 1.
    colors
        (T, 4) uint8 RGBA: the map's last row, the pixel of each segment.
    """

    def __init__(self, log_norm, colors: np.ndarray, theme: Theme, y: float, title: str,
                 lo: float, hi: float, left: float, right: float, **kwargs):
        super().__init__(log_norm, theme, y, title, lo, hi, left=left, right=right, **kwargs)
        self.colors = [rgba_hex(p) for p in colors]  # by t - 1
        for t, segment in self.segments.items():
            segment.set_color(self.colors[t - 1])
        T = len(self.colors)
        self.loss = light(Text(f"L({T})", font="Sans", color=theme.text))
        self.loss.scale_to_fit_height(0.19).move_to([self.xs[-1], y + 0.47, 0])
        self.first = light(Text("h(1)", font="Sans", color=theme.muted))
        self.first.scale_to_fit_height(0.15).move_to([self.xs[0], y + 0.22, 0])
        self.static.add(self.loss, self.first)


class ErrorMapPanel(Group):
    """One trace's error map: ``norms`` [s-1, t-1] as pixels, its frame, labels and a curtain.

    Row s (top: s = 1) is the loss term L(s), column t the step h(t) its error reaches. The
    curtain hides the columns not reached yet; ``row_box`` frames the last row, the chain.
    """

    def __init__(self, norms: np.ndarray, lo: int, hi: int, theme: Theme, center: tuple,
                 side: float, title: str, **kwargs):
        super().__init__(**kwargs)
        T = norms.shape[0]
        self.T, self.side = T, side
        cx, cy = center
        self.left, self.top, self.bottom = cx - side / 2, cy + side / 2, cy - side / 2
        self.pixels = log_pixels(norms, lo, hi)  # (T, T, 4), NaN (s < t) transparent
        self.image = heatmap_image(self.pixels, side, side).move_to([cx, cy, 0])
        self.frame = Rectangle(width=side, height=side, stroke_color=theme.muted,
                               stroke_width=1).move_to([cx, cy, 0])
        self.title = frame_label(title, theme.text, 0.17).move_to([cx, self.top + 0.2, 0])
        self.labels = Group(self.title)
        cell = side / T
        for text, x, y in (("L(1)", None, self.top - cell / 2),
                           (f"L({T})", None, self.bottom + cell / 2),
                           ("h(1)", self.left + cell / 2, self.bottom - 0.14),
                           (f"h({T})", self.left + side - cell / 2, self.bottom - 0.14)):
            label = light(frame_label(text, theme.muted, 0.13))
            if x is None:  # row labels, right-aligned at the map's left edge
                label.move_to([self.left - 0.08 - label.width / 2, y, 0])
            else:
                label.move_to([x, y, 0])
            self.labels.add(label)
        self.curtain = Curtain(self.left - 0.01, self.left + side + 0.01, self.bottom - 0.01,
                               self.top + 0.01, theme.background, side="right")
        self.row_box = Rectangle(width=side, height=cell, stroke_color=theme.text,
                                 stroke_width=2).move_to([cx, self.bottom + cell / 2, 0])
        # paint order: the image, the curtain over it, the frame over both
        self.add(self.image, self.labels, self.curtain, self.frame)

    def col_x(self, t: int) -> float:
        """x of the left edge of column t (t = T + 1: the map's right edge)."""
        return self.left + (t - 1) * self.side / self.T
