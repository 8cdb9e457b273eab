"""Identities the scenes rely on: contributions sum to totals, errors split by source and part."""

import functools

import numpy as np
import pytest

from rnn import RNNConfig, init_params, run, text_model

PARAM_NAMES = ("U", "W", "V", "b", "c")

@pytest.fixture
def trace():
    rng = np.random.default_rng(7)
    params = init_params(RNNConfig(3, 4, 3, seed=7, init_scale=0.8))
    return run(params, rng.standard_normal((6, 3)), rng.integers(0, 3, 6), rng.standard_normal(4))


@pytest.mark.parametrize("name", PARAM_NAMES)
def test_contributions_sum_to_totals_exactly(trace, name):
    contrib = trace.contributions(name)
    assert contrib.shape == (trace.T, *getattr(trace.params, name).shape)
    assert np.array_equal(functools.reduce(np.add, contrib), trace.grads[name])


def test_contribution_of_W_at_a_step_is_an_outer_product(trace):
    t = 3
    expected = np.outer(trace.dL_da[t - 1], trace.h[t - 2])  # dL/da(t) h(t-1)^T
    np.testing.assert_array_equal(trace.contributions("W")[t - 1], expected)
    np.testing.assert_array_equal(trace.contributions("W")[0], np.outer(trace.dL_da[0], trace.h0))


def test_dL_dh_is_the_sum_of_its_two_parts(trace):
    np.testing.assert_array_equal(trace.dL_dh, trace.dL_dh_from_output + trace.dL_dh_from_next)
    assert np.all(trace.dL_dh_from_next[-1] == 0)  # nothing comes after the last step
    np.testing.assert_allclose(trace.dL_dh_from_output, trace.dL_do @ trace.params.V)


def test_error_by_source_sums_to_dL_dh(trace):
    ebs = trace.error_by_source()
    T = trace.T
    assert ebs.shape == (T, T, 4)
    for s in range(T):
        for t in range(T):
            assert np.all(np.isnan(ebs[s, t])) == (s < t)
    np.testing.assert_allclose(np.nansum(ebs, axis=0), trace.dL_dh, rtol=1e-12, atol=1e-14)


def test_error_by_source_is_the_gradient_of_one_loss_term(trace):
    # dL(s)/dh(t) checked by finite differences on h(t): perturb h(t), rerun the later steps.
    s, t = 4, 1  # 0-based
    eps = 1e-6
    p = trace.params

    def loss_s(h_t):
        h = h_t
        for k in range(t + 1, s + 1):
            h = np.tanh(p.b + p.W @ h + p.U @ trace.X[k])
        o = p.c + p.V @ h
        return np.log(np.exp(o - o.max()).sum()) + o.max() - o[trace.targets[s]]

    num = np.array([(loss_s(trace.h[t] + eps * e) - loss_s(trace.h[t] - eps * e)) / (2 * eps)
                    for e in np.eye(4)])
    np.testing.assert_allclose(trace.error_by_source()[s, t], num, rtol=1e-6, atol=1e-9)


def test_jacobian_norms(trace):
    J = trace.jacobian_norms()
    assert np.all(np.diag(J) == 1.0)
    assert np.isnan(J[0, 1]) and np.isfinite(J[1, 0])
    # one factor: ||diag(1 - h(2)^2) W||_2
    np.testing.assert_allclose(
        J[1, 0], np.linalg.norm((1 - trace.h[1] ** 2)[:, None] * trace.params.W, 2))


def test_step_view_is_one_based(trace):
    s = trace.step(1)
    assert s["t"] == 1 and np.array_equal(s["h"], trace.h[0])
    with pytest.raises(IndexError):
        trace.step(0)


def test_hello_example():
    model = text_model()
    assert model.vocabulary.chars == ("e", "h", "l", "o")
    assert model.vocabulary.decode(model.X.argmax(axis=1)) == "hell"
    assert model.vocabulary.decode(model.y) == "ello"
    tr = model.trace()
    np.testing.assert_allclose(tr.yhat.sum(axis=1), 1.0)
    np.testing.assert_allclose(tr.losses, -np.log(tr.yhat[np.arange(4), model.y]))
