"""Per-step gradient contributions, their sum over time, and one update of the parameters."""

from manim import *

from rnn.errors import UnrolledError
from scenes.beats.contract import CELLS, SceneContract
from scenes.beats.inputs import get_scene_input
from scenes.beats.travel import ChainScene
from scenes.beats.unfolded import (
    DRAWING,
    build_unfolded_stage,
    check_unfolded,
    play_gradients,
)

STAGES = ("sum", "frames")


class GradientsScene(ChainScene):
    """Each step's contribution framed with the errors it needs; then the sum and one update.

    Options in ``SceneInput.extra``: ``stage`` is ``"sum"`` (the default, the whole scene) or
    ``"frames"``, which ends on the framed contribution of step ``step`` (default 1, the step
    that needs the errors of every loss term): the article's per-step gradient figure.
    Along a chain longer than the frame, the first contributions are shown one by one and
    the rest together, the camera following. A gated cell's stacked parameters (W_ih, W_hh,
    b_ih, b_hh) are shown in gate blocks (``beats.band``).
    """

    # stage and step, the figures' options, are not the command line's
    contract = SceneContract(options=(DRAWING,), cells=CELLS, fits=check_unfolded,
                             shapes=True)

    def setup(self):
        inp = get_scene_input()
        self.stage = build_unfolded_stage(self, inp)
        self.until = inp.extra.get("stage", "sum")
        self.last_step = inp.extra.get("step", 1)
        if self.until not in STAGES:
            raise UnrolledError(f"gradients: unknown stage {self.until!r}; "
                                f"expected one of {', '.join(STAGES)}")
        if self.until == "frames" and getattr(inp.trace, "shape", None) is not None:
            raise UnrolledError("gradients: stage 'frames' frames one step of one layer; a "
                                "network's gradients are drawn by stage 'sum'")
        if self.until == "frames" and self.last_step not in range(1, self.stage.T + 1):
            raise UnrolledError(f"gradients: step must be in 1..{self.stage.T}, "
                                f"got {self.last_step!r}")

    def construct(self):
        play_gradients(self.stage, self.last_step if self.until == "frames" else None)
