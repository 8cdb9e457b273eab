"""The whole story in one clip: forward pass, backpropagation through time, gradients."""

from manim import *

from scenes.bptt_beats import backward_pass
from scenes.forward_beats import forward_pass
from scenes.gradient_beats import gradient_pass
from scenes.inputs import get_scene_input
from scenes.stage import build_stage


class LectureScene(Scene):
    """Forward, BPTT and gradients on one drawing, composed from the same beat functions."""

    def setup(self):
        self.stage = build_stage(self, get_scene_input())

    def construct(self):
        forward_pass(self.stage)
        backward_pass(self.stage)
        gradient_pass(self.stage)
