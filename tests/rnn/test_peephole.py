"""What is the peephole LSTM's own; what every cell shares is checked in tests/rnn/conformance
(its forward against ONNX's equations, its gradients against finite differences)."""

import numpy as np

from rnn.cells import Params, get_cell
from rnn.engine import run
from rnn.params import init_cell_params


def test_it_is_the_lstm_plus_peepholes_in_onnx_order():
    peephole = init_cell_params("peephole", 3, 4, 3, seed=5)
    lstm = init_cell_params("lstm", 3, 4, 3, seed=5)
    assert peephole.names == ("W_ih", "W_hh", "b_ih", "b_hh", "P", "V", "c")
    for name in lstm.names:  # the same draw as an LSTM of the same seed, forget bias included
        np.testing.assert_array_equal(getattr(peephole, name), getattr(lstm, name))
    assert peephole.P.shape == (12,) and np.all(np.abs(peephole.P) <= 0.5)
    spec = get_cell("peephole")
    assert spec.peepholes == ("i", "o", "f")  # ONNX's LSTM operator: P = [p_i, p_o, p_f]
    np.testing.assert_array_equal(spec.peephole(peephole.P, "o"), peephole.P[4:8])


def test_without_peepholes_it_is_the_lstm_bit_for_bit():
    lstm = init_cell_params("lstm", 3, 4, 3, seed=6)
    closed = Params("peephole", **lstm.as_dict(), P=np.zeros(12))
    rng = np.random.default_rng(6)
    X, y, cell0 = rng.standard_normal((5, 3)), rng.integers(0, 3, 5), rng.standard_normal(4)
    a, b = run(lstm, X, y, cell0=cell0), run(closed, X, y, cell0=cell0)
    for name in ("h", "cell", "gates", "dL_dh", "dL_dcell", "dL_dpre"):
        np.testing.assert_array_equal(getattr(b, name), getattr(a, name), err_msg=name)
    np.testing.assert_array_equal(b.grads["W_hh"], a.grads["W_hh"])
    assert np.any(b.grads["P"] != 0)  # and the loss still leans on the closed peepholes


def test_each_peephole_sees_its_own_cell_state():
    params = init_cell_params("peephole", 2, 3, 2, seed=7)
    rng = np.random.default_rng(7)
    tr = run(params, rng.standard_normal((4, 2)), rng.integers(0, 2, 4), cell0=np.ones(3))
    seen = {"i": tr.cell_prev, "o": tr.cell, "f": tr.cell_prev}
    for k, gate in enumerate(("i", "o", "f")):
        want = (tr.gate_error(gate) * seen[gate]).sum(axis=0)
        np.testing.assert_allclose(tr.grads["P"][3 * k:3 * (k + 1)], want, rtol=1e-14)
