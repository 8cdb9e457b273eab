"""The camera along a long chain: an overview at the start and the end, the step in between.

A chain that fits the frame (``Layout.long`` false) never moves the camera, so short clips are
drawn exactly as before. ``FIRST_STEPS`` steps are shown one beat each; a long chain's other
steps run together in one beat, one sentence, while the camera travels.
"""

from __future__ import annotations

import numpy as np
from manim import Animation, AnimationGroup, Mobject, MovingCameraScene, config
from manim.mobject.types.image_mobject import AbstractImageMobject
from manim.utils.family import extract_mobject_family_members
from manim.utils.iterables import list_update

from scenes.beats.stage import Stage
from scenes.components.chain_camera import ChainCamera, Play
from scenes.components.regions import EVERYWHERE, Regions, box_of, swept_boxes
from scenes.components.repaint import begin_skipped_play

FIRST_STEPS = 3  # steps of a long chain shown one by one before the rest run together


class ChainScene(MovingCameraScene):
    """A scene whose camera can travel along the chain, its bands staying in the frame."""

    travels = True  # build_stage lets its chain be longer and wider than the frame

    def __init__(self, renderer=None, **kwargs):
        kwargs.setdefault("camera_class", ChainCamera)
        if renderer is not None and not isinstance(renderer.camera, ChainCamera):
            renderer.camera = ChainCamera()  # a renderer built outside knows only Camera
        super().__init__(renderer=renderer, **kwargs)
        self.updating: list[Mobject] | None = None  # during a planned play: those with updaters

    def play(self, *args, **kwargs) -> None:
        try:
            super().play(*args, **kwargs)
        finally:
            self.updating = None

    def play_internal(self, skip_rendering: bool = False) -> None:
        """Manim's, without painting a skipped play: its frame is thrown away (a still, a
        dry run, a play read from the cache), and along a long chain painting it cost more
        than the play. The last frame of a still is painted when the scene ends."""
        super().play_internal(skip_rendering=skip_rendering or self.renderer.skip_animations)

    def get_moving_mobjects(self, *animations: Animation) -> list[Mobject]:
        """Manim's (``Scene``'s, then ``MovingCameraScene``'s), its membership tests through
        sets of ids: along a long chain its searches of lists made most of a play's time."""

        def family_ids(anims) -> set[int]:
            ids: set[int] = set()
            for anim in anims:
                ids.update(id(m) for m in anim.mobject.get_family())
                if isinstance(anim, AnimationGroup):
                    ids |= family_ids(anim.animations)
            return ids

        animated = family_ids(animations)
        front = {id(m) for m in self.foreground_mobjects}
        mobjects = self.get_mobject_family_members()
        moving: list[Mobject] = []
        for i, mob in enumerate(mobjects):  # from the first that may change, every later one
            if id(mob) in animated or mob.get_family_updaters() or id(mob) in front:
                moving = mobjects[i:]
                break
        indicators = self.renderer.camera.get_mobjects_indicating_movement()
        family = {id(m) for m in extract_mobject_family_members(moving)}
        if any(id(m) in family for m in indicators):  # the frame moves: everything does
            ids = {id(m) for m in moving}
            return [m for m in self.mobjects if id(m) not in ids] + moving
        return moving

    def get_moving_and_static_mobjects(self, animations) -> tuple[list, list]:
        """Manim's split of the mobjects into moving and static, its list difference taken
        through ids: while the frame moves every mobject counts as moving, and manim's
        difference of two lists of thousands (a long chain's) is quadratic."""
        use_z = self.renderer.camera.use_z_index
        everything = extract_mobject_family_members(
            list_update(self.mobjects, self.foreground_mobjects), use_z_index=use_z,
            only_those_with_points=True)
        moving = extract_mobject_family_members(self.get_moving_mobjects(*animations),
                                                use_z_index=use_z)
        ids = {id(m) for m in moving}
        return moving, [m for m in everything if id(m) not in ids]

    def update_mobjects(self, dt: float) -> None:
        """Update the mobjects; during a planned play only those with updaters (manim visits
        every mobject of the scene on every frame, a thousand along a long chain)."""
        if self.updating is None:
            super().update_mobjects(dt)
            return
        for mob in self.updating:
            mob.update(dt)

    def begin_animations(self) -> None:
        """Begin the play; along a long chain, tell the camera what it animates.

        Manim repaints everything on every frame of a play that moves the frame; the camera
        paints once what the play leaves still (``plan_play``), so the renderer is handed
        every mobject as moving and no still image of its own.
        """
        camera = self.renderer.camera
        if self.renderer.skip_animations:  # nothing of it is painted
            if isinstance(camera, ChainCamera):
                camera.play = None
            begin_skipped_play(self)
            return
        if not (isinstance(camera, ChainCamera) and camera.travels and camera.world):
            if isinstance(camera, ChainCamera):
                camera.play = None
            super().begin_animations()
            return
        for animation in self.animations:
            animation._setup_scene(self)
            animation.begin()
        family = self.get_mobject_family_members()
        if self.foreground_mobjects:
            flat = camera.get_mobjects_to_display(list_update(self.mobjects,
                                                              self.foreground_mobjects))
        else:  # what get_mobjects_to_display returns, without walking the families again
            flat = [m for m in family if m.has_points()]
            if camera.use_z_index:
                flat.sort(key=lambda m: m.z_index)
        camera.play = plan_play(flat, camera.chain_ids(), self.animations, camera.frame,
                                family)
        self.moving_mobjects, self.static_mobjects = camera.play.mobjects, []
        updated = any(m.updaters for m in family)
        self.updating = [m for m in self.mobjects if updated and m.get_family_updaters()]


