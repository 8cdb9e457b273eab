"""One chain for every cell: one Stage and one set of beats, the drawing of the units chosen
by what the layer holds, and what a beat says taken from what the cell declares."""

import ast
from pathlib import Path

from rnn.cells import CELLS, register, unregister
from rnn.cells.gru import GRU
from rnn.model import text_model
from scenes.beats.inputs import SceneInput
from scenes.gradients import GradientsScene

SCENES = Path(__file__).resolve().parents[2] / "scenes"
# the scenes that draw one named cell, and the outputs, which pick the models they render
NAMED_CELL_SCENES = {"lstm_cell.py", "gru_cell.py", "carousel.py"}
FAMILIES = ("gated", "simple", "lstm", "gru", "rnn")


def plain(text: str) -> str:
    return text.replace(" ", "")


def test_no_beat_or_drawing_module_is_named_after_a_cell_family():
    for folder in ("beats", "components"):
        for path in (SCENES / folder).glob("*.py"):
            assert not any(f in path.stem for f in (*FAMILIES, *CELLS)), path.name


def test_stage_is_the_only_stage_and_no_beat_branches_on_one():
    for path in SCENES.rglob("*.py"):
        tree = ast.parse(path.read_text())
        stages = [n.name for n in ast.walk(tree)
                  if isinstance(n, ast.ClassDef) and n.name.endswith("Stage")]
        assert stages in ([], ["Stage"]), (path.name, stages)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "isinstance"
                    and "Stage" in ast.unparse(node.args[1])):
                raise AssertionError(f"{path.name}:{node.lineno} branches on a stage's class")


def test_no_chain_scene_or_beat_names_a_cell():
    """A cell's name as a string appears only in the scenes that draw that one cell."""
    paths = [*(SCENES / "beats").glob("*.py"), *(SCENES / "components").glob("*.py"),
             *[p for p in SCENES.glob("*.py") if p.name not in NAMED_CELL_SCENES]]
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert node.value not in CELLS, (path.name, node.lineno, node.value)


class OwnWordsGRU(GRU):
    """A GRU that writes its gradients its own way: the scenes must print its words."""

    name = "gru-own-words"
    gradient_equations = "∇W_hh = Σ_t ρ(t) h(t−1)ᵀ  (this cell's own words)"


def test_the_gradient_equations_on_screen_are_the_cells(dry_run, tmp_path):
    for cell in ("lstm", "gru"):
        tr = text_model("hey", cell=cell, hidden=2, seed=0).trace()
        scene = dry_run(GradientsScene, SceneInput(tr, extra={"stage": "frames", "step": 1}),
                        tmp_path / cell)
        assert scene.stage.band.lines[0].text == plain(tr.spec.gradient_equations)
    assert "δ_hh" in GRU.gradient_equations and "δ_hh" not in CELLS["lstm"].gradient_equations
    cell = register(OwnWordsGRU())
    try:
        tr = text_model("hey", cell=cell.name, hidden=2, seed=0).trace()
        scene = dry_run(GradientsScene, SceneInput(tr, extra={"stage": "frames", "step": 1}),
                        tmp_path / "own")
        assert scene.stage.band.lines[0].text == plain(OwnWordsGRU.gradient_equations)
    finally:
        unregister(cell.name)
