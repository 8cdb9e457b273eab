"""A layer of many units as one strip of cells: a column heat strip, one cell per unit.

Beyond a few units, circles become specks and their numbers unreadable; a strip shows every
unit's Trace value as a colour of the blue-white-red map of the heatmap views, as one image
(nearest resampling keeps cells crisp), so hundreds of units cost one picture a layer.
"""

from __future__ import annotations

import numpy as np
from manim import Group, Line, Rectangle, Text, Transform

from scenes.components.heatmap import diverging_pixels, heatmap_image
from scenes.components.panels import light
from scenes.components.theme import Theme


def strip_pixels(values, vmax: float) -> np.ndarray:
    """(n, 1, 4) RGBA of ``values`` on the diverging map scaled to [-vmax, vmax], unit 0 on top."""
    values = np.asarray(values, dtype=np.float64).reshape(-1, 1)
    scale = vmax if np.isfinite(vmax) and vmax > 0 else 1.0
    return diverging_pixels(values / scale)


def _idle_pixels(n: int, theme: Theme) -> np.ndarray:
    rgb = [int(theme.background.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)]
    pixels = np.empty((n, 1, 4), dtype=np.uint8)
    pixels[..., :3], pixels[..., 3] = rgb, 255
    return pixels


class LayerStrip(Group):
    """The units of one layer at one time step as a column of cells, unit 0 on top.

    It answers like a ``LayerRow`` (``show``, ``show_animations``, ``shown_values``), so the
    beats fill strips and rows alike.

    Parameters
    ----------
    n
        Units of the layer.
    theme
        Colours of the idle strip and its frame.
    width, height
        Size in scene units.
    """

    def __init__(self, n: int, theme: Theme, layer: str, t: int, width: float, height: float,
                 **kwargs):
        super().__init__(**kwargs)
        self.layer, self.t, self.n = layer, t, n
        self.values: np.ndarray | None = None  # the Trace values last shown
        self.image = heatmap_image(_idle_pixels(n, theme), width, height)
        self.frame = Rectangle(width=width, height=height, stroke_color=theme.muted,
                               stroke_width=1.5)
        self.add(self.image, self.frame)

    def _target(self, values, vmax: float):
        self.values = np.array(values, dtype=np.float64)
        target = self.image.copy()
        target.pixel_array = strip_pixels(values, vmax)
        return target

    def show(self, values, vmax: float) -> LayerStrip:
        """Colour the cells with ``values`` at once."""
        self.image.pixel_array = strip_pixels(values, vmax)
        self.values = np.array(values, dtype=np.float64)
        return self

    def show_animations(self, values, vmax: float) -> list:
        """One animation blending the cells into the colours of ``values``."""
        return [Transform(self.image, self._target(values, vmax))]

    @property
    def shown_values(self) -> list[float | None]:
        if self.values is None:
            return [None] * self.n
        return [float(v) for v in self.values]


class HeatPanel(Group):
    """Named blocks of values side by side as heatmaps: a ``ParamPanel`` for blocks too big
    to print (a 100 x 100 W). Each block has its own scale, its largest magnitude, written
    under its name, so a block of small values still shows its pattern.

    Parameters
    ----------
    blocks
        name -> array (a vector is shown as a column), in this order.
    theme
        Colours; each name is written in its parameter colour.
    width, height
        Box the whole panel is fitted into.
    column_groups
        name -> names of equal groups of columns (a gated cell's gate blocks, i f g o),
        written under the block, one per group, with a line between groups.
    scales
        name -> the half-width of that block's colour scale, for blocks meant to be compared
        colour for colour (by default each block's own largest magnitude).
    """

    def __init__(self, blocks: dict[str, np.ndarray], theme: Theme, width: float = 12.0,
                 height: float = 1.6,
                 column_groups: dict[str, tuple[str, ...]] | None = None,
                 scales: dict[str, float] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.scales: dict[str, float] = {}
        self.images: dict[str, object] = {}
        self.values: dict[str, np.ndarray] = {}  # what each heatmap shows, for checks
        column_groups = column_groups or {}
        slot = width / len(blocks)
        side = height - (0.5 if column_groups else 0.35)  # room for the title (and letters)
        for name, arr in blocks.items():
            arr = np.asarray(arr, dtype=np.float64)
            arr = arr.reshape(-1, 1) if arr.ndim == 1 else arr
            finite = np.abs(arr[np.isfinite(arr)])
            vmax = self.scales[name] = (scales or {}).get(name) or magnitude(arr)
            rows, cols = arr.shape
            cell = min(side / rows, (slot - 0.3) / cols)
            image = heatmap_image(strip_pixels_2d(arr, vmax), cell * cols, cell * rows)
            self.images[name], self.values[name] = image, arr
            # a block of zeros (W_hh's contribution at step 1, where h(0) = 0) says so
            scale = f"±{vmax:.2g}" if finite.size and finite.max() > 0 else "all 0"
            title = light(Text(f"{name}  {scale}", font="Sans", font_size=22,
                               color=theme.param_colors.get(name.rstrip("ᵀ"), theme.text)))
            title.scale_to_fit_height(0.2)
            block = Group(title, image.next_to(title, direction=[0, -1, 0], buff=0.1))
            if name in column_groups:
                block.add(*_group_marks(image, column_groups[name], theme))
            self.add(block)
        self.arrange(direction=[1, 0, 0], buff=0.3, aligned_edge=[0, 1, 0])


def _group_marks(image, names: tuple[str, ...], theme: Theme) -> list:
    """A letter under each of ``len(names)`` equal column groups of ``image``, and a line
    between groups."""
    n, left, width = len(names), image.get_left()[0], image.width
    bottom, top = image.get_bottom()[1], image.get_top()[1]
    marks = []
    for k, name in enumerate(names):
        x = left + (k + 0.5) * width / n
        letter = light(Text(name, font="Sans", color=theme.muted)).scale_to_fit_height(0.11)
        marks.append(letter.move_to([x, bottom - 0.1, 0]))
        if k:
            x = left + k * width / n
            marks.append(Line([x, bottom, 0], [x, top, 0], color=theme.background,
                              stroke_width=2.0))
    return marks


def magnitude(values: np.ndarray) -> float:
    """The largest finite magnitude of ``values`` (1 when there is none): a heatmap's scale."""
    finite = np.abs(values[np.isfinite(values)])
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


def strip_pixels_2d(values: np.ndarray, vmax: float) -> np.ndarray:
    """(R, C, 4) RGBA of a block of values on the diverging map scaled to [-vmax, vmax]."""
    scale = vmax if np.isfinite(vmax) and vmax > 0 else 1.0
    return diverging_pixels(np.asarray(values, dtype=np.float64) / scale)
