"""The LSTM engine against independent references: finite differences and a scalar forward."""

import math
import warnings

import numpy as np
import pytest
from gated_problems import random_gated_problem
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn.engine import run
from rnn.errors import UnrolledError
from rnn.learning.gradcheck import gradient_check, numerical_gradients
from rnn.params import init_cell_params


def random_problem(seed: int, T: int, D: int, H: int, K: int, scale: float = 1.0):
    return random_gated_problem("lstm", seed, T, D, H, K, scale)


# Gradients ---------------------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    T=st.integers(1, 6),
    D=st.integers(1, 4),
    H=st.integers(1, 4),
    K=st.integers(2, 4),
    scale=st.sampled_from([0.5, 1.0, 2.0]),
)
def test_every_gradient_matches_finite_differences(seed, T, D, H, K, scale):
    params, X, y, h0, cell0 = random_problem(seed, T, D, H, K, scale)
    errors = gradient_check(params, X, y, h0, cell0)
    assert set(errors) == {"W_ih", "W_hh", "b_ih", "b_hh", "V", "c", "h0", "cell0"}
    assert max(errors.values()) < 1e-6, errors


def test_finite_differences_detect_a_wrong_gradient():
    params, X, y, h0, cell0 = random_problem(3, 4, 3, 3, 3)
    analytic = run(params, X, y, h0, cell0).grads
    numeric = numerical_gradients(params, X, y, h0, cell0)
    for name in ("W_hh", "cell0"):
        np.testing.assert_allclose(analytic[name], numeric[name], rtol=1e-7, atol=1e-9)
        wrong = analytic[name].copy()
        wrong[1] *= 1.001
        assert not np.allclose(wrong, numeric[name], rtol=1e-7, atol=1e-9)


def test_gradients_are_sums_of_per_step_contributions():
    params, X, y, h0, cell0 = random_problem(5, 5, 2, 3, 3)
    tr = run(params, X, y, h0, cell0)
    for name in params.names:
        np.testing.assert_allclose(tr.contributions(name).sum(axis=0), tr.grads[name],
                                   rtol=1e-12, atol=1e-14)


# Errors, split by path and by source ---------------------------------------------------
def test_error_parts_sum_to_the_whole():
    params, X, y, h0, cell0 = random_problem(7, 6, 3, 4, 3)
    tr = run(params, X, y, h0, cell0)
    np.testing.assert_array_equal(tr.dL_dh_from_output + tr.dL_dh_from_next, tr.dL_dh)
    np.testing.assert_array_equal(tr.dL_dcell_from_h + tr.dL_dcell_from_next, tr.dL_dcell)
    np.testing.assert_array_equal(tr.dL_dh_from_next[-1], 0.0)
    np.testing.assert_array_equal(tr.dL_dcell_from_next[-1], 0.0)
    np.testing.assert_allclose(tr.dL_dcell_from_next[:-1], tr.dL_dcell[1:] * tr.gate("f")[1:])


def brute_force_by_source(params, X, y, h0, cell0, field: str) -> np.ndarray:
    """[s, t] = dL(s)/d<field>(t), one full backward pass per source.

    The pass over steps 1..s counts losses 1..s; the one over 1..s-1 counts 1..s-1;
    their difference is what L(s) alone sends back.
    """
    T, H = len(X), params.hidden_size
    out = np.full((T, T, H), np.nan)
    before = np.zeros((0, H))
    for s in range(T):
        now = getattr(run(params, X[:s + 1], y[:s + 1], h0, cell0), field)  # (s+1, H)
        out[s, :s] = now[:s] - before
        out[s, s] = now[s]
        before = now
    return out


def test_error_by_source_matches_a_brute_force_pass_per_source():
    params, X, y, h0, cell0 = random_problem(11, 6, 2, 3, 4, scale=2.0)
    tr = run(params, X, y, h0, cell0)
    for field, norms in (("dL_dh", tr.error_by_source_norms()),
                         ("dL_dcell", tr.cell_error_by_source_norms())):
        brute = np.linalg.norm(brute_force_by_source(params, X, y, h0, cell0, field), axis=2)
        assert norms.shape == (6, 6)
        assert np.all(np.isnan(norms[np.triu_indices(6, 1)]))  # t > s: no error yet
        np.testing.assert_allclose(norms, brute, rtol=1e-9, atol=1e-13)


