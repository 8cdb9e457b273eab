"""Backpropagation through time: errors flow backwards, each loss term in its own colour."""

from manim import *

from scenes.beats.contract import CELLS, SceneContract
from scenes.beats.inputs import get_scene_input
from scenes.beats.travel import ChainScene
from scenes.beats.unfolded import DRAWING, build_unfolded_stage, check_unfolded, play_bptt


class BPTTScene(ChainScene):
    """dL/do(t) everywhere, then dL/dh(t) and dL/da(t) from the last step back to the first.

    Along a chain longer than the frame, the camera follows the step receiving its errors;
    after the last few steps, the rest run together. The errors travel along every state the
    cell carries (an LSTM's h and cell state), the same beats for every cell
    (``beats.unfolded``).
    """

    contract = SceneContract(options=(DRAWING,), cells=CELLS, fits=check_unfolded,
                             shapes=True)

    def setup(self):
        self.stage = build_unfolded_stage(self, get_scene_input())

    def construct(self):
        play_bptt(self.stage)
