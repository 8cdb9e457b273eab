"""Heatmaps drawn as images: colour maps from values to pixels, and what frames them.

A heatmap is one ``ImageMobject`` made from a uint8 RGBA array, one pixel per cell, resampled
to the nearest pixel so cells stay crisp at any size (thousands of squares would be slow).
The mapping of values to pixels is presentation; the values themselves come from the Trace,
and the tests call the same functions to check the pixels against it.
"""

from __future__ import annotations

import math

import numpy as np
from manim import (
    LEFT,
    RESAMPLING_ALGORITHMS,
    RIGHT,
    Group,
    ImageMobject,
    Rectangle,
    Text,
    VGroup,
)

# Blue-white-red, -1..1 (Paul Tol's RdBu, its lighter ends so dark text reads on every cell)
DIVERGING = ((-1.0, "#4393C3"), (0.0, "#F7F7F7"), (1.0, "#D6604D"))
# Perceptually ordered, dark to bright (viridis' anchors): small norms dark, large bright
SEQUENTIAL = ("#440154", "#3B528B", "#21918C", "#5EC962", "#FDE725")
NAN_RGBA = (128, 128, 128, 255)  # a non-finite activation: grey
MAX_DECADES = 12  # a log colour scale spans at most this many powers of ten
SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)], dtype=np.float64)


def _ramp(x: np.ndarray, anchors: list[tuple[float, str]]) -> np.ndarray:
    """(..., 3) colours of positions ``x`` (finite) interpolated linearly between anchors."""
    xs = [a for a, _ in anchors]
    channels = np.stack([_rgb(c) for _, c in anchors])  # (n, 3)
    rgb = np.stack([np.interp(x, xs, channels[:, i]) for i in range(3)], axis=-1)
    return np.rint(rgb).astype(np.uint8)


def diverging_pixels(values: np.ndarray) -> np.ndarray:
    """(R, C, 4) uint8 RGBA of values (R, C) on the blue-white-red map, clamped to -1..1;
    a non-finite value is grey."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    x = np.clip(np.where(finite, values, 0.0), -1.0, 1.0)
    out = np.empty(values.shape + (4,), dtype=np.uint8)
    out[..., :3] = _ramp(x, list(DIVERGING))
    out[..., 3] = 255
    out[~finite] = NAN_RGBA
    return out


def log_range(values: np.ndarray) -> tuple[int, int]:
    """Powers of ten (lo, hi) spanning the finite positive ``values``, at most MAX_DECADES
    apart (the smallest are then clamped to lo); (0, 1) when there are none."""
    values = np.asarray(values, dtype=np.float64)
    positive = values[np.isfinite(values) & (values > 0)]
    if positive.size == 0:
        return 0, 1
    hi = math.ceil(math.log10(float(positive.max())))
    lo = math.floor(math.log10(float(positive.min())))
    lo = max(lo, hi - MAX_DECADES)
    return lo, max(hi, lo + 1)


def log_position(values: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Where values sit on a log scale from 10^lo (0) to 10^hi (1), clamped; zero gives 0 and
    infinity 1. NaN stays NaN."""
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (np.log10(values) - lo) / (hi - lo)
    x = np.where(values == 0, 0.0, x)
    return np.clip(x, 0.0, 1.0)  # +inf -> 1, NaN stays NaN