def test_errors_by_source_add_up_to_the_recorded_errors():
    params, X, y, h0, cell0 = random_problem(13, 6, 3, 4, 3)
    tr = run(params, X, y, h0, cell0)
    h_err, c_err = tr.error_by_source(), tr.cell_error_by_source()
    np.testing.assert_allclose(np.nansum(h_err, axis=0), tr.dL_dh, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(np.nansum(c_err, axis=0), tr.dL_dcell, rtol=1e-12, atol=1e-15)
    diag = np.arange(tr.T)
    np.testing.assert_array_equal(h_err[diag, diag], tr.dL_dh_from_output)  # L(t) itself
    own = tr.dL_dh_from_output * tr.gate("o") * (1.0 - np.tanh(tr.cell) ** 2)  # through h(t)
    np.testing.assert_allclose(c_err[diag, diag], own, rtol=1e-14, atol=1e-16)


# Forward against a scalar reference ----------------------------------------------------
def scalar_lstm(W_ih, W_hh, b_ih, b_hh, X, h0, c0):
    """torch's LSTMCell, one number at a time, with nothing shared with the engine."""
    sig = lambda v: 1.0 / (1.0 + math.exp(-v))
    H = len(h0)
    h, c, hs, cs, gs = list(h0), list(c0), [], [], []
    for x in X:
        z = [sum(W_ih[j][k] * x[k] for k in range(len(x))) + b_ih[j] + b_hh[j]
             + sum(W_hh[j][k] * h[k] for k in range(H)) for j in range(4 * H)]
        i = [sig(z[j]) for j in range(H)]
        f = [sig(z[H + j]) for j in range(H)]
        g = [math.tanh(z[2 * H + j]) for j in range(H)]
        o = [sig(z[3 * H + j]) for j in range(H)]
        c = [f[j] * c[j] + i[j] * g[j] for j in range(H)]
        h = [o[j] * math.tanh(c[j]) for j in range(H)]
        hs.append(h)
        cs.append(c)
        gs.append([i, f, g, o])
    return np.array(hs), np.array(cs), np.array(gs)


def test_forward_matches_a_scalar_reference():
    params, X, y, h0, cell0 = random_problem(17, 5, 3, 2, 3, scale=1.5)
    tr = run(params, X, y, h0, cell0)
    h, cell, gates = scalar_lstm(params.W_ih.tolist(), params.W_hh.tolist(),
                                 params.b_ih.tolist(), params.b_hh.tolist(), X.tolist(),
                                 h0.tolist(), cell0.tolist())
    np.testing.assert_allclose(tr.h, h, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(tr.cell, cell, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(tr.gates, gates, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(tr.gate("f"), gates[:, 1], rtol=1e-13)


# Parameters, inputs and health -------------------------------------------------------------
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


def test_the_engine_refuses_states_of_the_wrong_shape():
    params, X, y, h0, cell0 = random_problem(19, 3, 2, 2, 2)
    assert run(params, X, y, h0).loss == run(params, X, y, h0, np.zeros(2)).loss  # zeros
    with pytest.raises(UnrolledError, match="cell0"):
        run(params, X, y, h0, np.zeros(3))


def test_overflow_is_recorded_not_raised():
    params, X, y, h0, cell0 = random_problem(23, 4, 2, 3, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # exp(-pre) overflows: the gates saturate to exactly 0 or 1, a finite trace
        tr = run(params, X * 1e300, y, h0, cell0)
        assert tr.first_non_finite() is None
        assert set(np.unique(tr.gate("f"))) <= {0.0, 1.0}
        # an infinite weight: the NaN is recorded and located, not raised
        params.V[0, 0] = np.inf
        tr = run(params, X, y, h0, cell0)
        assert tr.first_non_finite() == "o at t=1"
        assert np.isnan(tr.error_by_source_norms()[0, 0])
