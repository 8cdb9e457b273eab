"""The whole story in one clip: forward pass, backpropagation through time, gradients."""

from manim import *

from scenes.beats.bptt import backward_pass
from scenes.beats.contract import SceneContract
from scenes.beats.forward import forward_pass
from scenes.beats.gradients import gradient_pass
from scenes.beats.inputs import get_scene_input
from scenes.beats.stage import build_stage
from scenes.beats.travel import ChainScene, attach


class LectureScene(ChainScene):
    """Forward, BPTT and gradients on one drawing, composed from the same beat functions."""

    contract = SceneContract()

    def setup(self):
        self.stage = build_stage(self, get_scene_input())
        attach(self.stage)

    def construct(self):
        forward_pass(self.stage)
        backward_pass(self.stage)
        gradient_pass(self.stage)
