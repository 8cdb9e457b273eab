"""A saved LSTM or GRU trace (``--trace``, ``model.trace``) is drawn as the cell it records,
by every scene that draws that cell, with the numbers of the file."""

import numpy as np
import pytest

from rnn.errors import UnrolledError
from rnn.model import text_model
from rnn.traces import files as trace_files
from scenes.bptt import BPTTScene
from scenes.error_map import ErrorMapScene
from scenes.output.lecture_file import load_lecture


@pytest.fixture(scope="module", params=["lstm", "gru"])
def saved(request, tmp_path_factory):
    """(cell, path of its saved trace, the trace as recorded)."""
    cell = request.param
    trace = text_model("hello you", cell=cell, hidden=4, seed=5).trace()
    path = tmp_path_factory.mktemp(cell) / f"{cell}.npz"
    trace_files.save(path, trace)
    return cell, path, trace


def _lecture(folder, trace_name: str, *scenes: str):
    path = folder / "saved.toml"
    body = "".join(f'[[scenes]]\nname = "{s}"\n' for s in scenes)
    path.write_text(f'title = "saved"\n[model]\ntrace = "{trace_name}"\n{body}')
    return load_lecture(path)


def test_the_scenes_of_its_cell_draw_the_saved_numbers(saved, dry_run, tmp_path):
    cell, path, trace = saved
    lecture = _lecture(path.parent, path.name, "bptt", "error-map")
    assert lecture.model.cell == cell  # the file's own cell, not the simple RNN's default
    bptt_in, map_in = lecture.scene_inputs()
    for inp in (bptt_in, map_in):
        assert inp.trace.kind == cell
        for name in ("h", "gates", "dL_dh", "dL_dpre"):
            np.testing.assert_array_equal(getattr(inp.trace, name), getattr(trace, name))
    scene = dry_run(BPTTScene, bptt_in, tmp_path / "bptt")
    chain = scene.stage.net
    for t in range(1, trace.T + 1):  # the errors last shown in each state's cells
        np.testing.assert_array_equal(chain.cells("h", t).values, trace.dL_dh[t - 1])
        for k, name in enumerate(trace.gate_names):
            np.testing.assert_array_equal(chain.gate_cells(name, t).values,
                                          trace.dL_dpre[t - 1, k])
    assert dry_run(ErrorMapScene, map_in, tmp_path / "map").renderer.num_plays > 0


def test_scenes_that_cannot_draw_it_say_so_in_one_line(saved, tmp_path):
    cell, path, _ = saved
    with pytest.raises(UnrolledError, match=f"scene 'neurons' draws a simple RNN; the "
                                            f"model's cell is {cell} .scenes for it: [a-z, -]*"
                                            "forward, bptt"):
        _lecture(path.parent, path.name, "forward", "neurons")
    with pytest.raises(UnrolledError, match="scene '(lstm|gru)-cell' builds its own model"):
        _lecture(path.parent, path.name, f"{cell}-cell")
