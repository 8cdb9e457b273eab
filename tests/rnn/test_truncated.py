"""Truncated BPTT: state carried across cuts, no error crossing them, one update per window."""

import numpy as np
import pytest

from rnn import Optimizer, UnrolledError, run, text_model
from rnn.traces.files import dumps

TEXT = "hello world, hello rnn"


@pytest.mark.parametrize("window", [21, 25, 100])
def test_window_at_least_T_equals_full_bptt(window):
    model = text_model(TEXT, hidden=4, seed=2)
    [only] = model.windows(window, Optimizer("sgd", 0.1))
    full = text_model(TEXT, hidden=4, seed=2).trace(Optimizer("sgd", 0.1))
    only.extra.pop("window")
    assert dumps(only) == dumps(full)


def test_windows_carry_state_and_update_once_each():
    model = text_model(TEXT, hidden=4, seed=2)
    windows = model.windows(5, Optimizer("sgd", 0.1))
    assert [len(w.X) for w in windows] == [5, 5, 5, 5, 1]
    assert [w.extra["window"]["start"] for w in windows] == [1, 6, 11, 16, 21]
    assert np.array_equal(windows[0].h0, np.zeros(4))
    for prev, nxt in zip(windows, windows[1:]):
        assert np.array_equal(nxt.h0, prev.h[-1])  # hidden state carried over the cut
        # the next window runs with the parameters updated once by the previous one
        for name in "UWVbc":
            assert np.array_equal(getattr(nxt.params, name),
                                  getattr(prev.update.params_after, name))
        assert not np.array_equal(prev.params.W, prev.update.params_after.W)  # it was updated


def test_no_error_crosses_a_cut():
    model = text_model(TEXT, hidden=4, seed=2)
    windows = model.windows(5, Optimizer("sgd", 0.1))
    w = windows[1]
    # Rerunning the same window with a different h0 would change a full-BPTT's earlier errors;
    # within a window the last step's error comes only from its own output
    assert np.all(w.dL_dh_from_next[-1] == 0)
    # the window's own BPTT equals an independent run on just its slice
    again = run(w.params, model.X[5:10], model.y[5:10], windows[0].h[-1])
    np.testing.assert_array_equal(again.dL_dh, w.dL_dh)
    # and differs from the full pass over the same steps, which also receives later errors
    full = run(w.params, model.X, model.y, None)
    assert not np.allclose(full.dL_dh[9], w.dL_dh[-1])


def test_bad_window():
    with pytest.raises(UnrolledError, match="window"):
        text_model().windows(0)
