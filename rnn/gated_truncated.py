"""Truncated BPTT for the gated cells: windows of K steps, one renewal per window.

The LSTM and GRU counterpart of ``rnn.truncated``: each window starts from the previous
window's last h (and, for the LSTM, its last cell state), taken as constants, so no error
crosses a cut.
"""

from __future__ import annotations

import numpy as np

from rnn.cells import run_cell
from rnn.errors import UnrolledError
from rnn.gated_params import GatedParams
from rnn.gated_trace import GatedTrace
from rnn.optim import Optimizer


def run_gated_update(params: GatedParams, X, y, h0, cell0, optimizer: Optimizer) -> GatedTrace:
    """Full BPTT over one sequence followed by one renewal, recorded in ``trace.update``."""
    trace = run_cell(params.kind, params, X, y, h0, cell0)
    trace.update = optimizer.step(params, trace.grads)
    return trace


def run_gated_truncated(
    params: GatedParams,
    X: np.ndarray,
    y: np.ndarray,
    window: int,
    optimizer: Optimizer,
    h0: np.ndarray | None = None,
    cell0: np.ndarray | None = None,
) -> list[GatedTrace]:
    """Cut the sequence into windows of ``window`` steps and learn window by window.

    h and the LSTM's cell state are carried across each cut as constants.
    """
    if window <= 0:
        raise UnrolledError(f"window must be a positive number of steps, got {window}")
    traces = []
    h, cell = h0, cell0
    for start in range(0, len(X), window):
        stop = min(start + window, len(X))
        trace = run_gated_update(params, X[start:stop], y[start:stop], h, cell, optimizer)
        trace.extra["window"] = {"start": start + 1, "stop": stop}  # 1-based, inclusive
        traces.append(trace)
        h = trace.h[-1].copy()  # carried forward as constants
        cell = None if trace.cell is None else trace.cell[-1].copy()
        params = trace.update.params_after
    return traces
