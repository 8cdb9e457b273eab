"""The dense (DCL) engine: gradients against finite differences, JSON, determinism."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn import dense
from rnn.dense import DenseConfig, DenseParams, dense_trace, init_dense, run_dense
from rnn.errors import UnrolledError

EPS = 1e-4


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
    # Relative above a floor of 1e-3, absolute (1e-9 scale) below, as in rnn.gradcheck
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
def test_same_config_same_bytes():
    config = DenseConfig(seed=3, activation="tanh")
    assert dense.dumps(dense_trace(config)) == dense.dumps(dense_trace(config))
    other = dense.dumps(dense_trace(DenseConfig(seed=4, activation="tanh")))
    assert other != dense.dumps(dense_trace(config))


def test_init_is_deterministic_and_biases_start_at_zero():
    a, b = init_dense(DenseConfig(seed=11)), init_dense(DenseConfig(seed=11))
    for name in dense.DENSE_PARAM_NAMES:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not a.b1.any() and not a.b2.any()
    assert a.W1.shape == (3, 4) and a.W2.shape == (3, 3)


# JSON -------------------------------------------------------------------------------------
def test_json_round_trip_is_exact(tmp_path):
    params, x, y = _random_case(4, 3, 3, "sigmoid", seed=1, scale=1.3)
    trace = run_dense(params, x, y, "sigmoid")
    trace.config = None
    trace.extra["note"] = "hand-made"
    path = tmp_path / "dense.json"
    dense.save(path, trace)
    back = dense.load(path)
    assert path.read_text() == dense.dumps(back)
    for key in dense.VECTOR_KEYS:
        np.testing.assert_array_equal(getattr(back, key), getattr(trace, key), strict=True)
    for name in dense.DENSE_PARAM_NAMES:
        np.testing.assert_array_equal(back.grads[name], trace.grads[name], strict=True)
        np.testing.assert_array_equal(getattr(back.params, name), getattr(trace.params, name))
    assert back.loss == trace.loss and back.target == y and back.extra == {"note": "hand-made"}


def test_json_round_trip_keeps_config_and_non_finite_values():
    trace = dense_trace(DenseConfig(activation="tanh", seed=5))
    trace.z2[0], trace.yhat[1], trace.dL_dh1[2] = np.nan, np.inf, -np.inf
    text = dense.dumps(trace)
    assert '"NaN"' in text and '"Infinity"' in text and '"-Infinity"' in text
    back = dense.loads(text)
    assert back.config == trace.config
    assert np.isnan(back.z2[0]) and back.yhat[1] == np.inf and back.dL_dh1[2] == -np.inf
    assert dense.dumps(back) == text


def _doc():
    return json.loads(dense.dumps(dense_trace(DenseConfig())))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(format="unrolled.trace"), "not an unrolled dense trace"),
        (lambda d: d.update(version=2), "unsupported dense trace version"),
        (lambda d: d.pop("z1"), "missing key 'z1'"),
        (lambda d: d["params"].pop("W2"), "missing key 'params.W2'"),
        (lambda d: d.update(h1=[1.0, 2.0]), "'h1' has shape (2,), expected (3,)"),
        (lambda d: d["grads"].update(W1=[[1.0]]), "'grads.W1' has shape"),
        (lambda d: d.update(x=[]), "'x' must be a non-empty list"),
        (lambda d: d.update(yhat=["a", 0.0, 0.0]), "'yhat' holds a non-number"),
        (lambda d: d.update(target=3), "'target' must be an integer in 0..2"),
        (lambda d: d.update(target=True), "'target' must be an integer"),
        (lambda d: d.update(activation="relu"), "'activation' must be one of"),
        (lambda d: d["config"].update(hidden=5), "config sizes"),
        (lambda d: d["config"].update(colour="red"), "unknown config keys: colour"),
        (lambda d: d["config"].update(activation="tanh"), "config activation"),
        (lambda d: d.update(loss=[1.0]), "'loss' has shape"),
    ],
)
def test_bad_documents_raise_one_clear_error(change, message):
    doc = _doc()
    change(doc)
    with pytest.raises(UnrolledError) as info:
        dense.loads(json.dumps(doc), source="bad.json")
    assert message in str(info.value) and str(info.value).startswith("bad.json: ")
    assert "\n" not in str(info.value)


def test_truncated_or_missing_files_raise(tmp_path):
    text = dense.dumps(dense_trace(DenseConfig()))
    with pytest.raises(UnrolledError, match="not valid JSON"):
        dense.loads(text[: len(text) // 2])
    with pytest.raises(UnrolledError, match="cannot read dense trace file"):
        dense.load(tmp_path / "absent.json")


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
    code = "import sys, rnn.dense; print('manim' in sys.modules, 'click' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"
