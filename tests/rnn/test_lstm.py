"""What is the LSTM's own; what every cell shares is checked in tests/rnn/conformance."""

import numpy as np

from rnn.engine import run
from rnn.params import init_cell_params


def test_initialisation_is_torch_like_and_seeded():
    a = init_cell_params("lstm", 5, 4, 3, seed=2, forget_bias=0.0)  # torch's draw
    b = init_cell_params("lstm", 5, 4, 3, seed=2, forget_bias=1.0)
    for name in a.names:
        assert np.all(np.abs(getattr(a, name)) <= 0.5)  # uniform(-1/sqrt(H), 1/sqrt(H))
        assert getattr(a, name).tobytes() == getattr(init_cell_params(
            "lstm", 5, 4, 3, seed=2, forget_bias=0.0), name).tobytes()
    diff = b.b_hh - a.b_hh
    np.testing.assert_allclose(diff[4:8], 1.0)  # the forget block, second in i, f, g, o
    np.testing.assert_array_equal(np.delete(diff, range(4, 8)), 0.0)


def test_the_cell_state_carries_its_error_through_the_forget_gate():
    params = init_cell_params("lstm", 2, 3, 2, seed=4)
    rng = np.random.default_rng(4)
    tr = run(params, rng.standard_normal((5, 2)), rng.integers(0, 2, 5), cell0=np.ones(3))
    np.testing.assert_allclose(tr.dL_dcell_from_next[:-1], tr.dL_dcell[1:] * tr.gate("f")[1:],
                               rtol=1e-15)
    own = tr.dL_dh * tr.gate("o") * (1.0 - np.tanh(tr.cell) ** 2)  # through h(t)
    np.testing.assert_allclose(tr.dL_dcell_from_h, own, rtol=1e-15)
    np.testing.assert_array_equal(tr.start["cell"], 1.0)
