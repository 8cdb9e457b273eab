"""BPTT's gradients against an independent reference: central finite differences in float64."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn import RNNConfig, init_params, run
from rnn.learning.gradcheck import gradient_check, numerical_gradients


def random_problem(seed: int, T: int, D: int, H: int, K: int, scale: float):
    rng = np.random.default_rng(seed)
    params = init_params(RNNConfig(D, H, K, seed=seed, init_scale=scale))
    params.b = rng.standard_normal(H) * 0.3  # non-zero biases exercise b and c too
    params.c = rng.standard_normal(K) * 0.3
    X = rng.standard_normal((T, D))  # real-valued inputs, not only one-hot
    y = rng.integers(0, K, size=T)
    h0 = rng.standard_normal(H) * 0.5
    return params, X, y, h0


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    T=st.integers(1, 6),
    D=st.integers(1, 4),
    H=st.integers(1, 5),
    K=st.integers(2, 4),
    scale=st.sampled_from([0.1, 0.5, 1.0]),
)
def test_every_gradient_matches_finite_differences(seed, T, D, H, K, scale):
    params, X, y, h0 = random_problem(seed, T, D, H, K, scale)
    errors = gradient_check(params, X, y, h0)
    assert set(errors) == {"U", "W", "V", "b", "c", "h0"}
    assert max(errors.values()) < 1e-6, errors


def test_finite_differences_detect_a_wrong_gradient():
    # The reference is independent: a corrupted analytic gradient must be caught.
    params, X, y, h0 = random_problem(3, 4, 3, 3, 3, 0.5)
    analytic = run(params, X, y, h0).grads
    numeric = numerical_gradients(params, X, y, h0)
    np.testing.assert_allclose(analytic["W"], numeric["W"], rtol=1e-7, atol=1e-9)
    wrong = analytic["W"].copy()
    wrong[0, 1] *= 1.001
    assert not np.allclose(wrong, numeric["W"], rtol=1e-7, atol=1e-9)


def test_textbook_output_error():
    # dL/do(t) = yhat(t) - onehot(y(t)): each row sums to zero and is negative only at the target
    params, X, y, h0 = random_problem(1, 5, 2, 3, 4, 0.5)
    tr = run(params, X, y, h0)
    np.testing.assert_allclose(tr.dL_do.sum(axis=1), 0.0, atol=1e-15)
    assert np.all(np.argmin(tr.dL_do, axis=1) == y)
