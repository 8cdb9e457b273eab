"""The GRU of Cho et al. (2014), whose reset gate acts before the recurrent product: Keras's
``GRU(reset_after=False)`` and ONNX's GRU with ``linear_before_reset = 0``. Torch's layout
(gate blocks r, z, n; two biases), the GRU's except for n::

    r(t) = sigmoid(W_ir x(t) + b_ir + W_hr h(t-1) + b_hr)
    z(t) = sigmoid(W_iz x(t) + b_iz + W_hz h(t-1) + b_hz)
    hn(t) = W_hn (r(t) * h(t-1)) + b_hn       n(t) = tanh(W_in x(t) + b_in + hn(t))
    h(t) = (1 - z(t)) * n(t) + z(t) * h(t-1)

Backward, with dL/dh(t) the sum of two recorded parts::

    dL/dpre_n = dL/dh * (1 - z) (1 - n^2)       dL/dpre_z = dL/dh * (h(t-1) - n) z (1 - z)
    dL/dpre_r = (W_hn^T dL/dpre_n) * h(t-1) * r (1 - r)
    dL/dh(t-1) gets W_hr^T dL/dpre_r + W_hz^T dL/dpre_z + r * (W_hn^T dL/dpre_n) + z * dL/dh

The recurrent product of n is W_hn (r * h(t-1)), not W_hn h(t-1): its gradient's block is
sum_t dL/dpre_n(t) (r(t) * h(t-1))^T, one outer product per step as every other.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from rnn.cells.base import Cell, Part, Sum
from rnn.cells.gated import sigmoid
from rnn.cells.gru import GRU


class ChoGRU(GRU):
    name = "cho-gru"
    title = "GRU (reset before)"
    called = "a GRU whose reset gate acts before W_hn (Cho et al.)"
    article = "a"
    equations = ("n = tanh(W_in x + b_in + W_hn (r ⊙ h(t−1)) + b_hn)      "
                 "h(t) = (1 − z) ⊙ n + z ⊙ h(t−1)")
    # W_hn multiplies r ⊙ h(t-1), not h(t-1): its block of the gradient says so
    gradient_equations = ("∇W_ih = Σ_t δ(t) x(t)ᵀ      ∇W_hr,z = Σ_t δ_r,z(t) h(t−1)ᵀ      "
                          "∇W_hn = Σ_t δ_n(t) (r(t) ⊙ h(t−1))ᵀ      ∇b = Σ_t δ(t)      "
                          "∇V = Σ_t ∂L/∂o(t) h(t)ᵀ")
    parts = (Part("pre", blocks=True), Part("gates", blocks=True), Part("hn"),
             Part("dL_dpre", blocks=True, backward=True))
    own_sums = MappingProxyType({  # hn is the recorded W_hn (r ⊙ h(t-1)) + b_hn
        "n": Sum("pre", ("b_ih", "W_ih x", "hn"), "tanh"),
        "h": Sum("h", ("1-z * n", "z * h@p"))})

    # Forward ---------------------------------------------------------------------------
    def step(self, params, ctx, rec, t, prev):
        pre, gates, hn = rec["pre"], rec["gates"], rec["hn"]
        h_prev = prev["h"]
        H = hn.shape[1]
        pre[t, :2] += (params.W_hh[:2 * H] @ h_prev).reshape(2, H) + ctx["b_hh"][:2]
        gates[t, :2] = sigmoid(pre[t, :2])
        r, z = gates[t, 0], gates[t, 1]
        hn[t] = params.W_hh[2 * H:] @ (r * h_prev) + ctx["b_hh"][2]  # r before the product
        pre[t, 2] += hn[t]
        n = gates[t, 2] = np.tanh(pre[t, 2])
        rec["h"][t] = n + z * (h_prev - n)  # (1 - z) n + z h(t-1)

    # Backward --------------------------------------------------------------------------
    def begin_backward(self, params, rec, state0):
        gates, h = rec["gates"], rec["h"]
        r, z, n = (gates[:, k] for k in range(3))  # (T, H) each
        h_before = np.vstack([state0["h"][None, :], h[:-1]])  # (T, H) h(t-1)
        H = h.shape[1]
        return {"r": r, "z": z, "to_n": (1.0 - z) * (1.0 - n * n),
                "to_z": (h_before - n) * z * (1.0 - z), "to_r": h_before * r * (1.0 - r),
                "W_r": params.W_hh[:H], "W_z": params.W_hh[H:2 * H], "W_n": params.W_hh[2 * H:]}

    def back_step(self, params, back, t, err):
        Eh = err["h"]  # (..., H)
        dn = Eh * back["to_n"][t]
        dz = Eh * back["to_z"][t]
        through_n = dn @ back["W_n"]  # (..., H) W_hn^T dL/dpre_n: the error at r * h(t-1)
        dr = through_n * back["to_r"][t]
        sent = (dr @ back["W_r"] + dz @ back["W_z"] + through_n * back["r"][t]
                + Eh * back["z"][t])
        return {"dL_dpre": np.stack([dr, dz, dn], axis=-2)}, {"h": sent}

    def end_backward(self, params, rec, back):
        """Every gate's error was written step by step: r's needs W_hn^T, not one product."""

    def step_input_errors(self, params, back, t, err, inside):
        return Cell.step_input_errors(self, params, back, t, err, inside)  # dL_dpre is inside

    # Gradients and the document ----------------------------------------------------------
    def recurrent_error(self, trace):
        return trace.dL_dpre  # the error at each block's recurrent sum is its pre-activation's

    def _recurrent_inputs(self, trace) -> np.ndarray:
        """(T, 3, H) what each block's recurrent matrix multiplies: h(t-1), h(t-1), r * h(t-1)."""
        h_prev = trace.h_prev
        return np.stack([h_prev, h_prev, trace.gate("r") * h_prev], axis=1)

    def factors(self, trace, name):
        if name != "W_hh":
            return super().factors(trace, name)
        T, H = trace.T, trace.params.hidden_size
        # per step and block: dL/dpre_k(t) times what W_hk multiplies, (T, 3H, H)
        per_block = np.einsum("tki,tkj->tkij", trace.dL_dpre, self._recurrent_inputs(trace))
        return per_block.reshape(T, 3 * H, H)

    def grads(self, trace):
        out = super().grads(trace)
        with np.errstate(all="ignore"):
            blocks = np.einsum("tki,tkj->kij", trace.dL_dpre, self._recurrent_inputs(trace))
        out["W_hh"] = blocks.reshape(out["W_hh"].shape)  # (3H, H)
        return out

    def column(self, trace, name):
        if name == "dL_dhn":  # the error at hn(t) is n's pre-activation's
            return np.ascontiguousarray(trace.dL_dpre[:, 2])
        return super().column(trace, name)

    def read_part(self, name, columns):
        return super(GRU, self).read_part(name, columns)