def _split(items: list, animated: set[int], regions: Regions) -> tuple[list, list]:
    """``items`` (in drawing order) into those painted once and those painted every frame.

    An item is painted every frame when it is animated, or drawn after something animated and
    overlapping it (or an item kept that way); any other item gives the same pixels whether it
    is painted before the moving ones or after them.
    """
    still, live, moving = [], [], False
    for mob in items:
        if id(mob) in animated:
            live.append(mob)
            moving = True
        elif moving and (box := box_of(mob)) is not None and regions.meets(box):
            live.append(mob)
            regions.append(box)
        else:
            still.append(mob)
    return still, live


def plan_play(flat: list, chain: set[int], animations: list[Animation], frame: Mobject,
              family: list[Mobject]) -> Play:
    """The camera's plan of a play: ``flat`` (every mobject with points, in drawing order)
    split into the chain (ids ``chain``) and the bands, each into still and live parts."""
    animated: set[int] = set()
    regions = {True: Regions(), False: Regions()}  # in the chain? -> where it moves
    for anim in animations:
        if anim.mobject is frame:
            continue  # the frame moving moves all of the chain: the tiles follow it
        members = [m for m in anim.mobject.get_family() if m is not frame]
        animated.update(id(m) for m in members)
        boxes = swept_boxes(anim)
        for in_chain in {id(m) in chain for m in members if m.has_points()}:
            regions[in_chain] += boxes
    for mob in family:
        if mob.updaters:  # an updater may change it anywhere, on any frame
            animated.update(id(m) for m in mob.get_family())
            for in_chain in {id(m) in chain for m in mob.get_family() if m.has_points()}:
                regions[in_chain].append(EVERYWHERE)
    for mob in flat:  # the still bands are laid as premultiplied pixels: images must be opaque
        if (id(mob) not in chain and isinstance(mob, AbstractImageMobject)
                and np.asarray(mob.get_pixel_array())[..., 3].min() < 255):
            animated.add(id(mob))
            regions[False].append(box_of(mob))
    chain_still, chain_live = _split([m for m in flat if id(m) in chain], animated,
                                     regions[True])
    bands_still, bands_live = _split([m for m in flat if id(m) not in chain], animated,
                                     regions[False])
    return Play(flat, chain_still, chain_live, bands_still, bands_live)


def is_long(stage: Stage) -> bool:
    return stage.net.long


def one_by_one(stage: Stage, steps: list[int]) -> tuple[list[int], list[int]]:
    """``steps`` split into those shown one beat each and the rest, shown together: every
    step of a chain that fits the frame, the first few of a longer one."""
    if not is_long(stage):
        return steps, []
    return steps[:FIRST_STEPS], steps[FIRST_STEPS:]


def step_beats(T: int, until: int | None, split, one, rest) -> None:
    """Steps 1..T as beats: ``one(t)`` for each up to ``until`` when given (a figure of one
    step), else ``one(t)`` for those ``split`` shows one by one and ``rest(steps)`` for the
    others together."""
    if until is not None:
        for t in range(1, until + 1):
            one(t)
        return
    shown, later = split(list(range(1, T + 1)))
    for t in shown:
        one(t)
    rest(later)


def attach(stage: Stage) -> None:
    """Tell the camera which mobjects are the chain (the rest, the band above it, stays in the
    frame)."""
    camera = stage.scene.camera
    if isinstance(camera, ChainCamera):
        camera.world = lambda: [*stage.net.world(), stage.loss_labels, stage.flow,
                                stage.frames]
        camera.travels = is_long(stage)


def travelling_frame(scene, long: bool):
    """The camera's frame when it travels along a chain longer than the still frame, else
    None (a chain that fits never moves the camera)."""
    camera = scene.camera
    return camera.frame if isinstance(camera, ChainCamera) and long else None


def frame_to(frame, center, width: float, animate: bool = True) -> list:
    """The frame moving to ``center`` at ``width`` (at once when not ``animate``); nothing
    when there is no travelling frame."""
    if frame is None:
        return []
    if not animate:
        frame.set(width=width).move_to(center)
        return []
    return [frame.animate.set(width=width).move_to(center)]


def show_overview(stage: Stage, animate: bool = True) -> list:
    """The frame zooming out on the whole chain (at once when not ``animate``)."""
    return frame_to(travelling_frame(stage.scene, is_long(stage)), *stage.net.overview(),
                    animate)


def follow(stage: Stage, t: int) -> list:
    """The frame moving to step t, at the width of the still frame."""
    return frame_to(travelling_frame(stage.scene, is_long(stage)), stage.net.step_center(t),
                    config.frame_width)
