"""The whole story in one clip: forward pass, backpropagation through time, gradients."""

from manim import *

from scenes.beats.contract import CELLS, SceneContract
from scenes.beats.inputs import get_scene_input
from scenes.beats.travel import ChainScene
from scenes.beats.unfolded import (
    DRAWING,
    build_unfolded_stage,
    check_unfolded,
    play_bptt,
    play_forward,
    play_gradients,
)


class LectureScene(ChainScene):
    """Forward, BPTT and gradients on one drawing, composed from the same beat functions, for
    every cell."""

    contract = SceneContract(options=(DRAWING,), cells=CELLS, fits=check_unfolded,
                             shapes=True)

    def setup(self):
        self.stage = build_unfolded_stage(self, get_scene_input())

    def construct(self):
        play_forward(self.stage)
        play_bptt(self.stage)
        play_gradients(self.stage)
