"""Gradient check of the gated cells: BPTT against central finite differences in float64."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnn.cells import run_cell
from rnn.gated_params import GatedParams
from rnn.gradcheck import relative_errors


def gated_numerical_gradients(
    params: GatedParams, X: np.ndarray, y: np.ndarray,
    h0: np.ndarray | None = None, cell0: np.ndarray | None = None, eps: float = 1e-4,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, np.ndarray]:
    """dL/dp for every entry of every parameter, of h0 and (LSTM) of cell0.

    The five-point central stencil (L(p-2e) - 8 L(p-e) + 8 L(p+e) - L(p+2e)) / 12e, as
    ``rnn.gradcheck``: only the forward loss is read, never the backward pass.
    ``on_progress`` is told how many entries are done, about a hundred times in all.
    """
    H = params.hidden_size
    states = {"h0": np.zeros(H) if h0 is None else np.asarray(h0, dtype=np.float64)}
    if params.kind == "lstm":
        states["cell0"] = np.zeros(H) if cell0 is None else np.asarray(cell0, dtype=np.float64)
    weights = {2: -1.0, 1: 8.0, -1: -8.0, -2: 1.0}

    def shifted_loss(name: str, idx: tuple, k: int) -> float:
        p, s = params.copy(), {key: v.copy() for key, v in states.items()}
        target = s[name] if name in s else getattr(p, name)
        target[idx] += k * eps
        return run_cell(p.kind, p, X, y, s["h0"], s.get("cell0")).loss

    out = {}
    done, total_entries = 0, gated_entries(params)
    every = max(1, total_entries // 100)
    for name in (*params.names, *states):
        base = states[name] if name in states else getattr(params, name)
        grad = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            total = sum(w * shifted_loss(name, idx, k) for k, w in weights.items())
            grad[idx] = total / (12 * eps)
            done += 1
            if on_progress and (done % every == 0 or done == total_entries):
                on_progress(done)
        out[name] = grad
    return out


def gated_entries(params: GatedParams) -> int:
    """How many entries a gradient check perturbs: every parameter entry, h0 (and cell0)."""
    states = 2 if params.kind == "lstm" else 1
    return sum(v.size for v in params.as_dict().values()) + states * params.hidden_size


def gated_gradient_check(
    params: GatedParams, X, y, h0=None, cell0=None, on_progress=None
) -> dict[str, float]:
    """Max relative error per parameter (and h0, cell0) between BPTT and finite differences.

    Same definition as ``rnn.gradcheck.relative_errors``: |a - n| / max(|a| + |n|, 1e-3).
    """
    analytic = run_cell(params.kind, params, X, y, h0, cell0).grads
    numeric = gated_numerical_gradients(params, X, y, h0, cell0, on_progress=on_progress)
    return relative_errors(analytic, numeric)
