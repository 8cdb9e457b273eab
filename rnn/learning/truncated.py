"""Truncated BPTT, min-char-rnn style: windows of K steps, one parameter update per window."""

from __future__ import annotations

import numpy as np

from rnn.cells import Params
from rnn.engine import run
from rnn.errors import UnrolledError
from rnn.learning.optim import Optimizer
from rnn.trace import Trace


def run_update(params: Params, X, y, h0, cell0, optimizer: Optimizer) -> Trace:
    """Full BPTT over one sequence followed by one update, recorded in ``trace.update``."""
    trace = run(params, X, y, h0, cell0)
    trace.update = optimizer.step(params, trace.grads)
    return trace


def run_truncated(
    params: Params,
    X: np.ndarray,
    y: np.ndarray,
    window: int,
    optimizer: Optimizer,
    h0: np.ndarray | None = None,
    cell0: np.ndarray | None = None,
) -> list[Trace]:
    """Cut the sequence into consecutive windows of ``window`` steps and learn window by window.

    Each window starts from the previous window's final states (h, and the LSTM's cell
    state), taken as constants: no error crosses a cut. BPTT runs inside the window, then the
    parameters are updated once. With ``window >= T`` this is one full BPTT pass.
    """
    if window <= 0:
        raise UnrolledError(f"window must be a positive number of steps, got {window}")
    traces = []
    state = {"h": h0, "cell": cell0}
    for start in range(0, len(X), window):
        stop = min(start + window, len(X))
        trace = run_update(params, X[start:stop], y[start:stop], state["h"], state["cell"],
                           optimizer)
        trace.extra["window"] = {"start": start + 1, "stop": stop}  # 1-based, inclusive
        traces.append(trace)
        # carried forward as constants
        state.update({p: trace.states(p)[-1].copy() for p in params.spec.states})
        params = trace.update.params_after
    return traces
