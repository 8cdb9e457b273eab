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
