"""Golden last frames of the three chain scenes on tiny traces of the simple RNN, an LSTM and a
GRU (control data made on Debian 12): the same beats on neurons and on heat columns.

Regenerate after an intended visual change with ``pytest tests/scenes/test_golden_frames.py
--set_test``. The beats are called on the test's own scene, the way the lecture composes them.

Made again when colour stopped being the only cue (WCAG 1.4.1): every frame with error arrows
(bptt, gradients) gained each loss term's name ``L(s)`` where its arrow down starts (that arrow
now starts under it), and the heat chains (LSTM and GRU, every pass) a colour scale with its
number under each row's name; an LSTM's cell-state lanes moved down to leave the names room.
Only those pixels changed; the simple RNN's forward frame is the same.
"""

import pytest
from manim.utils.testing.frames_comparison import frames_comparison

from rnn import text_model
from scenes.beats.inputs import SceneInput
from scenes.beats.unfolded import build_unfolded_stage, play_bptt, play_forward, play_gradients

__module_test__ = "golden"  # control frames live in control_data/golden/

TINY = {
    "rnn": SceneInput(text_model("hey", hidden=3, seed=0).trace(), values=True),
    "lstm": SceneInput(text_model("hey", cell="lstm", hidden=3, seed=2,
                                  forget_bias=1.0).trace(), values=True),
    "gru": SceneInput(text_model("hey", cell="gru", hidden=3, seed=1).trace()),
}
PASSES = {"forward": play_forward, "bptt": play_bptt, "gradients": play_gradients}


@pytest.mark.parametrize("scene_pass", list(PASSES))
@pytest.mark.parametrize("cell", list(TINY))
@frames_comparison(last_frame=True)
def test_last_frame(scene, cell, scene_pass):
    PASSES[scene_pass](build_unfolded_stage(scene, TINY[cell]))
