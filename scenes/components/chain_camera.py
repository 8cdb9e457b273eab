"""A camera for a chain longer than the frame: it travels along the chain, bands stay put.

Manim's ``MovingCamera`` draws every mobject through its moving frame; its answer for fixed
text (``add_fixed_in_frame_mobjects``) is 3D-only. Here the chain (the network, its arrows, its
labels: ``world()``) is drawn through the moving frame and everything else (equations,
numbers, captions, placed for the still 16:9 frame) through the home frame, so they stay
readable wherever the camera is. At home the camera draws exactly as a plain one.

While the frame travels, manim repaints every mobject on every frame. Told what a play animates
(``begin_play``), the camera paints the rest once per play instead: the still part of the chain
into tiles of pixels at the frame's scale, copied into each frame where the frame has moved to,
and the still part of the bands into one transparent layer laid over each frame.
"""

from __future__ import annotations

import itertools as it
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import cairo
import numpy as np
from manim import Mobject, MovingCamera, config
from manim.mobject.types.image_mobject import AbstractImageMobject

from scenes.components.layout import Layout
from scenes.components.repaint import PathCamera
from scenes.components.theme import Theme

CULL_MARGIN = 0.5  # scene units: parts of the chain this far outside the frame are drawn
OVERVIEW_MARGIN = 0.8  # scene units left free at both ends of the chain in the overview
OVERVIEW_SCREEN_Y = -0.75  # where the hidden row sits on screen in the overview
TILE_PX = 384  # width of a tile of the still chain, in pixels: a frame moving one column
# needs a few new ones
MAX_TILES = 96  # tiles kept between plays (at 1080p, 1.7 MB each)


def fingerprint(mob: Mobject) -> tuple:
    """What painting ``mob`` depends on: its points, colours, strokes or pixels."""
    if isinstance(mob, AbstractImageMobject):
        parts = [mob.points, np.asarray(mob.get_pixel_array())]
        style = (mob.resampling_algorithm,)
    else:
        parts = [mob.points, mob.get_fill_rgbas(), mob.get_stroke_rgbas(),
                 mob.get_stroke_rgbas(background=True), np.asarray(mob.sheen_direction)]
        style = (mob.get_stroke_width(), mob.get_stroke_width(background=True),
                 mob.sheen_factor, str(mob.joint_type), str(mob.cap_style))
    data = b"".join(np.ascontiguousarray(p).tobytes() for p in parts)
    return id(mob), type(mob), style, hash(data)


@dataclass
class Play:
    """What the camera keeps of one play: its mobjects in drawing order, split into the chain
    and the bands, each into what is painted once (``*_still``) and what every frame."""

    mobjects: list  # the list the renderer passes for every frame of the play
    chain_still: list
    chain_live: list
    bands_still: list
    bands_live: list
    tiles: dict = field(default_factory=dict)  # tile index -> (pixel_height, TILE_PX, 4)
    key: tuple | None = None  # frame width, height of centre and pixel phase of the tiles
    origin: float = 0.0  # x of the left edge of tile 0
    prints: dict = field(default_factory=dict)  # id -> fingerprint of a chain_still mobject
    layer: tuple | None = None  # the still bands: (surface, its pixels, painted box) or None
    spans: np.ndarray | None = None  # (n, 2): x extent of each mobject of chain_still


