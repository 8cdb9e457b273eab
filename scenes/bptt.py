"""Backpropagation through time: errors flow backwards, each loss term in its own colour."""

from manim import *

from scenes.beats.bptt import backward_steps, enter_bptt, finish_bptt, output_errors
from scenes.beats.inputs import get_scene_input
from scenes.beats.stage import build_stage
from scenes.beats.travel import ChainScene, attach


class BPTTScene(ChainScene):
    """dL/do(t) everywhere, then dL/dh(t) and dL/da(t) from the last step back to the first.

    Along a chain longer than the frame, the camera follows the step receiving its errors;
    after the last few steps, the rest run together.
    """

    def setup(self):
        self.stage = build_stage(self, get_scene_input())
        attach(self.stage)

    def construct(self):
        enter_bptt(self.stage)
        output_errors(self.stage)
        backward_steps(self.stage)
        finish_bptt(self.stage)
