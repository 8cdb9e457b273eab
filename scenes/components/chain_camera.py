"""A camera for a chain longer than the frame: it travels along the chain, bands stay put.

Manim's ``MovingCamera`` draws every mobject through its moving frame; its answer for fixed
text (``add_fixed_in_frame_mobjects``) is 3D-only. Here the chain (the network, its arrows, its
labels: ``world()``) is drawn through the moving frame and everything else (equations,
numbers, captions, placed for the still 16:9 frame) through the home frame, so they stay
readable wherever the camera is. At home the camera draws exactly as a plain one.
"""

from __future__ import annotations

import itertools as it
from collections.abc import Callable, Iterable

import numpy as np
from manim import Mobject, MovingCamera, config

from scenes.components.layout import Layout
from scenes.components.theme import Theme

CULL_MARGIN = 0.5  # scene units: parts of the chain this far outside the frame are drawn
OVERVIEW_MARGIN = 0.8  # scene units left free at both ends of the chain in the overview
OVERVIEW_SCREEN_Y = -0.75  # where the hidden row sits on screen in the overview


class ChainCamera(MovingCamera):
    """A MovingCamera that keeps what is not part of ``world()`` in the home frame."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.world: Callable[[], Iterable[Mobject]] | None = None

    @staticmethod
    def _within(mob: Mobject, left: float, right: float) -> bool:
        """Whether a part of the chain reaches into [left, right] (give or take a margin)."""
        xs = mob.points[:, 0]
        return xs.min() <= right + CULL_MARGIN and xs.max() >= left - CULL_MARGIN

    def at_home(self) -> bool:
        return (np.allclose(self.frame.get_center(), 0.0, atol=1e-9)
                and abs(self.frame.width - config.frame_width) < 1e-9)

    def _display(self, mobjects: list[Mobject]) -> None:
        for kind, group in it.groupby(mobjects, self.type_or_raise):
            self.display_funcs[kind](list(group), self.pixel_array)

    def display_image_mobject(self, image_mobject, pixel_array: np.ndarray) -> None:
        """Paint an upright image on the pixels it covers only, nearest-resampled.

        Manim composites every image over a whole frame-sized picture: 9 ms a strip at 1080p,
        seconds a frame for a chain of strips. An upright image (every strip and heatmap)
        needs only its own rectangle; anything else is left to manim.
        """
        corners = self.points_to_subpixel_coords(image_mobject, image_mobject.points)
        (x0, y0), (x1, y1r), (x0b, y1) = corners[0], corners[1], corners[2]
        if abs(y0 - y1r) > 1e-6 or abs(x0 - x0b) > 1e-6 or x1 <= x0 or y1 <= y0:
            super().display_image_mobject(image_mobject, pixel_array)
            return
        src = np.asarray(image_mobject.get_pixel_array())
        rows, cols = src.shape[:2]
        height, width = pixel_array.shape[:2]
        xs = np.arange(max(0, int(np.floor(x0))), min(width, int(np.ceil(x1))))
        ys = np.arange(max(0, int(np.floor(y0))), min(height, int(np.ceil(y1))))
        xs = xs[(xs + 0.5 >= x0) & (xs + 0.5 < x1)]  # pixels whose centre the image covers
        ys = ys[(ys + 0.5 >= y0) & (ys + 0.5 < y1)]
        if xs.size == 0 or ys.size == 0:
            return
        ci = np.minimum(((xs + 0.5 - x0) / (x1 - x0) * cols).astype(np.int64), cols - 1)
        ri = np.minimum(((ys + 0.5 - y0) / (y1 - y0) * rows).astype(np.int64), rows - 1)
        picked = src[np.ix_(ri, ci)]  # (h, w, 4), as manim: RGBA
        if picked[..., 3].min() == 255:  # opaque (every strip at rest): the pixels are its own
            pixel_array[ys[0]:ys[-1] + 1, xs[0]:xs[-1] + 1] = picked
            return
        top = picked.astype(np.float64) / 255.0
        below = pixel_array[ys[0]:ys[-1] + 1, xs[0]:xs[-1] + 1].astype(np.float64) / 255.0
        a_top, a_below = top[..., 3:], below[..., 3:]
        alpha = a_top + a_below * (1.0 - a_top)
        rgb = (top[..., :3] * a_top + below[..., :3] * a_below * (1.0 - a_top))
        rgb = np.divide(rgb, alpha, out=np.zeros_like(rgb), where=alpha > 0)
        out = np.concatenate([rgb, alpha], axis=-1)
        pixel_array[ys[0]:ys[-1] + 1, xs[0]:xs[-1] + 1] = np.rint(out * 255.0).astype(np.uint8)

    def capture_mobjects(self, mobjects, **kwargs) -> None:
        if self.world is None or self.at_home():
            super().capture_mobjects(mobjects, **kwargs)
            return
        chain = {id(m) for w in self.world() if w is not None for m in w.get_family()}
        flat = self.get_mobjects_to_display(mobjects, **kwargs)
        left, right = self.frame.get_left()[0], self.frame.get_right()[0]
        self._display([m for m in flat if id(m) in chain and self._within(m, left, right)])
        points = self.frame.points.copy()
        self.frame.scale(config.frame_width / self.frame.width).move_to(np.zeros(3))
        try:
            self._display([m for m in flat if id(m) not in chain])
        finally:
            self.frame.points = points


def follow_center(layout: Layout, t: int) -> np.ndarray:
    """Frame centre showing step t, never past either end of the chain."""
    x = float(np.clip(layout.column_x(t), 0.0, max(0.0, layout.chain_width - layout.width)))
    return np.array([x, 0.0, 0.0])


def overview(layout: Layout) -> tuple[np.ndarray, float]:
    """Centre and width of the frame showing the whole chain."""
    width = max(config.frame_width, layout.chain_width + 2 * OVERVIEW_MARGIN)
    zoom = width / config.frame_width
    x = layout.left + layout.chain_width / 2
    y = layout.y("h") - OVERVIEW_SCREEN_Y * zoom  # the hidden row lands at OVERVIEW_SCREEN_Y
    return np.array([x, y, 0.0]), width


def loss_colors(theme: Theme, T: int) -> list:
    """One colour per loss term: the theme's palette, repeated along a chain longer than it
    (neighbouring terms still differ; the camera shows a few steps at a time)."""
    n = len(theme.palette)
    return theme.source_colors(T) if T <= n else [theme.source_colors(n)[s % n] for s in range(T)]
