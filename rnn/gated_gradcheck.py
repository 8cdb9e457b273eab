"""Gradient check of the gated cells: BPTT against central finite differences in float64."""

from __future__ import annotations

import numpy as np

from rnn.cells import run_cell
from rnn.gated_params import GatedParams
from rnn.gradcheck import relative_errors


def gated_numerical_gradients(
    params: GatedParams, X: np.ndarray, y: np.ndarray,
    h0: np.ndarray | None = None, cell0: np.ndarray | None = None, eps: float = 1e-4,
) -> dict[str, np.ndarray]:
    """dL/dp for every entry of every parameter, of h0 and (LSTM) of cell0.

    The five-point central stencil (L(p-2e) - 8 L(p-e) + 8 L(p+e) - L(p+2e)) / 12e, as
    ``rnn.gradcheck``: only the forward loss is read, never the backward pass.
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
    for name in (*params.names, *states):
        base = states[name] if name in states else getattr(params, name)
        grad = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            total = sum(w * shifted_loss(name, idx, k) for k, w in weights.items())
            grad[idx] = total / (12 * eps)
        out[name] = grad
    return out


def gated_gradient_check(
    params: GatedParams, X, y, h0=None, cell0=None
) -> dict[str, float]:
    """Max relative error per parameter (and h0, cell0) between BPTT and finite differences.

    Same definition as ``rnn.gradcheck.relative_errors``: |a - n| / max(|a| + |n|, 1e-3).
    """
    analytic = run_cell(params.kind, params, X, y, h0, cell0).grads
    return relative_errors(analytic, gated_numerical_gradients(params, X, y, h0, cell0))
