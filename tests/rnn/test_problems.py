"""Truncation gap, error decay and parameter steps, against independent references."""

import numpy as np
import pytest

from rnn import Optimizer, UnrolledError, run, text_model
from rnn.studies.problems import (
    error_decay,
    gradient_difference,
    parameter_step,
    step_norm,
    truncated_gradients,
)

PARAM_NAMES = ("U", "W", "V", "b", "c")

def _model(text="hello hello h", **kw):
    return text_model(text, hidden=3, seed=0, **kw)


def test_truncated_gradients_equal_full_bptt_when_the_window_covers_the_sequence():
    m = _model()
    full = run(m.params, m.X, m.y).grads
    trunc = truncated_gradients(m.params, m.X, m.y, window=len(m.X))
    for n in PARAM_NAMES:
        np.testing.assert_allclose(trunc[n], full[n], rtol=0, atol=1e-12)
    assert all(np.all(d == 0) for d in gradient_difference(full, trunc).values())


def test_truncated_gradients_match_finite_differences_of_the_windowed_loss():
    # Reference: the loss of each window with its starting state frozen at the full forward's
    # value, so no error crosses a cut; its numerical gradient is the truncated gradient.
    m, window, eps = _model(), 4, 1e-6
    h_frozen = run(m.params, m.X, m.y).h

    def windowed_loss(params):
        total = 0.0
        for start in range(0, len(m.X), window):
            h0 = None if start == 0 else h_frozen[start - 1]
            total += run(params, m.X[start:start + window], m.y[start:start + window], h0).loss
        return total

    trunc = truncated_gradients(m.params, m.X, m.y, window)
    for name, idx in (("W", (0, 1)), ("W", (2, 0)), ("U", (1, 2)), ("b", (0,))):
        plus, minus = m.params.copy(), m.params.copy()
        getattr(plus, name)[idx] += eps
        getattr(minus, name)[idx] -= eps
        numeric = (windowed_loss(plus) - windowed_loss(minus)) / (2 * eps)
        assert abs(numeric - trunc[name][idx]) < 1e-7


def test_cutting_the_sequence_changes_the_recurrent_gradient():
    m = _model()
    full = run(m.params, m.X, m.y).grads
    cut = truncated_gradients(m.params, m.X, m.y, 4)
    diff = gradient_difference(full, cut)
    np.testing.assert_allclose(diff["W"], full["W"] - cut["W"])
    assert np.abs(diff["W"]).max() > 1e-4
    np.testing.assert_allclose(diff["c"], 0.0, atol=1e-12)  # output errors never cross a cut


@pytest.mark.parametrize("window", [0, -3])
def test_truncated_gradients_reject_a_window_that_is_not_positive(window):
    m = _model()
    with pytest.raises(UnrolledError, match="window"):
        truncated_gradients(m.params, m.X, m.y, window)


def test_error_decay_is_the_log_of_the_traces_error_norms_from_one_loss_term():
    trace = _model("hello wor", init_scale=0.005, radius=0.5).trace()
    dist, log_norm = error_decay(trace)
    norms = trace.error_by_source_norms()
    assert list(dist) == list(range(trace.T))
    for d, v in zip(dist.astype(int), log_norm):
        assert v == pytest.approx(np.log10(norms[trace.T - 1, trace.T - 1 - d]), abs=1e-12)
    dist3, log3 = error_decay(trace, source=3)
    assert len(dist3) == 3 and log3[0] == pytest.approx(np.log10(norms[2, 2]))


def test_small_radius_fades_and_large_radius_grows():
    small = _model("hello wor", init_scale=0.005, radius=0.5).trace()
    large = _model("hello wor", init_scale=0.005, radius=1.8).trace()
    assert error_decay(small)[1][-1] < error_decay(small)[1][0] - 2  # 100x smaller
    assert error_decay(large)[1][-1] > error_decay(large)[1][0] + 0.5
    jac = np.log10(large.jacobian_norms()[:, 0])  # dh(s)/dh(1) for s = 1..T
    assert jac[0] == 0.0 and np.all(np.diff(jac) > 0)


def test_error_decay_refuses_a_loss_term_past_the_end():
    trace = _model("hello wor", radius=1.8).trace()
    with pytest.raises(UnrolledError):
        error_decay(trace, source=trace.T + 1)


def test_parameter_step_is_minus_lr_times_the_applied_gradient():
    m = _model("hello hello", init_scale=1.0, radius=1.8)
    plain = m.trace(Optimizer(method="sgd", lr=0.1))
    clipped = m.trace(Optimizer(method="sgd", lr=0.1, clip=1.0, clip_mode="norm"))
    step = parameter_step(m.params, plain.update)
    for n in PARAM_NAMES:
        np.testing.assert_allclose(step[n], -0.1 * plain.grads[n], atol=1e-12)
    assert step_norm(m.params, plain.update) == pytest.approx(0.1 * plain.update.grad_norm)
    assert plain.update.grad_norm > 1.0  # the exploding case clipping is for
    assert step_norm(m.params, clipped.update) == pytest.approx(0.1 * 1.0)
