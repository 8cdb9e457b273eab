"""The GRU engine against independent references: finite differences and a scalar forward."""

import math
import warnings

import numpy as np
import pytest
from gated_problems import random_gated_problem
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn import run
from rnn.errors import UnrolledError
from rnn.learning.gradcheck import gradient_check, numerical_gradients
from rnn.params import init_cell_params


def random_problem(seed: int, T: int, D: int, H: int, K: int, scale: float = 1.0):
    return random_gated_problem("gru", seed, T, D, H, K, scale)[:4]


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
    params, X, y, h0 = random_problem(seed, T, D, H, K, scale)
    errors = gradient_check(params, X, y, h0)
    assert set(errors) == {"W_ih", "W_hh", "b_ih", "b_hh", "V", "c", "h0"}
    assert max(errors.values()) < 1e-6, errors


def test_finite_differences_detect_a_wrong_gradient():
    params, X, y, h0 = random_problem(3, 4, 3, 3, 3)
    analytic = run(params, X, y, h0).grads
    numeric = numerical_gradients(params, X, y, h0)
    # the n block of b_hh is the one r multiplies: it differs from b_ih's
    assert not np.allclose(analytic["b_hh"][6:], analytic["b_ih"][6:])
    for name in ("b_hh", "h0"):
        np.testing.assert_allclose(analytic[name], numeric[name], rtol=1e-7, atol=1e-9)
        wrong = analytic[name].copy()
        wrong[-1] *= 1.001
        assert not np.allclose(wrong, numeric[name], rtol=1e-7, atol=1e-9)


def test_gradients_are_sums_of_per_step_contributions():
    params, X, y, h0 = random_problem(5, 5, 2, 3, 3)
    tr = run(params, X, y, h0)
    for name in params.names:
        np.testing.assert_allclose(tr.contributions(name).sum(axis=0), tr.grads[name],
                                   rtol=1e-12, atol=1e-14)


# Errors, split by path and by source ---------------------------------------------------
def test_error_parts_sum_to_the_whole():
    params, X, y, h0 = random_problem(7, 6, 3, 4, 3)
    tr = run(params, X, y, h0)
    np.testing.assert_array_equal(tr.dL_dh_from_output + tr.dL_dh_from_next, tr.dL_dh)
    np.testing.assert_array_equal(tr.dL_dh_from_next[-1], 0.0)
    np.testing.assert_allclose(tr.dL_dh_from_output, tr.dL_do @ params.V, rtol=1e-15)
    assert not tr.has("cell") and "cell" not in tr.step(1)
    with pytest.raises(AttributeError, match="records no"):
        _ = tr.dL_dcell
    with pytest.raises(ValueError, match="cell"):
        tr.cell_error_by_source_norms()


def brute_force_by_source(params, X, y, h0) -> np.ndarray:
    """[s, t] = dL(s)/dh(t), one full backward pass per source.

    The pass over steps 1..s counts losses 1..s; the one over 1..s-1 counts 1..s-1;
    their difference is what L(s) alone sends back.
    """
    T, H = len(X), params.hidden_size
    out = np.full((T, T, H), np.nan)
    before = np.zeros((0, H))
    for s in range(T):
        now = run(params, X[:s + 1], y[:s + 1], h0).dL_dh  # (s+1, H)
        out[s, :s] = now[:s] - before
        out[s, s] = now[s]
        before = now
    return out


def test_error_by_source_matches_a_brute_force_pass_per_source():
    params, X, y, h0 = random_problem(11, 6, 2, 3, 4, scale=2.0)
    norms = run(params, X, y, h0).error_by_source_norms()
    brute = np.linalg.norm(brute_force_by_source(params, X, y, h0), axis=2)
    assert norms.shape == (6, 6)
    assert np.all(np.isnan(norms[np.triu_indices(6, 1)]))  # t > s: no error yet
    np.testing.assert_allclose(norms, brute, rtol=1e-9, atol=1e-13)


def test_errors_by_source_add_up_to_the_recorded_errors():
    params, X, y, h0 = random_problem(13, 6, 3, 4, 3)
    tr = run(params, X, y, h0)
    h_err = tr.error_by_source()
    np.testing.assert_allclose(np.nansum(h_err, axis=0), tr.dL_dh, rtol=1e-12, atol=1e-15)
    diag = np.arange(tr.T)
    np.testing.assert_array_equal(h_err[diag, diag], tr.dL_dh_from_output)  # L(t) itself


# Forward against a scalar reference ----------------------------------------------------
def scalar_gru(W_ih, W_hh, b_ih, b_hh, X, h0):
    """torch's GRUCell, one number at a time, with nothing shared with the engine."""
    sig = lambda v: 1.0 / (1.0 + math.exp(-v))
    H = len(h0)
    h, hs, gs = list(h0), [], []
    for x in X:
        gi = [sum(W_ih[j][k] * x[k] for k in range(len(x))) + b_ih[j] for j in range(3 * H)]
        gh = [sum(W_hh[j][k] * h[k] for k in range(H)) + b_hh[j] for j in range(3 * H)]
        r = [sig(gi[j] + gh[j]) for j in range(H)]
        z = [sig(gi[H + j] + gh[H + j]) for j in range(H)]
        n = [math.tanh(gi[2 * H + j] + r[j] * gh[2 * H + j]) for j in range(H)]
        h = [(1 - z[j]) * n[j] + z[j] * h[j] for j in range(H)]
        hs.append(h)
        gs.append([r, z, n])
    return np.array(hs), np.array(gs)


def test_forward_matches_a_scalar_reference():
    params, X, y, h0 = random_problem(17, 5, 3, 2, 3, scale=1.5)
    tr = run(params, X, y, h0)
    h, gates = scalar_gru(params.W_ih.tolist(), params.W_hh.tolist(), params.b_ih.tolist(),
                          params.b_hh.tolist(), X.tolist(), h0.tolist())
    np.testing.assert_allclose(tr.h, h, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(tr.gates, gates, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(tr.gate("n"), gates[:, 2], rtol=1e-13)


# Parameters, inputs and health -------------------------------------------------------------
def test_the_engine_refuses_what_the_gru_has_not():
    params, X, y, h0 = random_problem(19, 3, 2, 2, 2)
    with pytest.raises(UnrolledError, match="cell0"):
        run(params, X, y, h0, np.zeros(2))
    with pytest.raises(UnrolledError, match="forget_bias"):
        init_cell_params("gru", 2, 2, 2, seed=0, forget_bias=1.0)


def test_overflow_is_recorded_not_raised():
    params, X, y, h0 = random_problem(23, 4, 2, 3, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # exp(-pre) overflows: the gates saturate to exactly 0 or 1, a finite trace
        tr = run(params, X * 1e300, y, h0)
        assert tr.first_non_finite() is None
        assert set(np.unique(tr.gate("z"))) <= {0.0, 1.0}
        # an infinite weight: the NaN is recorded and located, not raised
        params.V[0, 0] = np.inf
        tr = run(params, X, y, h0)
        assert tr.first_non_finite() == "o at t=1"
        assert np.isnan(tr.error_by_source_norms()[0, 0])
