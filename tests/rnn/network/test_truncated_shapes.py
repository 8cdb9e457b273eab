"""Truncated BPTT of networks of every shape: one window's gradients against central finite
differences (float64) of that window's loss, its start states held constant; where each
window starts; windows without the label; and the gradients of a whole truncated pass."""

from __future__ import annotations

import numpy as np
import pytest

from rnn.errors import UnrolledError
from rnn.learning.optim import Optimizer
from rnn.learning.truncated import run_truncated
from rnn.network import Shape, init_network, run_network
from rnn.studies.problems import truncated_gradients
from tests.rnn.network.test_network_gradcheck import _numeric

BI, LAST, BI_LAST = Shape(2, True, "every"), Shape(2, False, "last"), Shape(2, True, "last")


def _problem(cell: str, shape: Shape, T: int = 9, D: int = 3, H: int = 3, K: int = 4):
    params = init_network(cell, shape, D, H, K, seed=2)
    rng = np.random.default_rng(5)
    for array in params.as_dict().values():  # biases off zero: a misplaced one shows
        array += rng.uniform(-0.3, 0.3, array.shape)
    X = rng.standard_normal((T, D))
    y = rng.integers(0, K, T if shape.task == "every" else 1)
    return params, X, y


@pytest.mark.parametrize("shape, k", [(BI, 1), (BI_LAST, 2), (LAST, 2)], ids=str)
@pytest.mark.parametrize("cell", ("lstm", "gru"))
def test_a_window_gradient_equals_central_differences(cell, shape, k):
    """Window k's loss as a function of the parameters it ran with, from the states it
    started from (constants): no error crosses a cut, so nothing else moves it."""
    params, X, y = _problem(cell, shape)
    traces = run_truncated(params, X, y, 4, Optimizer("sgd", 0.1))
    trace = traces[k]
    assert trace.losses.size > 0
    start, stop = trace.extra["window"]["start"] - 1, trace.extra["window"]["stop"]
    mine = trace.params.copy()
    arrays = mine.as_dict()
    targets = y[start:stop] if shape.task == "every" else y
    loss = lambda: run_network(mine.with_arrays(arrays), X[start:stop], targets,  # noqa: E731
                               trace.state0).loss
    worst = checked = 0
    for name, array in arrays.items():
        for idx in np.ndindex(array.shape):
            numeric = _numeric(loss, array, idx)
            assert trace.grads[name][idx] == pytest.approx(numeric, rel=1e-6, abs=1e-8), \
                (name, idx)
            worst = max(worst, abs(trace.grads[name][idx] - numeric))
            checked += 1
    assert checked == sum(a.size for a in arrays.values()) and worst < 1e-7


@pytest.mark.parametrize("shape", [BI, BI_LAST], ids=str)
def test_each_window_starts_forward_from_the_last_backward_from_the_callers_states(shape):
    params, X, y = _problem("lstm", shape)
    rng = np.random.default_rng(1)
    state0 = {slot: {p: rng.standard_normal(3) for p in ("h", "cell")} for slot in shape.slots}
    traces = run_truncated(params, X, y, 4, Optimizer("sgd", 0.1), state0)
    for prev, nxt in zip(traces, traces[1:]):
        for (l, d), layer in nxt.layers.items():
            was = prev.layer(l, d)
            for p in ("h", "cell"):
                want = was.states(p)[-1] if d == 0 else state0[(l, d)][p]
                assert np.array_equal(layer.state0[p], want), (l, d, p)


@pytest.mark.parametrize("shape", [LAST, BI_LAST], ids=str)
def test_windows_before_the_label_have_no_loss_no_gradient_and_no_step(shape):
    params, X, y = _problem("gru", shape)
    opt = Optimizer("adagrad", 0.1)
    traces = run_truncated(params, X, y, 4, opt)
    assert [t.losses.size for t in traces] == [0, 0, 1]
    for t in traces[:2]:
        assert t.update is None and t.targets.shape == (0,) and t.o.shape == (0, 4)
        assert t.params == params  # nothing moved: the next window runs the same
        assert all(not np.any(g) for g in t.grads.values())
        assert t.error_norms()[(0, 0, "h")].shape == (0, t.T)
    assert traces[2].update is not None and traces[2].params == params
    # the optimiser's memory holds the one labelled window's step only
    fresh = Optimizer("adagrad", 0.1)
    again = fresh.step(params, traces[2].grads)
    assert again.params_after == traces[2].update.params_after


def test_one_window_over_the_sequence_is_full_bptt_bit_for_bit():
    for shape in (BI, LAST, BI_LAST):
        params, X, y = _problem("lstm", shape)
        [only] = run_truncated(params, X, y, 100, Optimizer("sgd", 0.1))
        full = run_network(params, X, y)
        assert only.loss == full.loss
        assert all(np.array_equal(only.grads[n], g) for n, g in full.grads.items())


def test_no_label_is_for_one_label_per_sequence_only():
    params, X, _ = _problem("gru", BI)
    with pytest.raises(UnrolledError, match="targets can be left out only"):
        run_network(params, X, None)


@pytest.mark.parametrize("shape", [BI, LAST, BI_LAST], ids=str)
def test_truncated_gradients_of_a_network_sum_its_windows(shape):
    params, X, y = _problem("gru", shape)
    cut = truncated_gradients(params, X, y, 4)
    whole = truncated_gradients(params, X, y, len(X))
    full = run_network(params, X, y).grads
    assert all(np.array_equal(whole[n], full[n]) for n in whole)
    assert set(cut) == set(params.names)
    state, want = None, {n: np.zeros_like(a) for n, a in params.as_dict().items()}
    for start in range(0, len(X), 4):  # the windows by hand, parameters held fixed
        stop = min(start + 4, len(X))
        last = stop == len(X)
        if shape.task == "every" or last:
            piece = run_network(params, X[start:stop],
                                y[start:stop] if shape.task == "every" else y, state)
            for n in want:
                want[n] += piece.grads[n]
        else:
            piece = run_network(params, X[start:stop], None, state)
        state = {s: {p: tr.states(p)[-1] for p in params.spec.states} if s[1] == 0 else {}
                 for s, tr in piece.layers.items()}
    assert all(np.allclose(cut[n], want[n], rtol=0, atol=1e-15) for n in want)
    assert max(np.abs(cut[n] - full[n]).max() for n in cut) > 1e-3  # the cuts matter
