"""Per-step gradient contributions, their sum over time, and one update of the parameters."""

from manim import *

from scenes.gradient_beats import contribution_step, enter_gradients, sum_over_time, update_once
from scenes.inputs import get_scene_input
from scenes.stage import build_stage


class GradientsScene(Scene):
    """Each step's contribution framed with the errors it needs; then the sum and one update."""

    def setup(self):
        self.stage = build_stage(self, get_scene_input())

    def construct(self):
        enter_gradients(self.stage)
        for t in range(1, self.stage.T + 1):
            contribution_step(self.stage, t)
        sum_over_time(self.stage)
        update_once(self.stage)
