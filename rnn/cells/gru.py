"""The GRU as a cell: torch's ``GRUCell`` (gate blocks r, z, n; two biases).

r multiplies the recurrent part of n after the product with W_hn, not before (d2l's variant
differs)::

    r(t) = sigmoid(W_ir x(t) + b_ir + W_hr h(t-1) + b_hr)
    z(t) = sigmoid(W_iz x(t) + b_iz + W_hz h(t-1) + b_hz)
    hn(t) = W_hn h(t-1) + b_hn            n(t) = tanh(W_in x(t) + b_in + r(t) * hn(t))
    h(t) = (1 - z(t)) * n(t) + z(t) * h(t-1)

Backward, with dL/dh(t) the sum of two recorded parts; hh(t) = W_hh h(t-1) + b_hh::

    dL/dh(t) = V^T dL/do(t) + W_hh^T dL/dhh(t+1) + z(t+1) * dL/dh(t+1)
    dL/dpre_n = dL/dh * (1 - z) (1 - n^2)       dL/dpre_z = dL/dh * (h(t-1) - n) z (1 - z)
    dL/dpre_r = dL/dpre_n * hn * r (1 - r)      dL/dhh = (dL/dpre_r, dL/dpre_z, r * dL/dpre_n)
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from rnn.cells.base import Part, Sum
from rnn.cells.gated import GatedCell, sigmoid


class GRU(GatedCell):
    name = "gru"
    title = "GRU"
    called = "a GRU"
    article = "a"
    gates = ("r", "z", "n")
    states = ("h",)
    keep_gate = "z"  # h(t) = (1 - z) * n + z * h(t-1)
    table_states = (("z(t)", "gate_z"),)
    table_errors = ()
    equations = ("n = tanh(W_in x + b_in + r ⊙ (W_hn h(t−1) + b_hn))      "
                 "h(t) = (1 − z) ⊙ n + z ⊙ h(t−1)")
    error_equations = ("∂L/∂h(t) = from L(t) + from h(t+1) (through the gates and directly "
                       "through z)")
    anatomy = ("each step's gates r, z and n sit above its hidden state h(t), which is the only "
               "path between steps")
    step_words = "x({t}) and h({p}) set the gates r, z and n; h({t}) mixes n and h({p}) by z"
    # W_hh's n block meets h(t-1) before r scales it: its error is δ_hh, not the gates' δ
    gradient_equations = ("∇W_ih = Σ_t δ(t) x(t)ᵀ      ∇W_hh = Σ_t δ_hh(t) h(t−1)ᵀ      "
                          "∇b_ih = Σ_t δ(t)      ∇b_hh = Σ_t δ_hh(t)      ∇V = Σ_t ∂L/∂o(t) h(t)ᵀ")
    parts = (Part("pre", blocks=True), Part("gates", blocks=True), Part("hn"),
             Part("dL_dpre", blocks=True, backward=True),
             Part("dL_dhh", blocks=True, backward=True))
    tanh_gates = ("n",)
    own_sums = MappingProxyType({  # r multiplies the recorded W_hn h(t-1) + b_hn
        "n": Sum("pre", ("b_ih", "W_ih x", "r * hn"), "tanh"),
        "h": Sum("h", ("1-z * n", "z * h@p"))})
    columns = ("x", "gates", "pre", "h", "hn", "dL_dhn", "o", "yhat", "loss", "dL_do",
               "dL_dh", "dL_dh_from_output", "dL_dh_from_next", "gate_errors")

    # Forward ---------------------------------------------------------------------------
    def begin_forward(self, params, X, rec):
        T, H = len(X), params.hidden_size
        # the input part of every step is one matmul; the recurrence is sequential
        rec["pre"] = (X @ params.W_ih.T + params.b_ih).reshape(T, 3, H)  # (T, 3, H)
        rec["gates"] = np.empty((T, 3, H))
        rec["hn"] = np.empty((T, H))
        return {"b_hh": params.b_hh.reshape(3, -1)}

    def step(self, params, ctx, rec, t, prev):
        pre, gates, hn = rec["pre"], rec["gates"], rec["hn"]
        h_prev = prev["h"]
        H = hn.shape[1]
        hh = (params.W_hh @ h_prev).reshape(3, H) + ctx["b_hh"]  # (3, H)
        pre[t, :2] += hh[:2]
        gates[t, :2] = sigmoid(pre[t, :2])
        r, z = gates[t, 0], gates[t, 1]
        hn[t] = hh[2]
        pre[t, 2] += r * hn[t]  # r after the product with W_hn, as torch
        n = gates[t, 2] = np.tanh(pre[t, 2])
        rec["h"][t] = n + z * (h_prev - n)  # (1 - z) n + z h(t-1)

    # Backward --------------------------------------------------------------------------
    def begin_backward(self, params, rec, state0):
        gates, h, hn = rec["gates"], rec["h"], rec["hn"]
        r, z, n = (gates[:, k] for k in range(3))  # (T, H) each
        h_before = np.vstack([state0["h"][None, :], h[:-1]])  # (T, H) h(t-1)
        dn_pre = (1.0 - z) * (1.0 - n * n)  # (T, H)
        to_pre = np.stack(  # (T, 3, H) d pre of r, z, n per unit of dL/dh(t)
            [dn_pre * hn * r * (1.0 - r), (h_before - n) * z * (1.0 - z), dn_pre], axis=1
        )
        to_hh = to_pre.copy()  # (T, 3, H) d hh(t) per unit of dL/dh(t)
        to_hh[:, 2] *= r
        return {"z": z, "to_pre": to_pre, "to_hh": to_hh}

    def back_step(self, params, back, t, err):
        # the error at W_hh h(t-1) + b_hh; back to h(t-1) through it and W_hh, and directly
        # through z(t)
        Eh = err["h"]  # (..., H)
        lead, H = Eh.shape[:-1], Eh.shape[-1]
        dL_dhh = Eh[..., None, :] * back["to_hh"][t]  # (..., 3, H)
        return {"dL_dhh": dL_dhh}, {"h": dL_dhh.reshape(*lead, 3 * H) @ params.W_hh
                                    + Eh * back["z"][t]}

    def end_backward(self, params, rec, back):
        # no recurrence left: one product for every step
        back["dL_dpre"] = back["dL_dh"][:, None, :] * back["to_pre"]  # (T, 3, H)

    def step_input_errors(self, params, back, t, err, inside):
        dpre = err["h"][..., None, :] * back["to_pre"][t]  # end_backward's product, one step
        return dpre.reshape(len(dpre), -1) @ params.W_ih

    # Gradients and the document ----------------------------------------------------------
    def recurrent_error(self, trace):
        return trace.dL_dhh

    def column(self, trace, name):
        if name == "dL_dhn":  # the error at W_hn h(t-1) + b_hn, which r multiplies
            return np.ascontiguousarray(trace.dL_dhh[:, 2])
        return super().column(trace, name)

    def diagram_values(self, trace, i, step):
        # the part of dL/dh(t) that goes back to h(t-1) through z(t), skipping the gates
        return {"direct": trace.gate("z")[i] * step["dL_dh"]}

    def read_part(self, name, columns):
        if name == "dL_dhh":  # the gates' errors, but r * dL/dpre_n in the n block
            dL_dhh = columns["dL_dpre"].copy()
            dL_dhh[:, 2] = columns["dL_dhn"]
            return dL_dhh
        return super().read_part(name, columns)
