"""Golden last frames of the three chain scenes on tiny traces of the simple RNN, an LSTM and a
GRU (control data made on Debian 12).

Regenerate after an intended visual change with ``pytest tests/scenes/test_golden_frames.py
--set_test``. The beats are called on the test's own scene, the way the lecture composes them.
"""

from manim.utils.testing.frames_comparison import frames_comparison

from rnn import text_model
from scenes.beats.inputs import SceneInput
from scenes.beats.unfolded import build_unfolded_stage, play_bptt, play_forward, play_gradients

__module_test__ = "golden"  # control frames live in control_data/golden/

TINY = SceneInput(text_model("hey", hidden=3, seed=0).trace(), values=True)
TINY_LSTM = SceneInput(text_model("hey", cell="lstm", hidden=3, seed=2, forget_bias=1.0).trace(),
                       values=True)
TINY_GRU = SceneInput(text_model("hey", cell="gru", hidden=3, seed=1).trace())


@frames_comparison(last_frame=True)
def test_forward_last_frame(scene):
    play_forward(build_unfolded_stage(scene, TINY))


@frames_comparison(last_frame=True)
def test_bptt_last_frame(scene):
    play_bptt(build_unfolded_stage(scene, TINY))


@frames_comparison(last_frame=True)
def test_gradients_last_frame(scene):
    play_gradients(build_unfolded_stage(scene, TINY))


@frames_comparison(last_frame=True)
def test_lstm_forward_last_frame(scene):
    play_forward(build_unfolded_stage(scene, TINY_LSTM))


@frames_comparison(last_frame=True)
def test_lstm_bptt_last_frame(scene):
    play_bptt(build_unfolded_stage(scene, TINY_LSTM))


@frames_comparison(last_frame=True)
def test_lstm_gradients_last_frame(scene):
    play_gradients(build_unfolded_stage(scene, TINY_LSTM))


@frames_comparison(last_frame=True)
def test_gru_forward_last_frame(scene):
    play_forward(build_unfolded_stage(scene, TINY_GRU))


@frames_comparison(last_frame=True)
def test_gru_bptt_last_frame(scene):
    play_bptt(build_unfolded_stage(scene, TINY_GRU))


@frames_comparison(last_frame=True)
def test_gru_gradients_last_frame(scene):
    play_gradients(build_unfolded_stage(scene, TINY_GRU))
