"""The camera along a long chain: an overview at the start and the end, the step in between.

A chain that fits the frame (``Layout.long`` false) never moves the camera, so short clips are
drawn exactly as before. ``FIRST_STEPS`` steps are shown one beat each; a long chain's other
steps run together in one beat, one sentence, while the camera travels.
"""

from __future__ import annotations

from manim import MovingCameraScene, config

from scenes.beats.stage import Stage
from scenes.components.chain_camera import ChainCamera, follow_center, overview

FIRST_STEPS = 3  # steps of a long chain shown one by one before the rest run together


class ChainScene(MovingCameraScene):
    """A scene whose camera can travel along the chain, its bands staying in the frame."""

    travels = True  # build_stage lets its chain be longer and wider than the frame

    def __init__(self, renderer=None, **kwargs):
        kwargs.setdefault("camera_class", ChainCamera)
        if renderer is not None and not isinstance(renderer.camera, ChainCamera):
            renderer.camera = ChainCamera()  # a renderer built outside knows only Camera
        super().__init__(renderer=renderer, **kwargs)


def is_long(stage: Stage) -> bool:
    return stage.net.layout.long


def one_by_one(stage: Stage, steps: list[int]) -> tuple[list[int], list[int]]:
    """``steps`` split into those shown one beat each and the rest, shown together."""
    if not is_long(stage):
        return steps, []
    return steps[:FIRST_STEPS], steps[FIRST_STEPS:]


def _world(stage: Stage) -> list:
    net = stage.net
    return [net, *net.overlays.values(), *net.faded, stage.loss_labels, stage.flow,
            stage.frames]


def attach(stage: Stage) -> None:
    """Tell the camera which mobjects are the chain (the rest stays in the frame)."""
    camera = stage.scene.camera
    if isinstance(camera, ChainCamera):
        camera.world = lambda: _world(stage)


def _frame(stage: Stage):
    camera = stage.scene.camera
    return camera.frame if isinstance(camera, ChainCamera) and is_long(stage) else None


def show_overview(stage: Stage, animate: bool = True) -> list:
    """The frame zooming out on the whole chain (at once when not ``animate``)."""
    frame = _frame(stage)
    if frame is None:
        return []
    center, width = overview(stage.net.layout)
    if not animate:
        frame.set(width=width).move_to(center)
        return []
    return [frame.animate.set(width=width).move_to(center)]


def follow(stage: Stage, t: int) -> list:
    """The frame moving to step t, at the width of the still frame."""
    frame = _frame(stage)
    if frame is None:
        return []
    return [frame.animate.set(width=config.frame_width)
            .move_to(follow_center(stage.net.layout, t))]
