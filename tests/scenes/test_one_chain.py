"""One chain for every cell: one Stage and one set of beats, the drawing of the units chosen
by what the layer holds, and what a beat says taken from what the cell declares."""

import ast
from pathlib import Path

import pytest
from heat_checks import assert_cells, assert_forward_cells

from rnn.cells import CELLS, register, unregister
from rnn.cells.gru import GRU
from rnn.errors import UnrolledError
from rnn.model import text_model
from scenes.beats.inputs import SceneInput
from scenes.beats.stage import DRAWING, draws_heat, scale_of
from scenes.bptt import BPTTScene
from scenes.components.heat_chain import HeatChain
from scenes.components.theme import get_theme
from scenes.forward import ForwardScene
from scenes.gradients import GradientsScene
from scenes.lecture import LectureScene

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


def test_the_chain_draws_the_states_each_gate_reads():
    """The peephole LSTM's i and f read cell(t-1) and its o reads cell(t): a dashed line each,
    from the cell state's path into the gate's column; the LSTM's gates read no state."""
    theme = get_theme("dark")
    peephole = text_model("hello", cell="peephole", hidden=3, seed=0).trace()
    chain = HeatChain(peephole, theme)
    seen = (("i", "cell@p"), ("f", "cell@p"), ("o", "cell"))  # Gers and Schmidhuber 2000
    assert set(chain.reads) == {(g, ref, t) for g, ref in seen for t in range(1, peephole.T + 1)}
    for (gate, ref, t), line in chain.reads.items():
        assert line in chain.paths.submobjects
        start, end = line.get_start(), line.get_end()
        column, cell = chain.gate_cells(gate, t), chain.cells("cell", t)
        assert start[1] == pytest.approx(chain.rows["cell"])  # on the cell state's path
        if ref == "cell@p":  # on its way into step t
            assert start[0] < cell.get_left()[0]
        else:  # on its way out of step t
            assert start[0] > cell.get_right()[0]
        assert column.get_left()[0] <= end[0] <= column.get_right()[0]
        assert end[1] == pytest.approx(column.get_top()[1])
    lstm = text_model("hello", cell="lstm", hidden=3, seed=0).trace()
    plain_chain = HeatChain(lstm, theme)
    assert plain_chain.reads == {}
    assert len(chain.paths) - len(plain_chain.paths) == 3 * peephole.T


def test_how_units_look_is_chosen_by_what_a_unit_holds_and_by_option(dry_run, tmp_path):
    """Neurons show one value a unit a step; a unit holding more (gates, a second state) is
    drawn as heat columns, and the option ``drawing`` draws any layer as heat columns."""
    simple = text_model("hey", hidden=3, seed=0).trace()
    lstm = text_model("hey", cell="lstm", hidden=3, seed=0).trace()
    assert not draws_heat(simple) and draws_heat(lstm)
    assert draws_heat(simple, "heat") and not draws_heat(simple, "neurons")
    with pytest.raises(UnrolledError, match="neurons show one value a unit, the LSTM's units "
                                            r"hold 6 a step \(gates and states\)"):
        draws_heat(lstm, "neurons")
    shown = {}
    for cls in (ForwardScene, BPTTScene, GradientsScene):
        scene = dry_run(cls, SceneInput(simple, extra={"drawing": "heat"}), tmp_path / cls.__name__)
        shown[cls] = scene.stage.net
        assert isinstance(shown[cls], HeatChain) and shown[cls].gates == {}
    assert_forward_cells(shown[ForwardScene], simple)  # h and the outputs, from the Trace
    for t in range(1, simple.T + 1):  # after BPTT, h(t) shows the error of its sum a(t)
        assert_cells(shown[BPTTScene].cells("h", t), simple.dL_da[t - 1], scale_of(simple.dL_da))
    for cls in (ForwardScene, BPTTScene, GradientsScene, LectureScene):
        assert DRAWING in cls.contract.options  # `--drawing heat`; in a lecture file too
