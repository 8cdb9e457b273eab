"""Per-step gradient contributions, their sum over time, and one update of the parameters."""

from manim import *

from rnn.errors import UnrolledError
from scenes.beats.contract import SceneContract
from scenes.beats.gradients import contribution_steps, enter_gradients, sum_over_time, update_once
from scenes.beats.inputs import get_scene_input
from scenes.beats.stage import build_stage
from scenes.beats.travel import ChainScene, attach

STAGES = ("sum", "frames")


class GradientsScene(ChainScene):
    """Each step's contribution framed with the errors it needs; then the sum and one update.

    Options in ``SceneInput.extra``: ``stage`` is ``"sum"`` (the default, the whole scene) or
    ``"frames"``, which ends on the framed contribution of step ``step`` (default 1, the step
    that needs the errors of every loss term): the article's per-step gradient figure.
    Along a chain longer than the frame, the first contributions are shown one by one and
    the rest together, the camera following.
    """

    contract = SceneContract()  # stage and step are the figures' (``scenes.output.figures``)

    def setup(self):
        inp = get_scene_input()
        self.stage = build_stage(self, inp)
        attach(self.stage)
        self.until = inp.extra.get("stage", "sum")
        self.last_step = inp.extra.get("step", 1)
        if self.until not in STAGES:
            raise UnrolledError(f"gradients: unknown stage {self.until!r}; "
                                f"expected one of {', '.join(STAGES)}")
        if self.until == "frames" and self.last_step not in range(1, self.stage.T + 1):
            raise UnrolledError(f"gradients: step must be in 1..{self.stage.T}, "
                                f"got {self.last_step!r}")

    def construct(self):
        enter_gradients(self.stage)
        if self.until == "frames":
            contribution_steps(self.stage, until=self.last_step)
            return
        contribution_steps(self.stage)
        sum_over_time(self.stage)
        update_once(self.stage)
