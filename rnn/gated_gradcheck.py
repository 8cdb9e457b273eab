"""Gradient check of the gated cells: BPTT against central finite differences in float64."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rnn.cells import run_cell
from rnn.gated_params import GatedParams
from rnn.gradcheck import relative_errors, stencil_gradients


def gated_numerical_gradients(
    params: GatedParams, X: np.ndarray, y: np.ndarray,
    h0: np.ndarray | None = None, cell0: np.ndarray | None = None, eps: float = 1e-4,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, np.ndarray]:
    """dL/dp for every entry of every parameter, of h0 and (LSTM) of cell0, by the stencil of
    ``rnn.gradcheck.stencil_gradients``: only the forward loss is read, never the backward pass.
    """
    H = params.hidden_size
    p = params.copy()
    states = {"h0": np.zeros(H) if h0 is None else np.array(h0, dtype=np.float64)}
    if params.kind == "lstm":
        states["cell0"] = np.zeros(H) if cell0 is None else np.array(cell0, dtype=np.float64)
    arrays = {**{name: getattr(p, name) for name in params.names}, **states}
    return stencil_gradients(
        arrays, lambda: run_cell(p.kind, p, X, y, states["h0"], states.get("cell0")).loss,
        eps, on_progress)


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
