"""The forward pass of the unfolded RNN, step by step, with the running loss."""

from manim import *

from scenes.beats.contract import CELLS, SceneContract
from scenes.beats.inputs import get_scene_input
from scenes.beats.travel import ChainScene
from scenes.beats.unfolded import DRAWING, build_unfolded_stage, check_unfolded, play_forward


class ForwardScene(ChainScene):
    """x(t) enters, h(t) lights up using h(t-1), then o(t), yhat(t) and L(t) appear.

    Along a chain longer than the frame, the camera follows the step being computed, between
    an overview at the start and one at the end; after the first steps, the rest run together.
    The same beats draw every cell, its gates and states as it declares them (``beats.unfolded``).
    """

    contract = SceneContract(options=(DRAWING,), cells=CELLS, fits=check_unfolded,
                             shapes=True)

    def setup(self):
        self.stage = build_unfolded_stage(self, get_scene_input())

    def construct(self):
        play_forward(self.stage)
