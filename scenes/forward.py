"""The forward pass of the unfolded RNN, step by step, with the running loss."""

from manim import *

from scenes.beats.contract import CELLS, SceneContract
from scenes.beats.forward import forward_steps, show_total_loss, show_unfolded
from scenes.beats.gated_chain import build_gated_stage, gated_forward, is_gated
from scenes.beats.inputs import get_scene_input
from scenes.beats.stage import build_stage
from scenes.beats.travel import ChainScene, attach


class ForwardScene(ChainScene):
    """x(t) enters, h(t) lights up using h(t-1), then o(t), yhat(t) and L(t) appear.

    Along a chain longer than the frame, the camera follows the step being computed, between
    an overview at the start and one at the end; after the first steps, the rest run together.
    An LSTM or GRU trace is drawn as its gated chain instead (``beats.gated_chain``).
    """

    contract = SceneContract(cells=CELLS)

    def setup(self):
        inp = get_scene_input()
        if is_gated(inp.trace):  # an LSTM or GRU: the gated chain, on a still camera
            self.stage = build_gated_stage(self, inp)
            return
        self.stage = build_stage(self, inp)
        attach(self.stage)

    def construct(self):
        if is_gated(self.stage.trace):
            gated_forward(self.stage)
            return
        show_unfolded(self.stage)
        forward_steps(self.stage)
        show_total_loss(self.stage)
