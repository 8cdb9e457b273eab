"""Quantities behind the practical problems of BPTT: truncation, vanishing/exploding, clipping.

Read-only functions of Traces and Updates, so that scenes can show the numbers without
computing them.
"""

from __future__ import annotations

import numpy as np

from rnn.cells import Params
from rnn.engine import run
from rnn.errors import UnrolledError
from rnn.learning.optim import global_norm
from rnn.learning.truncated import cuts, final_states, given_start, next_starts
from rnn.network import NetworkParams, check_network_inputs, run_network
from rnn.trace import Trace, Update


# Truncation -------------------------------------------------------------------------------
def truncated_gradients(
    params: Params | NetworkParams, X: np.ndarray, y: np.ndarray, window: int, state0=None,
    **starts: np.ndarray,
) -> dict[str, np.ndarray]:
    """Gradients of the whole sequence when BPTT stops at every cut, parameters held fixed.

    The forward pass is the same as full BPTT (every state is carried over each cut); only
    the errors that would cross a cut are dropped. Comparable with ``run(...).grads``. The
    states before step 1 are given as ``rnn.engine.run`` takes them.

    A network (``NetworkParams``, ``state0`` by (layer, direction)) follows truncated
    training's rules (``rnn.learning.truncated``): its backward directions start every window
    afresh, and with one label per sequence only the last window has a loss, so the windows
    before it add nothing. Comparable with ``run_network(...).grads``.
    """
    if window <= 0:
        raise UnrolledError(f"window must be a positive number of steps, got {window}")
    total = {n: np.zeros_like(a) for n, a in params.as_dict().items()}
    if isinstance(params, NetworkParams):
        X, y = check_network_inputs(params, X, y)
        state = state0
        for start, stop, targets in cuts(params, y, len(X), window):
            piece = run_network(params, X[start:stop], targets, state)
            for n in total:
                total[n] += piece.grads[n]
            state = next_starts(piece, state0)
        return total
    state = given_start(params, state0, starts)
    for start in range(0, len(X), window):
        piece = run(params, X[start:start + window], y[start:start + window], state)
        for n in total:
            total[n] += piece.grads[n]  # each window's sum of contributions
        state = final_states(piece)  # the states are carried forward as constants
    return total


def gradient_difference(
    full: dict[str, np.ndarray], truncated: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """``full - truncated`` per parameter: what the errors crossing the cuts contributed."""
    return {n: full[n] - truncated[n] for n in truncated}


# Vanishing and exploding --------------------------------------------------------------------
def error_decay(trace: Trace, source: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """How the error of one loss term L(s) changes as it travels back in time.

    Returns
    -------
    distance
        (s,) ``s - t`` for t = s, s-1, ..., 1.
    log_norm
        (s,) log10 of the norm of dL(s)/dh(t) for the same t (-inf for an exact zero).
    """
    s = trace.T if source is None else source
    if not 1 <= s <= trace.T:
        raise UnrolledError(f"loss term L({s}) outside 1..{trace.T}")
    norms = trace.error_by_source_norms()[s - 1, :s][::-1]  # t = s .. 1
    with np.errstate(divide="ignore"):
        return np.arange(s, dtype=float), np.log10(norms)


# Clipping -----------------------------------------------------------------------------------
def parameter_step(params: Params, update: Update) -> dict[str, np.ndarray]:
    """The change one update made to each parameter: ``params_after - params``."""
    after = update.params_after.as_dict()
    with np.errstate(all="ignore"):
        return {n: after[n] - a for n, a in params.as_dict().items()}


def step_norm(params: Params, update: Update) -> float:
    """Global L2 norm of the parameter step of one update."""
    return global_norm(parameter_step(params, update))
