"""``error_by_source_norms`` (all sources carried back at once) against the full vectors."""

import numpy as np
import pytest

from rnn import run, text_model
from rnn.config import RNNConfig
from rnn.params import init_params


def _random_trace(T: int, H: int, K: int, seed: int, h0_scale: float = 0.0, scale: float = 0.5):
    rng = np.random.default_rng(seed)
    params = init_params(RNNConfig(input_size=K, hidden=H, output_size=K, seed=seed,
                                   init_scale=scale))
    X = np.eye(K)[rng.integers(0, K, size=T)]  # (T, K) one-hot
    y = rng.integers(0, K, size=T)
    h0 = h0_scale * rng.standard_normal(H)
    return run(params, X, y, h0)


def _brute_force(trace) -> np.ndarray:
    return np.linalg.norm(trace.error_by_source(), axis=2)  # (T, T), from the full vectors


@pytest.mark.parametrize("T,H,K,seed,h0_scale", [
    (1, 3, 4, 0, 0.0), (1, 5, 2, 1, 0.7), (2, 3, 3, 2, 0.0), (7, 4, 5, 3, 0.9),
    (12, 6, 3, 4, 0.3), (20, 2, 6, 5, 1.0),
])
def test_norms_equal_the_norms_of_the_full_vectors(T, H, K, seed, h0_scale):
    trace = _random_trace(T, H, K, seed, h0_scale)
    norms = trace.error_by_source_norms()
    expected = _brute_force(trace)
    assert norms.shape == (T, T)
    upper = np.triu(np.ones((T, T), dtype=bool), k=1)  # s < t: no error from the future
    assert np.isnan(norms[upper]).all()
    np.testing.assert_allclose(norms[~upper], expected[~upper], rtol=1e-12, atol=1e-15)


def test_the_diagonal_is_the_error_from_the_output_alone():
    trace = _random_trace(9, 4, 5, 6, 0.5)
    np.testing.assert_allclose(np.diag(trace.error_by_source_norms()),
                               np.linalg.norm(trace.dL_dh_from_output, axis=1), rtol=1e-12)


@pytest.mark.parametrize("radius", [0.3, 1.8])  # vanishing, exploding (the vanishing scene's)
def test_vanishing_and_exploding_norms_keep_their_values(radius):
    trace = text_model("hello wor", hidden=3, seed=0, init_scale=0.005, radius=radius).trace()
    norms = trace.error_by_source_norms()
    np.testing.assert_allclose(norms[np.isfinite(norms)],
                               _brute_force(trace)[np.isfinite(norms)], rtol=1e-12)
    last = norms[-1]  # the last loss term's error, from h(1) to h(T)
    if radius < 1:
        assert last[0] < 1e-3 * last[-1]
    else:
        assert last[0] > 10 * last[-1]


def test_overflowing_errors_stay_infinite_where_the_vectors_do():
    trace = _random_trace(30, 4, 3, 7, scale=1e150)
    norms = trace.error_by_source_norms()
    expected = _brute_force(trace)
    lower = np.tril(np.ones_like(norms, dtype=bool))
    np.testing.assert_array_equal(np.isfinite(norms[lower]), np.isfinite(expected[lower]))
