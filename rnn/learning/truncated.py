"""Truncated BPTT, min-char-rnn style: windows of K steps, one parameter update per window."""

from __future__ import annotations

import numpy as np

from rnn.cells import Params
from rnn.engine import given_states, run
from rnn.errors import UnrolledError
from rnn.learning.optim import Optimizer
from rnn.network import NetworkParams, NetworkTrace, check_network_inputs, run_network
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

    A network (``NetworkParams``) of any shape: ``state0`` is {(layer, direction): states};
    see ``cuts`` for where its losses are and ``next_starts`` for where each window starts.
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
                     state0=None) -> list[NetworkTrace]:
    """Windows of a network of any shape, one update after each window that has a loss; a
    window without one leaves the parameters, and the optimiser's moments, where they were
    (``update`` None)."""
    X, y = check_network_inputs(params, X, y)  # the label too, before any window runs
    traces, state = [], state0
    for start, stop, targets in cuts(params, y, len(X), window):
        trace = run_network(params, X[start:stop], targets, state)
        if trace.losses.size:
            trace.update = optimizer.step(params, trace.grads)
            params = trace.update.params_after
        trace.extra["window"] = {"start": start + 1, "stop": stop}
        traces.append(trace)
        state = next_starts(trace, state0)
    return traces


def cuts(params: NetworkParams, y, T: int, window: int):
    """Each network window's (start, stop, targets), 0-based, stop exclusive: a loss at every
    step has its own targets; one label per sequence is read after the last step, so only the
    last window has it (None before: no label)."""
    for start in range(0, T, window):
        stop = min(start + window, T)
        if params.shape.task == "every":
            yield start, stop, y[start:stop]
        else:
            yield start, stop, y if stop == T else None


def next_starts(trace: NetworkTrace, state0=None) -> dict:
    """Where a network's next window starts, by (layer, direction), as constants.

    A forward direction goes on from this window's final states. A backward direction reads
    each window from its end, and what lies after the cut has not been read yet: it starts
    every window from ``state0``'s states (zeros where none are given), as at the
    sequence's end.
    """
    given = state0 or {}
    return {(l, d): final_states(tr) if d == 0 else dict(given.get((l, d), {}))
            for (l, d), tr in trace.layers.items()}


def given_start(params: Params, state0=None, starts: dict | None = None) -> dict:
    """The states a caller gave, by name, checked against the cell (absent: zeros later)."""
    return {p: v for p, v in given_states(params.spec, state0, starts).items() if v is not None}


def final_states(trace: Trace) -> dict[str, np.ndarray]:
    """Every state after the trace's last step, by name: where the next window starts."""
    return {p: trace.states(p)[-1].copy() for p in trace.spec.states}
