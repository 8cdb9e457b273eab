"""Truncated BPTT, min-char-rnn style: windows of K steps, one parameter update per window."""

from __future__ import annotations

import numpy as np

from rnn.cells import Params
from rnn.engine import given_states, run
from rnn.errors import UnrolledError
from rnn.learning.optim import Optimizer
from rnn.network import NetworkParams, run_network
from rnn.trace import Trace


def run_update(params: Params, X, y, state0, optimizer: Optimizer) -> Trace:
    """Full BPTT over one sequence from the states ``state0`` (by name, as ``rnn.engine.run``
    takes them) followed by one update, recorded in ``trace.update``."""
    trace = run(params, X, y, state0)
    trace.update = optimizer.step(params, trace.grads)
    return trace


def run_truncated(
    params: Params,
    X: np.ndarray,
    y: np.ndarray,
    window: int,
    optimizer: Optimizer,
    state0=None,
    **starts: np.ndarray,
) -> list[Trace]:
    """Cut the sequence into consecutive windows of ``window`` steps and learn window by window.

    The first window starts from ``state0`` (or ``h0=``, ``cell0=``...: see
    ``rnn.engine.run``); each next one from the previous window's final states, every state
    the cell declares, taken as constants: no error crosses a cut. BPTT runs inside the
    window, then the parameters are updated once. With ``window >= T`` this is one full BPTT
    pass.
    """
    if window <= 0:
        raise UnrolledError(f"window must be a positive number of steps, got {window}")
    if isinstance(params, NetworkParams):
        return _network_windows(params, X, y, window, optimizer, state0)
    traces = []
    state = given_start(params, state0, starts)
    for start in range(0, len(X), window):
        stop = min(start + window, len(X))
        trace = run_update(params, X[start:stop], y[start:stop], state, optimizer)
        trace.extra["window"] = {"start": start + 1, "stop": stop}  # 1-based, inclusive
        traces.append(trace)
        state = final_states(trace)  # carried forward as constants
        params = trace.update.params_after
    return traces


def _network_windows(params: NetworkParams, X, y, window: int, optimizer: Optimizer,
                     state0=None) -> list:
    """Windows of a stacked network: every layer's final states start the next window, as
    constants. A two-way layer has no state to carry forward in time, and one label per
    sequence has one loss at the end: both are refused in one line."""
    if params.shape.bidirectional:
        raise UnrolledError("truncated BPTT carries states forward in time; a bidirectional "
                            "network also reads each window from its end: leave --window out")
    if params.shape.task != "every":
        raise UnrolledError("truncated BPTT needs a loss in every window; one label per "
                            "sequence has one, after the last step: leave --window out")
    traces, state = [], state0
    for start in range(0, len(X), window):
        stop = min(start + window, len(X))
        trace = run_network(params, X[start:stop], y[start:stop], state)
        trace.update = optimizer.step(params, trace.grads)
        trace.extra["window"] = {"start": start + 1, "stop": stop}
        traces.append(trace)
        state = {slot: final_states(tr) for slot, tr in trace.layers.items()}
        params = trace.update.params_after
    return traces


def given_start(params: Params, state0=None, starts: dict | None = None) -> dict:
    """The states a caller gave, by name, checked against the cell (absent: zeros later)."""
    return {p: v for p, v in given_states(params.spec, state0, starts).items() if v is not None}


def final_states(trace: Trace) -> dict[str, np.ndarray]:
    """Every state after the trace's last step, by name: where the next window starts."""
    return {p: trace.states(p)[-1].copy() for p in trace.spec.states}
