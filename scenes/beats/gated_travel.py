"""The camera along a long gated chain: an overview at the start and the end, the step between.

The gated counterpart of ``beats.travel``, on the same ``ChainCamera``: the chain, its loss
labels and its error arrows are the world the frame travels over; the top band (title,
equations, readouts) is drawn in the home frame and stays put. A chain that fits the frame
(``Columns.long`` false) never moves the camera, so short chains are drawn exactly as before.
"""

from __future__ import annotations

import numpy as np
from manim import config

from scenes.beats.travel import frame_to, travelling_frame
from scenes.components.chain_camera import OVERVIEW_MARGIN, ChainCamera, follow_center
from scenes.components.gated_chain import Columns


def attach_gated(stage) -> None:
    """Tell the camera which mobjects of ``stage`` (a ``GatedStage``) are the chain."""
    camera = stage.scene.camera
    if isinstance(camera, ChainCamera):
        camera.world = lambda: [stage.chain, stage.loss_labels, stage.flow,
                                *([stage.frames] if stage.frames is not None else [])]
        camera.travels = stage.chain.long


def gated_overview(columns: Columns) -> tuple[np.ndarray, float]:
    """Centre and width of the frame showing the whole chain.

    The frame stays centred on y = 0, so every row keeps its side of the top band: shrunk
    towards the middle of the screen, the chain never reaches the text above it.
    """
    width = max(config.frame_width, columns.chain_width + 2 * OVERVIEW_MARGIN)
    return np.array([columns.left + columns.chain_width / 2, 0.0, 0.0]), width


def show_overview(stage, animate: bool = True) -> list:
    """The frame zooming out on the whole chain (at once when not ``animate``)."""
    return frame_to(travelling_frame(stage.scene, stage.chain.long),
                    *gated_overview(stage.chain.columns), animate)


def follow(stage, t: int) -> list:
    """The frame moving to step t, at the width of the still frame."""
    return frame_to(travelling_frame(stage.scene, stage.chain.long),
                    follow_center(stage.chain.columns, t), config.frame_width)