def log_pixels(values: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """(R, C, 4) uint8 RGBA of non-negative values on the sequential map, log scale from
    10^lo to 10^hi; a NaN cell (no value, e.g. s < t) is transparent."""
    x = log_position(values, lo, hi)
    empty = np.isnan(x)
    anchors = [(i / (len(SEQUENTIAL) - 1), c) for i, c in enumerate(SEQUENTIAL)]
    out = np.zeros(x.shape + (4,), dtype=np.uint8)
    out[..., :3] = _ramp(np.where(empty, 0.0, x), anchors)
    out[..., 3] = np.where(empty, 0, 255)
    return out


def heatmap_image(pixels: np.ndarray, width: float, height: float) -> ImageMobject:
    """The pixels as an image ``width`` x ``height`` scene units, nearest-pixel resampled."""
    image = ImageMobject(pixels)
    image.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
    image.stretch_to_fit_width(width)
    image.stretch_to_fit_height(height)
    return image


def power_of_ten(k: int) -> str:
    """``10⁻³`` for k = -3."""
    return "10" + str(k).translate(SUPERSCRIPTS)


class ColorBar(Group):
    """A vertical bar of the log colour map with its powers of ten, 10^lo at the bottom."""

    def __init__(self, lo: int, hi: int, height: float, text_color, width: float = 0.3,
                 **kwargs):
        super().__init__(**kwargs)
        ramp = np.linspace(1.0, 0.0, 256)[:, None]  # (256, 1), top row = 10^hi
        anchors = [(i / (len(SEQUENTIAL) - 1), c) for i, c in enumerate(SEQUENTIAL)]
        pixels = np.full((256, 1, 4), 255, dtype=np.uint8)
        pixels[..., :3] = _ramp(ramp, anchors)
        self.image = heatmap_image(pixels, width, height)
        self.frame = Rectangle(width=width, height=height, stroke_color=text_color,
                               stroke_width=1)
        step = max(1, math.ceil((hi - lo) / 6))  # at most about 8 labels
        self.labels = VGroup()
        powers = [*range(lo, hi, step), hi]  # both ends labelled, whatever the step
        self.ticks = [10.0 ** k for k in powers]  # the values labelled
        for k in powers:
            label = Text(power_of_ten(k), font="Sans", color=text_color).scale_to_fit_height(0.18)
            y = -height / 2 + height * (k - lo) / (hi - lo)
            self.labels.add(label.move_to([width / 2 + 0.1 + label.width / 2, y, 0]))
        self.add(self.image, self.frame, self.labels)


def scale_tick(v: float) -> str:
    """A number of a colour scale: ``−1``, ``−0.5``, ``0``, ``+2.31`` (3 digits at most)."""
    return "0" if v == 0 else f"{v:+.3g}".replace("-", "−")


class ScaleBar(Group):
    """A horizontal colour bar from ``lo`` (left) to ``hi``: ``pixels`` (1, n, 4) the map's
    colours of n values evenly spread over that range, and under it each of ``ticks`` at its
    place, written as ``labels`` (the numbers of the scale the map was painted with).
    """

    def __init__(self, pixels: np.ndarray, lo: float, hi: float, ticks, labels,
                 width: float, height: float, text_color, text_height: float = 0.18,
                 **kwargs):
        super().__init__(**kwargs)
        self.lo, self.hi, self.ticks = lo, hi, [float(v) for v in ticks]
        self.image = heatmap_image(pixels, width, height)
        self.frame = Rectangle(width=width, height=height, stroke_color=text_color,
                               stroke_width=1)
        self.labels = VGroup()
        for v, text in zip(self.ticks, labels):
            label = Text(text, font="Sans", color=text_color).scale_to_fit_height(text_height)
            self.labels.add(label.move_to([self.x_of(v), -height / 2 - 0.08 - text_height / 2,
                                           0]))
        self.add(self.image, self.frame, self.labels)

    def x_of(self, v: float) -> float:
        """x of value ``v`` on the bar, in the bar's own frame (its centre at 0)."""
        return self.image.width * ((v - self.lo) / (self.hi - self.lo) - 0.5)


class Curtain(Rectangle):
    """A band of background colour hiding the part of a picture not computed yet.

    ``reveal_to(x)`` moves its ``side`` edge (``"left"`` or ``"right"``) to ``x``, keeping the
    other: a heatmap is painted once and uncovered column by column, never repainted.
    """

    def __init__(self, left: float, right: float, bottom: float, top: float, color: str,
                 side: str = "left", **kwargs):
        super().__init__(width=max(right - left, 1e-3), height=top - bottom, stroke_width=0,
                         fill_color=color, fill_opacity=1.0, **kwargs)
        self.move_to([(left + right) / 2, (bottom + top) / 2, 0])
        self.side, self.fixed = side, (right if side == "left" else left)

    def reveal_to(self, x: float) -> Curtain:
        """Move the moving edge to ``x`` (a zero-width curtain hides nothing)."""
        width = max(abs(self.fixed - x), 1e-3)
        self.stretch_to_fit_width(width)
        if self.side == "left":  # the left edge moves, the right stays
            self.next_to([self.fixed, self.get_y(), 0], LEFT, buff=0)
        else:
            self.next_to([self.fixed, self.get_y(), 0], RIGHT, buff=0)
        return self


def frame_label(text: str, color, height: float = 0.2, font: str = "Sans") -> Text:
    """A short label of the frame around a heatmap."""
    return Text(text, font=font, color=color).scale_to_fit_height(height)


__all__ = ["ColorBar", "Curtain", "ScaleBar", "diverging_pixels", "frame_label", "heatmap_image",
           "log_pixels", "log_position", "log_range", "power_of_ten", "scale_tick"]
