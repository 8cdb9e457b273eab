"""From a text, a cell type, sizes and a seed to a gated model (LSTM or GRU) and its data.

The gated counterpart of ``rnn.model.text_model``: next-character prediction on one text,
parameters drawn as torch draws them (``rnn.gated_params.init_gated_params``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnn.cells import run_cell
from rnn.data import Vocabulary, char_sequence
from rnn.errors import UnrolledError
from rnn.gated_params import GATES, GatedParams, init_gated_params
from rnn.gated_trace import GatedTrace
from rnn.gated_truncated import run_gated_truncated, run_gated_update
from rnn.limits import MAX_VOCAB, check_range, check_text, check_trace_size
from rnn.model import DEFAULT_TEXT
from rnn.optim import Optimizer


@dataclass
class GatedTextModel:
    """An LSTM or GRU and the next-character data of one text."""

    cell: str  # "lstm" or "gru"
    params: GatedParams
    vocabulary: Vocabulary
    text: str
    X: np.ndarray  # (T, D) one-hot inputs
    y: np.ndarray  # (T,) target indices
    forget_bias: float  # added to the LSTM's forget-gate bias at initialisation (0 for GRU)
    seed: int

    def trace(self, optimizer: Optimizer | None = None) -> GatedTrace:
        """One forward and full BPTT pass from zero initial state(s); with ``optimizer``, one
        renewal of the parameters recorded in ``trace.update``."""
        if optimizer is None:
            trace = run_cell(self.cell, self.params, self.X, self.y)
        else:
            trace = run_gated_update(self.params, self.X, self.y, None, None, optimizer)
        return self._label(trace)

    def windows(self, window: int, optimizer: Optimizer | None = None) -> list[GatedTrace]:
        """Truncated BPTT over windows of ``window`` steps, one renewal per window."""
        traces = run_gated_truncated(self.params, self.X, self.y, window,
                                     optimizer or Optimizer())
        return [self._label(t) for t in traces]

    def check_size(self, window: int | None = None, as_json: bool = False) -> None:
        """Refuse, before allocating, a run that would need more memory than the limit."""
        T, D = self.X.shape
        check_trace_size(T, self.params.hidden_size, self.params.output_size, D, window,
                         as_json, cell=self.cell)

    def _label(self, trace: GatedTrace) -> GatedTrace:
        trace.vocabulary = self.vocabulary
        trace.extra.update(text=self.text, forget_bias=self.forget_bias, seed=self.seed)
        return trace


def gated_text_model(
    text: str = DEFAULT_TEXT,
    cell: str = "lstm",
    hidden: int = 3,
    seed: int = 0,
    forget_bias: float = 0.0,
    weights: str | Path | None = None,
    vocabulary: Vocabulary | None = None,
) -> GatedTextModel:
    """A deterministic LSTM or GRU for ``text``: same arguments, same bytes.

    ``forget_bias`` (LSTM only) is added to the forget gate's bias: 0 is torch's default,
    1 the remedy of Jozefowicz et al. (2015) for errors that fade too fast. With ``weights``
    (a checkpoint of the same cell), the parameters and vocabulary come from it.
    """
    if cell not in GATES:
        raise UnrolledError(f"cell must be one of {', '.join(GATES)}, got {cell!r}")
    check_text(text)
    check_range("seed", seed)
    check_range("forget_bias", float(forget_bias))
    if vocabulary is not None and len(vocabulary) > MAX_VOCAB:
        raise UnrolledError(f"a vocabulary of {len(vocabulary)}; at most {MAX_VOCAB} characters")
    if weights is not None:
        from rnn.checkpoint import load_checkpoint

        params, vocabulary, meta = load_checkpoint(weights, cell)
        vocabulary, X, y = char_sequence(text, vocabulary)
        bias = meta.get("forget_bias", 0.0) if isinstance(meta, dict) else 0.0
        bias = float(bias) if isinstance(bias, (int, float)) else 0.0
        return GatedTextModel(cell, params, vocabulary, text, X, y, bias, seed)
    check_range("hidden", hidden)
    vocabulary, X, y = char_sequence(text, vocabulary)
    if len(vocabulary) > MAX_VOCAB:
        raise UnrolledError(f"the text has {len(vocabulary)} distinct characters; "
                            f"at most {MAX_VOCAB} are accepted")
    params = init_gated_params(cell, len(vocabulary), hidden, len(vocabulary), seed,
                               forget_bias=float(forget_bias))
    return GatedTextModel(cell, params, vocabulary, text, X, y, float(forget_bias), seed)


def cell_step(trace: GatedTrace, t: int) -> dict:
    """Everything a one-step cell diagram shows at step ``t`` (1-based), read from ``trace``.

    Beside ``trace.step(t)``: ``gates`` and ``gate_errors`` by name, ``h_prev`` (and
    ``cell_prev``), what goes back to h(t-1) (``to_h_prev``) and, for the LSTM, to cell(t-1)
    (``to_cell_prev`` = dL/dcell(t) * f(t)); for the GRU ``direct`` = z(t) * dL/dh(t), the
    part of that error which skips the gates. ``error_scale`` is the largest error magnitude
    shown, for one colour scale across the step.
    """
    step = trace.step(t)  # checks 1 <= t <= T
    i = t - 1
    out = dict(step)
    out["h_prev"] = trace.h_prev[i]
    out["gates"] = {name: step[f"gate_{name}"] for name in trace.gate_names}
    out["gate_errors"] = {name: step[f"dL_dpre_{name}"] for name in trace.gate_names}
    out["to_h_prev"] = trace.dL_dh_from_next[i - 1] if t > 1 else trace.dL_dh0
    shown = [step["dL_dh"], step["dL_dh_from_output"], step["dL_dh_from_next"],
             out["to_h_prev"], *out["gate_errors"].values()]
    if trace.kind == "lstm":
        out["cell_prev"] = trace.cell_prev[i]
        out["to_cell_prev"] = trace.dL_dcell_from_next[i - 1] if t > 1 else trace.dL_dcell0
        shown += [step["dL_dcell"], step["dL_dcell_from_h"], step["dL_dcell_from_next"],
                  out["to_cell_prev"]]
    else:
        out["direct"] = trace.gate("z")[i] * step["dL_dh"]
        shown.append(out["direct"])
    finite = np.abs(np.concatenate(shown))
    finite = finite[np.isfinite(finite)]
    out["error_scale"] = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    if trace.vocabulary is not None:
        out["x_char"] = trace.vocabulary.chars[int(trace.input_ids()[i])]
        out["target_char"] = trace.vocabulary.chars[step["target"]]
    return out
