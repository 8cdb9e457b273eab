"""What the conformance suite's modules share: the cells it runs over and their problems."""

from __future__ import annotations

import numpy as np

from rnn.cells import CELLS, Params
from tests.explore.keep_cell import KeepCell

TEST_CELL = KeepCell.name
CELL_NAMES = (*CELLS, TEST_CELL)  # every cell registered when the suite is collected


def random_problem(spec, seed: int, T: int, D: int, H: int, K: int):
    """``(params, X, y, state0)``: the cell's initialisation pushed off its defaults (every
    array scaled and shifted, so biases are non-zero and unequal), real-valued inputs and
    non-zero states before step 1, every state the cell declares."""
    rng = np.random.default_rng(seed)
    arrays = spec.init(D, H, K, seed)
    arrays = {n: a * 1.5 + rng.standard_normal(a.shape) * 0.3 for n, a in arrays.items()}
    X = rng.standard_normal((T, D))
    y = rng.integers(0, K, size=T)
    state0 = {p: rng.standard_normal(H) * 0.5 for p in spec.states}
    return Params(spec, **arrays), X, y, state0


def state_error(trace, path: str):
    """(T, H) the whole recorded error at state ``path``: dL/dh(t), dL/dcell(t), ..."""
    return trace.dL_dh if path == "h" else trace.parts[f"dL_d{path}"]
