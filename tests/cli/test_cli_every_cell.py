"""Every picture the simple RNN has, for an LSTM and a GRU, from the command line: the renders
a lecturer would try (8 units, a chain longer than the still frame, so the camera travels),
last frame and video. The drawn values are checked against the Trace scene by scene
(tests/scenes: test_gated_chain, test_long_gated_chain, test_gated_gradients, test_views,
test_truncated_scene)."""

import av
import pytest
from cli_run import unrolled

TEXT = "recurrent nets"  # 13 steps: one past the 12 of the still frame
# forward, bptt and gradients play the lecture's beats, which plays all three on one drawing
# (and gradients renders as a video below)
SCENES = ("lecture", "truncated", "activations", "neuron-text", "error-map")


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_every_scene_of_the_simple_rnn_renders_for_the_cell(tmp_path, cell):
    res = unrolled("render", *SCENES, "--cell", cell, "--text", TEXT, "--hidden", "8",
                   "--format", "png", "--jobs", "2", "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    for name in SCENES:
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000, name


def test_a_long_lstm_chain_renders_as_a_video(tmp_path):
    res = unrolled("render", "gradients", "--cell", "lstm", "--text", TEXT, "--hidden", "8",
                   "-q", "low", "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    with av.open(str(tmp_path / "gradients.mp4")) as c:
        assert c.streams.video[0].codec_context.name == "h264"
        assert 10 < float(c.duration) / av.time_base < 200