class ChainCamera(MovingCamera):
    """A MovingCamera that keeps what is not part of ``world()`` in the home frame."""

    # manim's paths, built from plain floats instead of numpy scalars (the same calls)
    set_cairo_context_path = PathCamera.set_cairo_context_path

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.world: Callable[[], Iterable[Mobject]] | None = None
        self.travels = False  # the chain is longer than the frame: ChainScene plans plays
        self.play: Play | None = None
        self.reset_pending = False  # reset() was asked for during a planned play
        self.tiles: dict[tuple, tuple] = {}  # (Play.key, index) -> (fingerprints, pixels)

    @staticmethod
    def _within(mob: Mobject, left: float, right: float) -> bool:
        """Whether a part of the chain reaches into [left, right] (give or take a margin)."""
        xs = mob.points[:, 0]
        return xs.min() <= right + CULL_MARGIN and xs.max() >= left - CULL_MARGIN

    def at_home(self) -> bool:
        return (np.allclose(self.frame.get_center(), 0.0, atol=1e-9)
                and abs(self.frame.width - config.frame_width) < 1e-9)

    def _display(self, mobjects: list[Mobject], pixel_array: np.ndarray | None = None) -> None:
        pixel_array = self.pixel_array if pixel_array is None else pixel_array
        for kind, group in it.groupby(mobjects, self.type_or_raise):
            self.display_funcs[kind](list(group), pixel_array)

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

    def chain_ids(self) -> set[int]:
        """Ids of every mobject of the chain (of ``world()``)."""
        return {id(m) for w in self.world() if w is not None for m in w.get_family()}

    def reset(self) -> ChainCamera:
        """Paint the background, or, during a planned play, leave it to ``capture_mobjects``:
        the tiles of the still chain cover every pixel of the frame."""
        if getattr(self, "play", None) is None:  # manim's __init__ resets before ours runs
            return super().reset()
        self.reset_pending = True
        return self

    def _finish_reset(self) -> None:
        if self.reset_pending:
            self.reset_pending = False
            super().reset()

    def capture_mobjects(self, mobjects, **kwargs) -> None:
        play = self.play
        if play is not None and mobjects is play.mobjects:
            self._capture_play(play)
            return
        self._finish_reset()
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

    # Painting a planned play: the still parts once, the rest every frame -----------------
    def _capture_play(self, play: Play) -> None:
        points = self.frame.points.copy()
        try:
            left = self._copy_tiles(play)
            if left is None:  # the frame changes scale: no tiles, the still chain painted
                self._finish_reset()
                left = self.frame.get_left()[0]
                right = self.frame.get_right()[0]
                self._display([m for m in play.chain_still if self._within(m, left, right)])
            else:  # the live chain drawn where the tiles put the still chain: whole pixels
                self.reset_pending = False
                self.frame.shift([left - self.frame.get_left()[0], 0, 0])
            right = left + self.frame.width
            self._display([m for m in play.chain_live if self._within(m, left, right)])
            self.frame.scale(config.frame_width / self.frame.width).move_to(np.zeros(3))
            self._lay_bands(play)
            self._display(play.bands_live)
        finally:
            self.frame.points = points

    def _copy_tiles(self, play: Play) -> float | None:
        """Copy the still chain from its tiles into the frame, and return the x of the frame's
        left edge they were copied for; None while the frame changes scale (a zoom)."""
        if self.background_image is not None:
            return None  # tiles are filled with the background colour
        ppu = self.pixel_width / self.frame.width  # pixels per scene unit
        left = self.frame.get_left()[0]
        scale = (round(self.frame.width, 9), round(self.frame.get_center()[1], 9))
        if play.key is None:  # the tiles' pixels lie where the play's first frame has its own
            at = left * ppu
            phase = round(at - round(at), 6)
            play.key, play.origin = (*scale, phase, id(self.background)), phase / ppu
        elif scale != play.key[:2]:
            return None
        x0 = round(float((left - play.origin) * ppu))  # the frame's left edge on the tiles
        for k in range(x0 // TILE_PX, (x0 + self.pixel_width - 1) // TILE_PX + 1):
            tile = play.tiles.get(k)
            if tile is None:
                tile = play.tiles[k] = self._tile(play, k, ppu)
            a, b = max(x0, k * TILE_PX), min(x0 + self.pixel_width, (k + 1) * TILE_PX)
            self.pixel_array[:, a - x0:b - x0] = tile[:, a - k * TILE_PX:b - k * TILE_PX]
        return play.origin + x0 / ppu

    def _tile(self, play: Play, k: int, ppu: float) -> np.ndarray:
        """Tile k of the still chain: the background and the still chain behind a frame of
        ``TILE_PX`` pixels at the scale and height of the current frame; painted again only
        when what it shows has changed since an earlier play painted it."""
        width = TILE_PX / ppu
        left = play.origin + k * width
        if play.spans is None:
            play.spans = np.array([[m.points[:, 0].min(), m.points[:, 0].max()]
                                   for m in play.chain_still]).reshape(-1, 2)
        inside = ((play.spans[:, 0] <= left + width + CULL_MARGIN)
                  & (play.spans[:, 1] >= left - CULL_MARGIN))
        shown = [m for m, keep in zip(play.chain_still, inside) if keep]
        prints = tuple(play.prints.setdefault(id(m), fingerprint(m)) for m in shown)
        kept = self.tiles.get((play.key, k))
        if kept is not None and kept[0] == prints:
            return kept[1]
        tile = np.empty((self.pixel_height, TILE_PX, 4), dtype=self.pixel_array.dtype)
        tile[:] = self.background[:, :1]
        points, pixel_width = self.frame.points.copy(), self.pixel_width
        self.frame.stretch_to_fit_width(width)
        self.frame.move_to([left + width / 2, self.frame.get_center()[1], 0.0])
        self.pixel_width = TILE_PX
        try:
            self._display(shown, tile)
        finally:
            self.frame.points, self.pixel_width = points, pixel_width
        if len(self.tiles) >= MAX_TILES:  # keep those of this scale and height, or none
            self.tiles = {key: v for key, v in self.tiles.items() if key[0] == play.key}
            if len(self.tiles) >= MAX_TILES:
                self.tiles.clear()
        self.tiles[play.key, k] = (prints, tile)
        return tile

    def _lay_bands(self, play: Play) -> None:
        """Lay the still bands, painted once per play on a transparent layer, over the frame."""
        height, width = self.pixel_array.shape[:2]
        if play.layer is None:
            pixels = np.zeros_like(self.pixel_array)
            self._display(play.bands_still, pixels)
            rows = np.flatnonzero(pixels[..., 3].any(axis=1))
            cols = np.flatnonzero(pixels[..., 3].any(axis=0))
            box = None if rows.size == 0 else (int(cols[0]), int(rows[0]),
                                               int(cols[-1] + 1 - cols[0]),
                                               int(rows[-1] + 1 - rows[0]))
            surface = cairo.ImageSurface.create_for_data(pixels.data, cairo.FORMAT_ARGB32,
                                                         width, height)
            play.layer = (surface, pixels, box)
        surface, _, box = play.layer
        if box is None:
            return
        target = cairo.ImageSurface.create_for_data(self.pixel_array.data, cairo.FORMAT_ARGB32,
                                                    width, height)
        ctx = cairo.Context(target)
        ctx.rectangle(*box)
        ctx.clip()
        ctx.set_source_surface(surface, 0, 0)
        ctx.paint()
        target.flush()


def follow_center(layout: Layout, t: int) -> np.ndarray:
    """Frame centre showing step t, never past either end of the chain."""
    x = float(np.clip(layout.column_x(t), 0.0, max(0.0, layout.chain_width - layout.width)))
    # on whole pixels, so that every held step lies on the tiles of the others
    ppu = config.pixel_width / config.frame_width
    return np.array([round(x * ppu) / ppu, 0.0, 0.0])


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
