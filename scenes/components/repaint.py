"""Repaint per frame only what an animation can change; paint the rest once per play.

Manim's cairo renderer paints the mobjects of a play in two parts: a still image of those that
do not move, painted once, and the moving ones, painted again on every frame. It takes as
moving every mobject drawn after the first animated one, so fading out one label near the
bottom of the drawing order repaints the whole picture above it (hundreds of glyphs) on every
frame. ``PaintsStillOnce`` keeps as moving only the animated mobjects and those drawn after
them that overlap them (or overlap a mobject kept that way): a mobject that overlaps nothing
moving gives the same pixels whether it is painted before or after it, so every frame is
unchanged while most of the picture is painted once (where things move: ``regions``).

``PathCamera`` gives cairo the same path as manim's camera for each shape, read from the points
as plain floats instead of through numpy scalars and small-array operations, which took most of
the time of painting a shape.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from manim import Animation, AnimationGroup, Camera, Mobject, VMobject

from scenes.components.regions import EVERYWHERE, Regions, box_of, swept_boxes


def begin_skipped_play(scene) -> None:
    """Begin the animations of a play that is not painted (a still, a dry run, a play read
    from the cache): manim's split of the mobjects into moving and static ones would be thrown
    away, and on a large drawing it costs a third of the play."""
    for animation in scene.animations:
        animation._setup_scene(scene)
        animation.begin()
    scene.moving_mobjects, scene.static_mobjects = [], []


def animated_families(animations: Iterable[Animation]) -> set[int]:
    """Ids of every mobject an animation (or a part of a group of them) moves."""
    ids: set[int] = set()
    for anim in animations:
        ids.update(id(m) for m in anim.mobject.get_family())
        if isinstance(anim, AnimationGroup):
            ids |= animated_families(anim.animations)
    return ids


class PathCamera(Camera):
    """manim's cairo camera, with the same paths built faster (see ``set_cairo_context_path``)."""

    def set_cairo_context_path(self, ctx, vmobject: VMobject) -> PathCamera:
        """``Camera.set_cairo_context_path``: the same calls with the same numbers.

        A subpath ends where a curve's end is not close to the next curve's start (numpy's
        isclose on x and y, as ``VMobject.get_subpath_split_indices_from_points``); it is
        closed when its first and last points are equal (``consider_points_equals_2d``).
        """
        points = self.transform_points_pre_display(vmobject, vmobject.points)  # finite now
        if len(points) == 0:
            return self
        ctx.new_path()
        n, nppcc = len(points), vmobject.n_points_per_cubic_curve
        if n < nppcc:
            return self
        xy = points[:, :2].tolist()
        atol, rtol = vmobject.tolerance_for_point_equality, 1.0e-5
        starts = [0]
        for b in range(nppcc, n, nppcc):
            (ex, ey), (sx, sy) = xy[b - 1], xy[b]
            if not (abs(ex - sx) <= atol + rtol * abs(sx)
                    and abs(ey - sy) <= atol + rtol * abs(sy)):
                starts.append(b)
        starts.append(n)
        for start, end in itertools.pairwise(starts):
            if end - start < nppcc:
                continue
            ctx.new_sub_path()
            ctx.move_to(*xy[start])
            for i in range(start, end - nppcc + 1, nppcc):
                ctx.curve_to(*xy[i + 1], *xy[i + 2], *xy[i + 3])
            if vmobject.consider_points_equals_2d(xy[start], xy[end - 1]):
                ctx.close_path()
        return self


class PaintsStillOnce:
    """Scene mixin (before ``Scene`` in the bases): fewer mobjects repainted per frame, and
    manim's cairo camera replaced by a ``PathCamera``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        camera = getattr(self.renderer, "camera", None)
        if type(camera) is Camera:  # the same state, faster paths; other cameras are kept
            camera.__class__ = PathCamera

    def begin_animations(self) -> None:
        if self.renderer.skip_animations:
            begin_skipped_play(self)
        else:
            super().begin_animations()

    def get_moving_mobjects(self, *animations: Animation) -> list[Mobject]:
        moving = super().get_moving_mobjects(*animations)  # all from the first one animated
        if not moving:
            return moving
        animated = animated_families(animations)
        regions = Regions(box for anim in animations for box in swept_boxes(anim))
        kept = []
        for mob in moving:
            family = mob.get_family()
            if mob.get_family_updaters() or mob in self.foreground_mobjects:
                kept.append(mob)
                regions.append(EVERYWHERE)  # an updater may put it anywhere
            elif id(mob) in animated:
                kept.append(mob)
            elif not mob.has_points():
                continue  # a group: its members are judged one by one
            elif any(id(m) in animated for m in family):
                kept.append(mob)  # painting it would paint its moving parts too
            else:
                box = box_of(mob)
                if regions.meets(box):
                    kept.append(mob)  # drawn over something moving: stays above it
                    regions.append(box)
        return kept
