"""The peephole LSTM as a cell (Gers and Schmidhuber 2000; the "vanilla LSTM" of Greff et al.
2017): the LSTM whose input and forget gates also see cell(t-1), and whose output gate sees
cell(t), each through a diagonal peephole weight (one number per unit)::

    pre(t) = W_ih x(t) + b_ih + W_hh h(t-1) + b_hh          split into blocks i, f, g, og
    i(t) = sigmoid(pre_i + p_i * cell(t-1))     f(t) = sigmoid(pre_f + p_f * cell(t-1))
    g(t) = tanh(pre_g)                          cell(t) = f(t) * cell(t-1) + i(t) * g(t)
    og(t) = sigmoid(pre_og + p_o * cell(t))     h(t) = og(t) * tanh(cell(t))

The recorded ``pre`` holds each gate's whole pre-activation, peephole included, so a gate is
always the activation of its ``pre``. ``W_ih``, ``W_hh``, ``b_ih`` and ``b_hh`` are the LSTM's
(torch's gate order i, f, g, o). The peephole weights are one parameter ``P`` of shape (3H,)
in ONNX's order i, o, f: ONNX's LSTM operator carries them as its input P, (directions, 3H),
so one direction's row is this ``P`` as it is.

Backward, with dL/dh(t) and dL/dcell(t) each the sum of two recorded parts; the peepholes add
one path within the step (h(t) -> og(t) -> cell(t)) and two between steps (cell(t-1) -> i(t),
f(t))::

    dL/dpre_og = dL/dh * tanh(cell) * og (1 - og)
    dL/dcell(t) = dL/dh(t) * og (1 - tanh(cell)^2) + p_o * dL/dpre_og(t)         (through h)
                + dL/dcell(t+1) * f(t+1) + p_i * dL/dpre_i(t+1) + p_f * dL/dpre_f(t+1)
    dL/dpre_i, dL/dpre_f, dL/dpre_g: as the LSTM's        dL/dP = sum_t (dL/dpre_i(t) *
    cell(t-1), dL/dpre_og(t) * cell(t), dL/dpre_f(t) * cell(t-1))
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import numpy as np

from rnn.cells.gated import sigmoid
from rnn.cells.lstm import LSTM


class PeepholeLSTM(LSTM):
    name = "peephole"
    title = "peephole LSTM"
    called = "a peephole LSTM"
    article = "a"
    param_names = ("W_ih", "W_hh", "b_ih", "b_hh", "P", "V", "c")
    peepholes = ("i", "o", "f")  # the blocks of P, in ONNX's order
    gate_reads = MappingProxyType({"i": ("cell@p",), "f": ("cell@p",), "o": ("cell",)})
    equations = ("i, f see cell(t−1), o sees cell(t)      cell(t) = f ⊙ cell(t−1) + i ⊙ g      "
                 "h(t) = o ⊙ tanh(cell(t))")
    error_equations = ("∂L/∂h(t) = from L(t) + from h(t+1)      ∂L/∂cell(t) = through h(t) and "
                       "o(t) + through cell(t+1), i(t+1) and f(t+1)")
    # P's blocks meet the cell state each gate sees: cell(t-1) for i and f, cell(t) for o
    gradient_equations = ("∇W_ih = Σ_t δ(t) x(t)ᵀ      ∇W_hh = Σ_t δ(t) h(t−1)ᵀ      "
                          "∇P_i,f = Σ_t δ_i,f(t) ⊙ cell(t−1)      ∇P_o = Σ_t δ_o(t) ⊙ cell(t)      "
                          "∇V = Σ_t ∂L/∂o(t) h(t)ᵀ")
    anatomy = ("the cell state runs along the top, the gates i, f, g and o below it, and h(t) "
               "under them; i and f look at cell(t−1), o at cell(t)")
    step_words = ("x({t}), h({p}) and cell({p}) open the gates; f keeps part of the old cell, "
                  "i adds g, and o, seeing the new cell, lets h({t}) out")
    error_parts = MappingProxyType({
        "h": LSTM.error_parts["h"],
        "cell": (("dL_dcell_from_h", "through h({t}) and o({t}): "),
                 ("dL_dcell_from_next", "+ from step {n}: "))})
    carry_words = MappingProxyType({"cell": "dL/dcell({t}) adds what dL/dcell({n}) sends back "
                                            "through f({n}) and the peepholes of i and f"})

    @property
    def sums(self):
        """The LSTM's, each peephole gate's pre-activation with one more term: P's block (in
        ONNX's order) times the cell state it sees."""
        sums = dict(super().sums)
        for k, g in enumerate(self.peepholes):
            seen, = self.gate_reads[g]
            sums[g] = replace(sums[g], terms=(*sums[g].terms, f"P[{k}] * {seen}"))
        return sums

    @property
    def layout(self) -> str:
        return super().layout.replace(", V (K, H)", ", P (3H,), V (K, H)")

    def param_shapes(self, D, H, K):
        shapes = super().param_shapes(D, H, K)
        return {name: shapes.get(name, (3 * H,)) for name in self.param_names}

    def init(self, D, H, K, seed, **options):
        """The LSTM's arrays, then the peepholes ~ uniform(-1/sqrt(H), 1/sqrt(H)) from a stream
        of their own: the other arrays are those of an LSTM of the same seed."""
        arrays = super().init(D, H, K, seed, **options)
        bound = 1.0 / np.sqrt(H)
        arrays["P"] = np.random.default_rng((seed, 3)).uniform(-bound, bound, 3 * H)
        return {name: arrays[name] for name in self.param_names}

    def peephole(self, P: np.ndarray, gate: str) -> np.ndarray:
        """Gate ``gate``'s (H,) block of the peephole weights ``P`` (a view)."""
        k = self.peepholes.index(gate)
        H = len(P) // 3
        return P[k * H:(k + 1) * H]

    # Forward ---------------------------------------------------------------------------
    def begin_forward(self, params, X, rec):
        ctx = super().begin_forward(params, X, rec)
        ctx.update({g: self.peephole(params.P, g) for g in self.peepholes})
        return ctx

    def step(self, params, ctx, rec, t, prev):
        pre, gates, cell = rec["pre"], rec["gates"], rec["cell"]
        H = cell.shape[1]
        cell_prev = prev["cell"]
        pre[t] += (params.W_hh @ prev["h"]).reshape(4, H)
        pre[t, 0] += ctx["i"] * cell_prev  # i and f look at the cell state they change
        pre[t, 1] += ctx["f"] * cell_prev
        gates[t, :2] = sigmoid(pre[t, :2])
        gates[t, 2] = np.tanh(pre[t, 2])
        i, f, g = gates[t, :3]
        cell[t] = f * cell_prev + i * g
        pre[t, 3] += ctx["o"] * cell[t]  # o looks at the new one
        gates[t, 3] = sigmoid(pre[t, 3])
        rec["tanh_cell"][t] = np.tanh(cell[t])
        rec["h"][t] = gates[t, 3] * rec["tanh_cell"][t]

    # Backward --------------------------------------------------------------------------
    def begin_backward(self, params, rec, state0):
        # The LSTM's step backward as it is: the peepholes only add to two of its factors,
        # what reaches cell(t) per unit of dL/dh(t) (also through og(t)) and what cell(t-1)
        # receives per unit of dL/dcell(t) (also through i(t) and f(t))
        back = super().begin_backward(params, rec, state0)
        p_i, p_o, p_f = (self.peephole(params.P, g) for g in self.peepholes)
        through_i, through_f = back["through_cell"][:, 0], back["through_cell"][:, 1]
        back["dcell_dh"] = back["dcell_dh"] + p_o * back["through_h"]
        back["keep"] = back["keep"] + p_i * through_i + p_f * through_f
        return back

    # Gradients -------------------------------------------------------------------------
    def factors(self, trace, name):
        if name != "P":
            return super().factors(trace, name)
        cell_prev, cell = trace.previous("cell"), trace.parts["cell"]
        seen = {"i": cell_prev, "o": cell, "f": cell_prev}  # the cell state each gate sees
        return np.concatenate([trace.gate_error(g) * seen[g] for g in self.peepholes], axis=1)

    def grads(self, trace):
        out = super().grads(trace)
        with np.errstate(all="ignore"):
            out["P"] = self.factors(trace, "P").sum(axis=0)  # (3H,)
        return {name: out[name] for name in self.param_names}
