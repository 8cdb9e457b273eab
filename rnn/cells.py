"""One door to every cell: ``run_cell("rnn" | "lstm" | "gru", ...)`` returns its trace."""

from __future__ import annotations

import numpy as np

from rnn.bptt import run
from rnn.errors import UnrolledError
from rnn.gated_params import GatedParams
from rnn.gated_trace import GatedTrace
from rnn.gru import run_gru
from rnn.lstm import run_lstm
from rnn.params import Params
from rnn.trace import Trace

CELLS = ("rnn", "lstm", "gru")


def run_cell(
    cell: str, params: Params | GatedParams, X: np.ndarray, y: np.ndarray,
    h0: np.ndarray | None = None, cell0: np.ndarray | None = None,
) -> Trace | GatedTrace:
    """Forward and full BPTT of ``cell`` over one sequence: a Trace ("rnn") or a GatedTrace.

    ``cell0`` is the LSTM's initial cell state; the other cells refuse one.
    """
    if cell not in CELLS:
        raise UnrolledError(f"cell must be one of {', '.join(CELLS)}, got {cell!r}")
    if cell == "rnn":
        if not isinstance(params, Params):
            raise UnrolledError("the simple RNN needs Params (U, W, V, b, c)")
        if cell0 is not None:
            raise UnrolledError("cell0 is the LSTM's initial cell state; the simple RNN has none")
        return run(params, X, y, h0)
    if not isinstance(params, GatedParams) or params.kind != cell:
        got = params.kind if isinstance(params, GatedParams) else "simple RNN"
        raise UnrolledError(f"cell {cell!r} needs {cell.upper()} parameters, got {got}")
    engine = run_lstm if cell == "lstm" else run_gru
    return engine(params, X, y, h0, cell0)
