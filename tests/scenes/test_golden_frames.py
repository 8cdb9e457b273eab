"""Golden last frames of the three scenes on a tiny trace (control data made on Debian 12).

Regenerate after an intended visual change with ``pytest tests/scenes/test_golden_frames.py
--set_test``. The beats are called on the test's own scene, the way the lecture composes them.
"""

from manim.utils.testing.frames_comparison import frames_comparison

from rnn import text_model
from scenes.beats.bptt import backward_pass
from scenes.beats.forward import forward_pass
from scenes.beats.gradients import gradient_pass
from scenes.beats.inputs import SceneInput
from scenes.beats.stage import build_stage

__module_test__ = "golden"  # control frames live in control_data/golden/

TINY = SceneInput(text_model("hey", hidden=3, seed=0).trace(), values=True)


@frames_comparison(last_frame=True)
def test_forward_last_frame(scene):
    forward_pass(build_stage(scene, TINY))


@frames_comparison(last_frame=True)
def test_bptt_last_frame(scene):
    backward_pass(build_stage(scene, TINY))


@frames_comparison(last_frame=True)
def test_gradients_last_frame(scene):
    gradient_pass(build_stage(scene, TINY))
