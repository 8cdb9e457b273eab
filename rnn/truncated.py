"""Truncated BPTT, min-char-rnn style: windows of K steps, one parameter renewal per window."""

from __future__ import annotations

import numpy as np

from rnn.bptt import run
from rnn.errors import UnrolledError
from rnn.optim import Optimizer
from rnn.params import Params
from rnn.trace import Trace


def run_update(params: Params, X, y, h0, optimizer: Optimizer) -> Trace:
    """Full BPTT over one sequence followed by one renewal, recorded in ``trace.update``."""
    trace = run(params, X, y, h0)
    trace.update = optimizer.step(params, trace.grads)
    return trace


def run_truncated(
    params: Params,
    X: np.ndarray,
    y: np.ndarray,
    window: int,
    optimizer: Optimizer,
    h0: np.ndarray | None = None,
) -> list[Trace]:
    """Cut the sequence into consecutive windows of ``window`` steps and learn window by window.

    Each window starts from the previous window's final hidden state, taken as a constant:
    no error crosses a cut. BPTT runs inside the window, then the parameters are renewed once.
    With ``window >= T`` this is one full BPTT pass.
    """
    if window <= 0:
        raise UnrolledError(f"window must be a positive number of steps, got {window}")
    traces = []
    h = h0
    for start in range(0, len(X), window):
        stop = min(start + window, len(X))
        trace = run_update(params, X[start:stop], y[start:stop], h, optimizer)
        trace.extra["window"] = {"start": start + 1, "stop": stop}  # 1-based, inclusive
        traces.append(trace)
        h = trace.h[-1].copy()  # carried forward as a constant
        params = trace.update.params_after
    return traces
