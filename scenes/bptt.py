"""Backpropagation through time: errors flow backwards, each loss term in its own colour."""

from manim import *

from scenes.beats.bptt import backward_steps, enter_bptt, finish_bptt, output_errors
from scenes.beats.contract import CELLS, SceneContract
from scenes.beats.gated_chain import build_gated_stage, gated_bptt, is_gated
from scenes.beats.inputs import get_scene_input
from scenes.beats.stage import build_stage
from scenes.beats.travel import ChainScene, attach


class BPTTScene(ChainScene):
    """dL/do(t) everywhere, then dL/dh(t) and dL/da(t) from the last step back to the first.

    Along a chain longer than the frame, the camera follows the step receiving its errors;
    after the last few steps, the rest run together. An LSTM or GRU trace is drawn as its
    gated chain instead, its errors along h and the cell state (``beats.gated_chain``).
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
            gated_bptt(self.stage)
            return
        enter_bptt(self.stage)
        output_errors(self.stage)
        backward_steps(self.stage)
        finish_bptt(self.stage)
