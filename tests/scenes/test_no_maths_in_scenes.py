"""Scenes draw the Trace; they never redo the network's maths (activations, derivatives, sums)."""

import ast
from pathlib import Path

import pytest

SCENES_DIR = Path(__file__).resolve().parents[2] / "scenes"
DRAWING_MODULES = [
    "forward.py", "bptt.py", "gradients.py", "lecture.py", "beats/forward.py", "beats/bptt.py",
    "beats/gradients.py", "beats/stage.py", "components/theme.py", "beats/inputs.py",
    "components/layout.py",
    "components/neurons.py", "components/network.py", "components/arrows.py",
    "components/panels.py",
    "lstm_cell.py", "gru_cell.py", "carousel.py", "components/cell_diagram.py",
    "components/cell_board.py", "components/carousel_chain.py",
    "activations.py", "neuron_text.py", "error_map.py", "components/heatmap.py",
    "components/glyphs.py", "components/strips.py", "components/chain_camera.py",
    "beats/travel.py", "beats/truncated.py", "beats/truncated_network.py", "truncated.py", "components/caption_band.py",
    "vanishing.py", "components/vanishing_map.py",
    "beats/band.py", "beats/unfolded.py", "components/heat_chain.py", "components/step_frames.py",
    "components/heat_cells.py",
]
FORBIDDEN_CALLS = {"tanh", "exp", "log", "sum", "cumsum", "dot", "einsum", "outer", "matmul",
                   "softmax", "diff", "norm", "prod"}


def maths_in(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in FORBIDDEN_CALLS:
                found.append(f"{name}() at line {node.lineno}")
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            found.append(f"@ at line {node.lineno}")
    return found


def test_the_checker_catches_recomputed_maths():
    assert maths_in("h = np.tanh(a)\ng = (d @ h).sum()") == ["tanh() at line 1", "sum() at line 2",
                                                            "@ at line 2"]


@pytest.mark.parametrize("module", DRAWING_MODULES)
def test_drawing_module_recomputes_nothing(module):
    assert maths_in((SCENES_DIR / module).read_text(encoding="utf-8")) == []
