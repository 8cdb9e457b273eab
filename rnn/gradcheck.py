"""Gradient check: every analytic gradient against central finite differences in float64."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnn.bptt import run
from rnn.params import PARAM_NAMES, Params


def gradient_entries(params: Params) -> int:
    """How many entries a gradient check perturbs: every entry of U, W, V, b, c and h0."""
    return sum(v.size for v in params.as_dict().values()) + params.hidden_size


def numerical_gradients(
    params: Params, X: np.ndarray, y: np.ndarray, h0: np.ndarray | None = None, eps: float = 1e-4,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, np.ndarray]:
    """dL/dp for every entry of U, W, V, b, c and h0 by central finite differences.

    The five-point central stencil (L(p-2e) - 8 L(p-e) + 8 L(p+e) - L(p+2e)) / 12e has a
    truncation error of order e^4, so e can stay large enough to keep rounding noise small.
    Independent of the backward pass: only the forward loss is evaluated. ``on_progress`` is
    told how many entries are done, about a hundred times over the whole check.
    """
    h0 = np.zeros(params.hidden_size) if h0 is None else np.asarray(h0, dtype=np.float64)
    weights = {2: -1.0, 1: 8.0, -1: -8.0, -2: 1.0}

    def shifted_loss(name: str, idx: tuple, k: int) -> float:
        p, h = params.copy(), h0.copy()
        target = h if name == "h0" else getattr(p, name)
        target[idx] += k * eps
        return run(p, X, y, h).loss

    out = {}
    done, total = 0, gradient_entries(params)
    every = max(1, total // 100)
    for name in (*PARAM_NAMES, "h0"):
        base = h0 if name == "h0" else getattr(params, name)
        grad = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            diff = sum(w * shifted_loss(name, idx, k) for k, w in weights.items())
            grad[idx] = diff / (12 * eps)
            done += 1
            if on_progress and (done % every == 0 or done == total):
                on_progress(done)
        out[name] = grad
    return out


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


def gradient_check(params: Params, X, y, h0=None, on_progress=None) -> dict[str, float]:
    """Max relative error per parameter between BPTT and finite differences."""
    numeric = numerical_gradients(params, X, y, h0, on_progress=on_progress)
    return relative_errors(run(params, X, y, h0).grads, numeric)
