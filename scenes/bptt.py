"""Backpropagation through time: errors flow backwards, each loss term in its own colour."""

from manim import *

from scenes.beats.bptt import backward_step, enter_bptt, finish_bptt, output_errors
from scenes.beats.inputs import get_scene_input
from scenes.beats.stage import build_stage


class BPTTScene(Scene):
    """dL/do(t) everywhere, then dL/dh(t) and dL/da(t) from the last step back to the first."""

    def setup(self):
        self.stage = build_stage(self, get_scene_input())

    def construct(self):
        enter_bptt(self.stage)
        output_errors(self.stage)
        for t in range(self.stage.T, 0, -1):
            backward_step(self.stage, t)
        finish_bptt(self.stage)
