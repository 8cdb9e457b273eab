"""Gradient check: every analytic gradient against central finite differences in float64."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnn.cells import Params
from rnn.engine import check_inputs, run
from rnn.network import NetworkParams, Shape, run_network, suffix


def gradient_entries(params: Params) -> int:
    """How many entries a gradient check perturbs: every parameter entry and every state
    before step 1 (h0, and each other state the cell declares; of every layer direction)."""
    states = len(params.spec.states) * len(getattr(params, "shape", Shape()).slots)
    return sum(v.size for v in params.as_dict().values()) + states * params.hidden_size


def stencil_gradients(
    arrays: dict[str, np.ndarray], loss: Callable[[], float], eps: float = 1e-4,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, np.ndarray]:
    """d loss / d every entry of ``arrays``, by central finite differences.

    ``arrays`` are the working copies ``loss()`` reads: each entry is shifted in place and put
    back. The five-point central stencil (L(p-2e) - 8 L(p-e) + 8 L(p+e) - L(p+2e)) / 12e has a
    truncation error of order e^4, so e can stay large enough to keep rounding noise small.
    ``on_progress`` is told how many entries are done, about a hundred times in all.
    """
    weights = {2: -1.0, 1: 8.0, -1: -8.0, -2: 1.0}
    out = {}
    done, total = 0, sum(a.size for a in arrays.values())
    every = max(1, total // 100)
    for name, array in arrays.items():
        grad = np.zeros_like(array)
        for idx in np.ndindex(array.shape):
            original = array[idx]
            diff = 0.0
            for k, w in weights.items():
                array[idx] = original + k * eps
                diff += w * loss()
            array[idx] = original
            grad[idx] = diff / (12 * eps)
            done += 1
            if on_progress and (done % every == 0 or done == total):
                on_progress(done)
        out[name] = grad
    return out


def numerical_gradients(
    params: Params, X: np.ndarray, y: np.ndarray, state0=None, *, eps: float = 1e-4,
    on_progress: Callable[[int], None] | None = None, **starts: np.ndarray,
) -> dict[str, np.ndarray]:
    """dL/dp for every entry of every parameter and of every state before step 1 (``h0``,
    ``cell0``...: each state the cell declares, given as ``rnn.engine.run`` takes them) by
    central finite differences (``stencil_gradients``). Independent of the backward pass:
    only the forward loss is read.
    """
    p = params.copy()
    if isinstance(params, NetworkParams):  # every layer direction's states, zeros if not given
        given = state0 or {}
        H = params.hidden_size
        states = {f"{n}0{suffix(*slot)}": np.array(given.get(slot, {}).get(n, np.zeros(H)),
                                                     dtype=np.float64)
                  for slot in params.shape.slots for n in params.spec.states}

        def loss() -> float:
            return run_network(p, X, y, _network_starts(params, states)).loss

        return stencil_gradients({**p.as_dict(), **states}, loss, eps, on_progress)
    _, _, start = check_inputs(params, X, y, state0, **starts)
    states = {f"{name}0": value.copy() for name, value in start.items()}
    arrays = {**p.as_dict(), **states}
    return stencil_gradients(arrays, lambda: run(p, X, y, **states).loss, eps, on_progress)


def relative_errors(analytic: dict, numeric: dict) -> dict[str, float]:
    """Max over entries of |a - n| / max(|a| + |n|, 1e-3) for each parameter.

    The floor keeps entries whose gradient is ~0 from dividing rounding noise (~1e-10 at
    eps=1e-4) by nothing: below it the check is an absolute one (1e-6 * 1e-3 = 1e-9);
    above it, the usual relative error.
    """
    out = {}
    for name, n in numeric.items():
        a = analytic[name]
        out[name] = float(np.max(np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), 1e-3)))
    return out


def gradient_check(params: Params, X, y, state0=None, *, on_progress=None,
                   **starts) -> dict[str, float]:
    """Max relative error per parameter (and initial state) between BPTT and finite
    differences, for any cell."""
    numeric = numerical_gradients(params, X, y, state0, on_progress=on_progress, **starts)
    if isinstance(params, NetworkParams):
        return relative_errors(run_network(params, X, y, state0).grads, numeric)
    return relative_errors(run(params, X, y, state0, **starts).grads, numeric)


def _network_starts(params: NetworkParams, states: dict) -> dict:
    """{(l, d): {state: array}} from the flat names ``h0_l0``, ``cell0_l1_reverse``."""
    return {slot: {n: states[f"{n}0{suffix(*slot)}"] for n in params.spec.states}
            for slot in params.shape.slots}
