"""Where a play can change pixels: the boxes an animation sweeps, and what overlaps them.

Both repaint planners use this: ``repaint.PaintsStillOnce`` (a still camera) and the chain
camera's ``beats.travel.plan_play``. A mobject drawn after a moving one gives the same pixels
whether it is painted once or on every frame, unless it overlaps where something moves.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from manim import Animation, Mobject, Succession, UpdateFromFunc

Box = tuple[np.ndarray, np.ndarray]  # (x, y) low corner, (x, y) high corner

# Where an animation may draw beyond its mobjects' points, in scene units: strokes are drawn
# half their width outside the points (width 10 is 0.05 units) and antialiased a pixel further.
MARGIN = 0.15
SAMPLES = (0.0, 0.25, 0.5, 0.75, 1.0)  # alphas whose states bound an animation's frames
EVERYWHERE: Box = (np.full(2, -np.inf), np.full(2, np.inf))


def box_of(mob: Mobject) -> Box | None:
    """The (x, y) bounds of the points of ``mob``'s family, or None without points."""
    points = mob.get_all_points()
    if len(points) == 0:
        return None
    return points[:, :2].min(axis=0), points[:, :2].max(axis=0)


def overlaps(box: Box, regions: Iterable[Box]) -> bool:
    """Whether ``box``, grown by ``MARGIN``, meets any of ``regions``."""
    regions = list(regions)
    if not regions:
        return False
    low, high = box
    r_low, r_high = (np.array([r[i] for r in regions]) for i in (0, 1))  # (n, 2) each
    return bool(np.any(np.all(low - MARGIN <= r_high, axis=1)
                       & np.all(r_low - MARGIN <= high, axis=1)))


class Regions:
    """Boxes where something moves, grown one box at a time, asked whether a box meets any.

    ``overlaps(box, list)`` rebuilds its arrays on every call: asked once per mobject of a
    long chain against thousands of swept boxes, that is quadratic. Here the corners live in
    arrays that grow by doubling, so a test is one vectorised pass and an append is cheap.
    """

    def __init__(self, boxes: Iterable[Box] = ()) -> None:
        self._low = np.empty((16, 2))
        self._high = np.empty((16, 2))
        self.n = 0
        for box in boxes:
            self.append(box)

    def append(self, box: Box) -> None:
        if self.n == len(self._low):
            self._low = np.concatenate([self._low, np.empty_like(self._low)])
            self._high = np.concatenate([self._high, np.empty_like(self._high)])
        self._low[self.n], self._high[self.n] = box[0], box[1]
        self.n += 1

    def __iadd__(self, boxes: Iterable[Box]) -> Regions:
        for box in boxes:
            self.append(box)
        return self

    def __len__(self) -> int:
        return self.n

    def meets(self, box: Box) -> bool:
        """Whether ``box``, grown by ``MARGIN``, meets any of the regions (as ``overlaps``)."""
        if not self.n:
            return False
        low, high = box
        r_low, r_high = self._low[:self.n], self._high[:self.n]
        return bool(np.any((low[0] - MARGIN <= r_high[:, 0]) & (low[1] - MARGIN <= r_high[:, 1])
                           & (r_low[:, 0] - MARGIN <= high[0])
                           & (r_low[:, 1] - MARGIN <= high[1])))


def swept_boxes(anim: Animation) -> list[Box]:
    """Boxes covering every state of ``anim``'s mobject between alpha 0 and 1.

    Transforms interpolate points between two states and the indications peak at alpha 0.5,
    so the states at a few alphas bound all frames; the animation is put back at alpha 0,
    where ``begin()`` left it (every frame interpolates afresh).
    """
    if isinstance(anim, (Succession, UpdateFromFunc)):
        # interpolating a succession starts its parts, and a function may do anything:
        # neither is sampled
        return [EVERYWHERE]
    boxes = []
    for alpha in SAMPLES:
        anim.interpolate(alpha)
        boxes.append(box_of(anim.mobject))
    anim.interpolate(0.0)
    return [b for b in boxes if b is not None]
