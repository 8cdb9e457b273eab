"""The LSTM as a cell: torch's ``LSTMCell`` (gate blocks i, f, g, o; two biases).

The output gate is written og here, since o(t) is the output layer's logits::

    pre(t) = W_ih x(t) + b_ih + W_hh h(t-1) + b_hh          split into blocks i, f, g, og
    i(t) = sigmoid(pre_i)   f(t) = sigmoid(pre_f)   g(t) = tanh(pre_g)   og(t) = sigmoid(pre_og)
    cell(t) = f(t) * cell(t-1) + i(t) * g(t)      h(t) = og(t) * tanh(cell(t))

Backward, with dL/dh(t) and dL/dcell(t) each the sum of two recorded parts::

    dL/dh(t) = V^T dL/do(t) + W_hh^T dL/dpre(t+1)
    dL/dcell(t) = dL/dh(t) * og(t) * (1 - tanh(cell(t))^2) + dL/dcell(t+1) * f(t+1)
    dL/dpre_i = dL/dcell * g * i (1 - i)        dL/dpre_f = dL/dcell * cell(t-1) * f (1 - f)
    dL/dpre_g = dL/dcell * i * (1 - g^2)        dL/dpre_og = dL/dh * tanh(cell) * og (1 - og)
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from rnn.cells.base import Part, Sum
from rnn.cells.gated import GatedCell, sigmoid

# Added to the forget gate's bias at initialisation unless told otherwise, by every command and
# scene: torch starts at 0, so f(t) is about 0.5 and an error halves at each step back along the
# cell state; 1 starts f near sigmoid(1) = 0.73, so errors last long enough to be seen, and
# learning long dependencies starts sooner (Jozefowicz et al. 2015; Keras' unit_forget_bias).
FORGET_BIAS = 1.0


class LSTM(GatedCell):
    name = "lstm"
    title = "LSTM"
    called = "an LSTM"
    gates = ("i", "f", "g", "o")
    states = ("h", "cell")
    keep_gate = "f"  # cell(t) = f * cell(t-1) + ...
    table_states = (("cell(t)", "cell"), ("f(t)", "gate_f"))
    table_errors = (("dL/dcell(t)", "dL_dcell"),)
    parts = (Part("pre", blocks=True), Part("gates", blocks=True), Part("cell"),
             Part("dL_dcell", backward=True), Part("dL_dcell_from_h", backward=True),
             Part("dL_dcell_from_next", backward=True),
             Part("dL_dpre", blocks=True, backward=True))
    init_options = ("forget_bias",)
    init_defaults = MappingProxyType({"forget_bias": FORGET_BIAS})
    equations = "cell(t) = f ⊙ cell(t−1) + i ⊙ g      h(t) = o ⊙ tanh(cell(t))"
    error_equations = ("∂L/∂h(t) = from L(t) + from h(t+1)      ∂L/∂cell(t) = through h(t) + "
                       "∂L/∂cell(t+1) ⊙ f(t+1)")
    anatomy = ("the cell state runs along the top, the gates i, f, g and o below it, and h(t) "
               "under them")
    step_words = ("x({t}) and h({p}) open the gates; f keeps part of the old cell, i adds g, "
                  "and o lets h({t}) out")
    state_words = MappingProxyType({"h": "h", "cell": "the cell state"})
    gradient_equations = ("∇W_ih = Σ_t δ(t) x(t)ᵀ      ∇W_hh = Σ_t δ(t) h(t−1)ᵀ      "
                          "∇b = Σ_t δ(t)      ∇V = Σ_t ∂L/∂o(t) h(t)ᵀ      (δ = ∂L/∂gates)")
    error_parts = MappingProxyType({
        "h": GatedCell.error_parts["h"],
        "cell": (("dL_dcell_from_h", "through h({t}): "),
                 ("dL_dcell_from_next", "+ cell({n})·f({n}): "))})
    carry_words = MappingProxyType({"cell": "dL/dcell({t}) adds dL/dcell({n}) times f({n})"})
    tanh_gates = ("g",)
    own_sums = MappingProxyType({"cell": Sum("cell", ("f * cell@p", "i * g")),
                                   "h": Sum("h", ("o * tanh(cell)",))})
    columns = ("x", "gates", "pre", "h", "cell", "o", "yhat", "loss", "dL_do", "dL_dh",
               "dL_dh_from_output", "dL_dh_from_next", "dL_dcell", "dL_dcell_from_h",
               "dL_dcell_from_next", "gate_errors")

    def init(self, D, H, K, seed, forget_bias=FORGET_BIAS, **options):
        """torch's draw; ``forget_bias`` is added to the forget gate's b_hh block: 1.0 keeps
        the forget gate near sigmoid(1) = 0.73 at the start, so errors fade slower
        (Jozefowicz et al. 2015)."""
        arrays = super().init(D, H, K, seed, **options)
        arrays["b_hh"][H:2 * H] += forget_bias
        return arrays

    # Forward ---------------------------------------------------------------------------
    def begin_forward(self, params, X, rec):
        T, H = len(X), params.hidden_size
        # the input part of every step is one matmul; the recurrence is sequential
        rec["pre"] = (X @ params.W_ih.T + (params.b_ih + params.b_hh)).reshape(T, 4, H)
        rec["gates"] = np.empty((T, 4, H))
        rec["tanh_cell"] = np.empty((T, H))  # kept for the backward pass, not recorded
        return {}

    def step(self, params, ctx, rec, t, prev):
        pre, gates, cell = rec["pre"], rec["gates"], rec["cell"]
        H = cell.shape[1]
        pre[t] += (params.W_hh @ prev["h"]).reshape(4, H)
        gates[t] = sigmoid(pre[t])
        gates[t, 2] = np.tanh(pre[t, 2])  # g is the only tanh gate
        i, f, g, og = gates[t]
        cell[t] = f * prev["cell"] + i * g
        rec["tanh_cell"][t] = np.tanh(cell[t])
        rec["h"][t] = og * rec["tanh_cell"][t]

    # Backward --------------------------------------------------------------------------
    def begin_backward(self, params, rec, state0):
        gates, cell = rec["gates"], rec["cell"]
        # the forward pass's tanh(cell(t)) when there is one; a loaded trace takes it anew
        tanh_cell = rec["tanh_cell"] if "tanh_cell" in rec else np.tanh(cell)
        i, f, g, og = (gates[:, k] for k in range(4))  # (T, H) each
        cell_before = np.vstack([state0["cell"][None, :], cell[:-1]])  # (T, H) cell(t-1)
        return {
            "keep": f,  # (T, H) d cell(t) / d cell(t-1)
            "dcell_dh": og * (1.0 - tanh_cell * tanh_cell),  # (T, H)
            "through_cell": np.stack(  # (T, 3, H) d cell(t) / d pre of i, f, g
                [g * i * (1.0 - i), cell_before * f * (1.0 - f), i * (1.0 - g * g)], axis=1),
            "through_h": tanh_cell * og * (1.0 - og),  # (T, H) d h(t) / d pre_og
        }

    def back_step(self, params, back, t, err):
        # the two parts of dL/dcell(t), the errors at the gates' pre-activations, then back
        # through W_hh to h(t-1) and through the forget gate to cell(t-1)
        Eh = err["h"]  # (..., H)
        lead, H = Eh.shape[:-1], Eh.shape[-1]
        from_h = Eh * back["dcell_dh"][t]
        Ec = from_h + err["cell"]
        dpre = np.empty((*lead, 4, H))
        dpre[..., :3, :] = Ec[..., None, :] * back["through_cell"][t]
        dpre[..., 3, :] = Eh * back["through_h"][t]
        inside = {"dL_dcell_from_h": from_h, "dL_dcell": Ec, "dL_dpre": dpre}
        return inside, {"h": dpre.reshape(*lead, 4 * H) @ params.W_hh,
                        "cell": Ec * back["keep"][t]}

    # Gradients -------------------------------------------------------------------------
    def recurrent_error(self, trace) -> np.ndarray:
        return trace.dL_dpre  # both biases and W_hh see the gates' own errors
