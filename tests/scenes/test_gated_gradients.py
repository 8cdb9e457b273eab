"""gradients and lecture for an LSTM and a GRU, rendered dry: each step's contribution to
W_ih, W_hh, b_ih, b_hh, V and c in gate blocks, framed with what it is made of; the sums; one
update. Every heatmap holds the Trace's values."""

import numpy as np
import pytest

from rnn.model import text_model
from scenes.beats.inputs import SceneInput
from scenes.gradients import GradientsScene
from scenes.lecture import LectureScene


@pytest.fixture(scope="module", params=["lstm", "gru"])
def trace(request):
    return text_model("hey you", cell=request.param, hidden=3, seed=4).trace()


def shown(panel, trace, values: dict) -> None:
    """The panel's heatmaps hold ``values``: stacked parameters transposed, gate blocks in
    order, each on its own scale (its largest magnitude)."""
    G, H = len(trace.gate_names), trace.h.shape[1]
    for name in trace.params.names:
        arr = np.asarray(values[name])
        if arr.shape[0] == G * H:
            key, expected = (f"{name}ᵀ", arr.T) if arr.ndim == 2 else (name, arr.reshape(1, -1))
        else:
            key, expected = name, (arr.reshape(-1, 1) if arr.ndim == 1 else arr)
        np.testing.assert_array_equal(panel.values[key], expected)
        assert panel.scales[key] == (float(np.abs(expected).max()) or 1.0)


def test_the_frames_figure_ends_on_one_steps_contributions_framed(trace, dry_run, tmp_path):
    scene = dry_run(GradientsScene, SceneInput(trace, extra={"stage": "frames", "step": 2}),
                    tmp_path)
    stage = scene.stage
    assert stage.beats == ["gradients", "contribution 1", "contribution 2"]
    shown(stage.panel, trace, {n: trace.contributions(n)[1] for n in trace.params.names})
    letters = [m.original_text for m in stage.panel.get_family() if hasattr(m, "original_text")]
    assert letters.count(trace.gate_names[0]) == 4  # under each stacked parameter's blocks
    scene = dry_run(GradientsScene, SceneInput(trace, extra={"stage": "frames", "step": 1}),
                    tmp_path / "step1")
    titles = [m.original_text for m in scene.stage.panel.get_family()
              if hasattr(m, "original_text")]
    assert "W_hhᵀ  all 0" in titles  # h(0) = 0: step 1 adds nothing to W_hh
    assert not np.any(scene.stage.panel.values["W_hhᵀ"])
    # five frames, one per parameter colour, each on its own row: none crosses another
    boxes = [(f.get_left()[0], f.get_right()[0], f.get_bottom()[1], f.get_top()[1])
             for f in stage.frames]
    assert len(boxes) == 5
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[1] < b[0] or b[1] < a[0] or a[3] < b[2] or b[3] < a[2], (a, b)


def test_the_sums_and_the_update_are_the_traces(trace, dry_run, tmp_path):
    scene = dry_run(GradientsScene, SceneInput(trace), tmp_path)
    stage = scene.stage
    assert stage.beats[-2:] == ["sum over time", "one update"]
    shown(stage.panel, trace, {n: getattr(trace.update.params_after, n)
                               for n in trace.params.names})
    # what the update printed is the SGD step of the summed contributions (float64)
    for name in trace.params.names:
        summed = trace.contributions(name).sum(axis=0)
        np.testing.assert_allclose(summed, trace.grads[name], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(getattr(trace.update.params_after, name),
                                   getattr(trace.params, name) - 0.1 * trace.grads[name],
                                   rtol=1e-12, atol=1e-15)


def test_the_lecture_plays_the_three_passes_on_one_gated_chain(trace, dry_run, tmp_path):
    scene = dry_run(LectureScene, SceneInput(trace), tmp_path)
    beats = scene.stage.beats
    assert beats[0] == "unfold" and beats[-1] == "one update"
    assert beats.index("total loss") < beats.index("backward") < beats.index("gradients")
    assert scene.stage.net in scene.mobjects
