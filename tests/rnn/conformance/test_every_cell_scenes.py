"""Every scene that draws any cell, dry-run (nothing written, every animation jumped to its
end) for every cell at the smallest sizes: two steps, two units."""

import pytest

from rnn.cells import CELLS
from rnn.model import text_model
from scenes.beats.inputs import SceneInput
from scenes.registry import SCENES
from tests.scenes.conftest import run_dry

# the scenes every built-in cell goes to (not lstm-cell, gru-cell, carousel: one cell each)
ANY_CELL = [name for name, info in SCENES.items() if set(CELLS) <= set(info.contract.cells)]


@pytest.fixture(scope="session")
def media(tmp_path_factory):
    """One media folder for every dry run: the texts manim typesets once are reused."""
    return tmp_path_factory.mktemp("media")


@pytest.mark.parametrize("scene", ANY_CELL)
def test_the_scene_draws_the_cell(cell, scene, media):
    info = SCENES[scene]
    if info.contract.prepare is not None:  # a scene that builds its own traces
        inp = info.contract.prepare({"steps": 3, "window": 2}, hidden=2, cell=cell.name)
    else:
        inp = SceneInput(text_model("hey", hidden=2, seed=0, cell=cell.name).trace())
    drawn = run_dry(info.cls, inp, media)
    assert drawn.renderer.num_plays > 0 and drawn.mobjects
    assert inp.trace.kind == cell.name


# the scenes that draw networks too: stacked layers read both ways, every cell (forward, bptt
# and gradients play the lecture's beats, which plays all three on one drawing)
SHAPED = [name for name in ANY_CELL if SCENES[name].contract.shapes
          and name not in ("forward", "bptt", "gradients")]


@pytest.mark.parametrize("scene", SHAPED)
def test_the_scene_draws_a_stacked_two_way_network_of_the_cell(cell, scene, media):
    info = SCENES[scene]
    shape = {"num_layers": 2, "bidirectional": True}
    if info.contract.prepare is not None:
        inp = info.contract.prepare({"steps": 4, "window": 2}, hidden=2, cell=cell.name, **shape)
    else:
        inp = SceneInput(text_model("hey", hidden=2, seed=0, cell=cell.name, **shape).trace())
    drawn = run_dry(info.cls, inp, media)
    assert drawn.renderer.num_plays > 0 and drawn.mobjects
    assert inp.trace.kind == cell.name and inp.trace.shape.slots == ((0, 0), (0, 1), (1, 0),
                                                                      (1, 1))
