"""The forward pass of the unfolded RNN, step by step, with the running loss."""

from manim import *

from scenes.beats.forward import forward_step, show_total_loss, show_unfolded
from scenes.beats.inputs import get_scene_input
from scenes.beats.stage import build_stage


class ForwardScene(Scene):
    """x(t) enters, h(t) lights up using h(t-1), then o(t), yhat(t) and L(t) appear."""

    def setup(self):
        self.stage = build_stage(self, get_scene_input())

    def construct(self):
        show_unfolded(self.stage)
        for t in range(1, self.stage.T + 1):
            forward_step(self.stage, t)
        show_total_loss(self.stage)
