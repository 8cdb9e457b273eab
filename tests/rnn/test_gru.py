"""What is the GRU's own; what every cell shares is checked in tests/rnn/conformance."""

import numpy as np
import pytest

from rnn import run
from rnn.errors import UnrolledError
from rnn.params import init_cell_params


def test_the_reset_gate_acts_after_w_hn_so_the_n_biases_differ():
    params = init_cell_params("gru", 3, 3, 3, seed=3)
    rng = np.random.default_rng(3)
    params.b_hh = rng.standard_normal(9)
    tr = run(params, rng.standard_normal((4, 3)), rng.integers(0, 3, 4))
    grads = tr.grads
    np.testing.assert_array_equal(grads["b_hh"][:6], grads["b_ih"][:6])  # r and z: the same
    assert not np.allclose(grads["b_hh"][6:], grads["b_ih"][6:])  # n: r * dL/dpre_n
    np.testing.assert_allclose(tr.dL_dhh[:, 2], tr.gate("r") * tr.gate_error("n"), rtol=1e-15)


def test_what_the_gru_has_not_is_refused():
    params = init_cell_params("gru", 2, 2, 2, seed=0)
    tr = run(params, np.zeros((3, 2)), np.zeros(3, dtype=int))
    assert not tr.has("cell") and "cell" not in tr.step(1)
    with pytest.raises(AttributeError, match="records no"):
        _ = tr.dL_dcell
    with pytest.raises(UnrolledError, match="cell0 is not a state of the GRU"):
        run(params, np.zeros((3, 2)), np.zeros(3, dtype=int), cell0=np.zeros(2))
    with pytest.raises(UnrolledError, match="forget_bias"):
        init_cell_params("gru", 2, 2, 2, seed=0, forget_bias=1.0)
