"""The dense (DCL) engine: gradients against finite differences, determinism."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn.errors import UnrolledError
from rnn.studies import dense
from rnn.studies.dense import DenseConfig, DenseParams, dense_trace, init_dense, run_dense

EPS = 1e-4
# The recorded per-neuron vectors of a DenseTrace, in the order of the pass
VECTORS = ("x", "z1", "h1", "dh1_dz1", "z2", "yhat", "dL_dz2", "dL_dh1", "dL_dz1")


# An independent reference: the forward loss written out again, from any intermediate value on
def _act(z, activation):
    return 1.0 / (1.0 + np.exp(-z)) if activation == "sigmoid" else np.tanh(z)


def _loss_from_z2(z2, y):
    z2 = z2 - z2.max()
    return float(np.log(np.exp(z2).sum()) - z2[y])


def _loss_from_h1(p, h1, y):
    return _loss_from_z2(p.W2 @ h1 + p.b2, y)


def _loss_from_z1(p, z1, y, activation):
    return _loss_from_h1(p, _act(z1, activation), y)


def _loss(p, x, y, activation):
    return _loss_from_z1(p, p.W1 @ x + p.b1, y, activation)


def _central(f, v):
    """Five-point central differences of scalar f at every entry of array v (truncation e^4)."""
    grad = np.zeros_like(v)
    for idx in np.ndindex(v.shape):
        total = 0.0
        for k, w in ((2, -1.0), (1, 8.0), (-1, -8.0), (-2, 1.0)):
            shifted = v.copy()
            shifted[idx] += k * EPS
            total += w * f(shifted)
        grad[idx] = total / (12 * EPS)
    return grad


def _rel_err(a, n):
    # Relative above a floor of 1e-3, absolute (1e-9 scale) below, as in rnn.learning.gradcheck
    return float(np.max(np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), 1e-3)))


def _random_case(D, H, K, activation, seed, scale):
    rng = np.random.default_rng(seed)
    params = DenseParams(
        W1=rng.standard_normal((H, D)) * scale, b1=rng.standard_normal(H) * scale,
        W2=rng.standard_normal((K, H)) * scale, b2=rng.standard_normal(K) * scale,
    )
    x = rng.standard_normal(D)
    y = int(rng.integers(K))
    return params, x, y


def _check_all_gradients(params, x, y, activation):
    trace = run_dense(params, x, y, activation)
    assert trace.loss == pytest.approx(_loss(params, x, y, activation), rel=1e-12, abs=1e-12)
    numeric = {}
    for name in dense.DENSE_PARAM_NAMES:
        def f(v, name=name):
            p = params.copy()
            setattr(p, name, v)
            return _loss(p, x, y, activation)
        numeric[name] = _central(f, getattr(params, name))
    numeric["dL_dz2"] = _central(lambda v: _loss_from_z2(v, y), trace.z2)
    numeric["dL_dh1"] = _central(lambda v: _loss_from_h1(params, v, y), trace.h1)
    numeric["dL_dz1"] = _central(lambda v: _loss_from_z1(params, v, y, activation), trace.z1)
    analytic = dict(trace.grads, dL_dz2=trace.dL_dz2, dL_dh1=trace.dL_dh1, dL_dz1=trace.dL_dz1)
    errors = {k: _rel_err(analytic[k], numeric[k]) for k in numeric}
    assert max(errors.values()) < 1e-6, errors
    return trace


# Gradients --------------------------------------------------------------------------------
@pytest.mark.parametrize("activation", dense.ACTIVATIONS)
def test_every_gradient_matches_finite_differences(activation):
    params, x, y = _random_case(5, 4, 3, activation, seed=7, scale=1.0)
    trace = _check_all_gradients(params, x, y, activation)
    assert np.abs(trace.grads["W1"]).max() > 1e-3  # a non-trivial case, not all zeros


@settings(max_examples=25, deadline=None)
@given(
    D=st.integers(1, 5), H=st.integers(1, 5), K=st.integers(2, 5),
    activation=st.sampled_from(dense.ACTIVATIONS), seed=st.integers(0, 2**32 - 1),
    scale=st.sampled_from([0.1, 1.0, 2.5]),
)
def test_gradients_for_random_networks(D, H, K, activation, seed, scale):
    _check_all_gradients(*_random_case(D, H, K, activation, seed, scale), activation)


def test_recorded_values_follow_the_equations():
    config = DenseConfig(input_size=3, hidden=4, output_size=2, activation="tanh")
    trace = dense_trace(config, target=1)
    p = trace.params
    np.testing.assert_allclose(trace.h1, np.tanh(p.W1 @ trace.x + p.b1), rtol=1e-14)
    assert trace.yhat.sum() == pytest.approx(1.0)
    np.testing.assert_array_equal(trace.dL_dz2, trace.yhat - np.eye(2)[1])
    # The red arrows: output k sends W2[k, j] dL/dz2[k] to hidden j, and they add up
    np.testing.assert_allclose(trace.error_contributions().sum(axis=0), trace.dL_dh1, rtol=1e-14)
    np.testing.assert_array_equal(trace.grads["W2"], np.outer(trace.dL_dz2, trace.h1))


def test_sigmoid_does_not_overflow_for_large_inputs():
    params = DenseParams(W1=[[1000.0], [-1000.0]], b1=[0.0, 0.0], W2=np.ones((2, 2)), b2=[0, 0])
    with np.errstate(all="raise"):
        trace = run_dense(params, [1.0], 0, "sigmoid")
    np.testing.assert_array_equal(trace.h1, [1.0, 0.0])
    assert np.isfinite(trace.loss)


# Determinism ------------------------------------------------------------------------------
def _same(a, b) -> bool:
    """Two DenseTraces hold the same numbers, bit for bit."""
    arrays = [(getattr(a, k), getattr(b, k)) for k in VECTORS]
    arrays += [(a.grads[n], b.grads[n]) for n in dense.DENSE_PARAM_NAMES]
    arrays += [(getattr(a.params, n), getattr(b.params, n)) for n in dense.DENSE_PARAM_NAMES]
    return a.loss == b.loss and all(x.tobytes() == y.tobytes() for x, y in arrays)


def test_same_config_same_bytes():
    config = DenseConfig(seed=3, activation="tanh")
    assert _same(dense_trace(config), dense_trace(config))
    assert not _same(dense_trace(DenseConfig(seed=4, activation="tanh")), dense_trace(config))


def test_init_is_deterministic_and_biases_start_at_zero():
    a, b = init_dense(DenseConfig(seed=11)), init_dense(DenseConfig(seed=11))
    for name in dense.DENSE_PARAM_NAMES:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not a.b1.any() and not a.b2.any()
    assert a.W1.shape == (3, 4) and a.W2.shape == (3, 3)


@pytest.mark.parametrize(
    "kwargs", [dict(hidden=0), dict(activation="relu"), dict(init_scale=0.0), dict(input_size=2.5)]
)
def test_bad_config_raises(kwargs):
    with pytest.raises(UnrolledError):
        DenseConfig(**kwargs)


def test_bad_run_inputs_raise():
    params = init_dense(DenseConfig())
    with pytest.raises(UnrolledError, match="input must have shape"):
        run_dense(params, np.zeros(3), 0)
    with pytest.raises(UnrolledError, match="target must be an integer"):
        run_dense(params, np.zeros(4), 3)
    with pytest.raises(UnrolledError, match="parameter W2 has shape"):
        DenseParams(W1=np.zeros((3, 4)), b1=np.zeros(3), W2=np.zeros((2, 4)), b2=np.zeros(2))


def test_engine_does_not_import_manim():
    code = "import sys, rnn.studies.dense; print('manim' in sys.modules, 'click' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"
