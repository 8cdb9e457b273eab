"""Read-only views added to the Trace for the scenes."""

import numpy as np

from rnn import text_model


def test_cumulative_losses_grow_by_each_loss_term_and_end_at_the_total():
    trace = text_model("hello", hidden=3, seed=0).trace()
    cum = trace.cumulative_losses
    assert cum.shape == (trace.T,)
    assert cum[0] == trace.losses[0]
    np.testing.assert_allclose(np.diff(cum), trace.losses[1:])
    assert np.isclose(cum[-1], trace.loss)
