"""The conformance suite runs over every registered cell, and over a test-only cell with two
gates and a second state not named ``cell`` (``memo_cell.MemoCell``), registered for the
suite's tests and removed after them."""

from __future__ import annotations

import numpy as np
import pytest
from memo_cell import MemoCell

from rnn.cells import CELLS, Params, get_cell, register, unregister

TEST_CELL = MemoCell.name
CELL_NAMES = (*CELLS, TEST_CELL)  # every cell registered when the suite is collected


def pytest_generate_tests(metafunc):
    if "cell" in metafunc.fixturenames:
        metafunc.parametrize("cell", CELL_NAMES, indirect=True)


@pytest.fixture(scope="session")
def _test_cell():
    register(MemoCell())
    yield
    unregister(TEST_CELL)


@pytest.fixture
def cell(request, _test_cell):
    """The cell under test (``rnn.cells.Cell``), the test-only one registered."""
    return get_cell(request.param)


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
