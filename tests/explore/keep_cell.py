"""A cell for the tests only, never in the registry file: two gates and a second state that is
not named ``cell``, written as a contributor would from the README's "Adding a cell" (the
page's tooltips and the conformance suite of tests/rnn/conformance run over it)::

    k(t) = sigmoid(pre_k)      v(t) = tanh(pre_v)      (pre = W_ih x + b_ih + W_hh h(t-1) + b_hh)
    m(t) = k(t) * m(t-1) + (1 - k(t)) * v(t)           h(t) = tanh(m(t))

Backward, with dL/dh(t) and dL/dm(t) each the sum of two recorded parts::

    dL/dm(t) = dL/dh(t) * (1 - h(t)^2) + dL/dm(t+1) * k(t+1)
    dL/dpre_k = dL/dm * (m(t-1) - v) k (1 - k)       dL/dpre_v = dL/dm * (1 - k) (1 - v^2)
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from rnn.cells.base import Part, Sum
from rnn.cells.gated import GatedCell, sigmoid


class KeepCell(GatedCell):
    name = "keep-test"
    title = "keep cell"
    called = "a keep cell"
    article = "a"
    gates = ("k", "v")
    states = ("h", "m")
    tanh_gates = ("v",)
    parts = (Part("pre", blocks=True), Part("gates", blocks=True), Part("m"),
             Part("dL_dm", backward=True), Part("dL_dm_from_h", backward=True),
             Part("dL_dm_from_next", backward=True), Part("dL_dpre", blocks=True, backward=True))
    own_sums = MappingProxyType({"m": Sum("m", ("k * m@p", "1-k * v")),
                                 "h": Sum("h", ("tanh(m)",))})
    keep_gate = "k"
    table_states = (("m(t)", "m"), ("k(t)", "gate_k"))
    table_errors = (("dL/dm(t)", "dL_dm"),)
    columns = ("x", "gates", "pre", "h", "m", "o", "yhat", "loss", "dL_do", "dL_dh",
               "dL_dh_from_output", "dL_dh_from_next", "dL_dm", "dL_dm_from_h",
               "dL_dm_from_next", "gate_errors")

    def begin_forward(self, params, X, rec):
        T, H = len(X), params.hidden_size
        rec["pre"] = (X @ params.W_ih.T + (params.b_ih + params.b_hh)).reshape(T, 2, H)
        rec["gates"] = np.empty((T, 2, H))
        return {}

    def step(self, params, ctx, rec, t, prev):
        pre, gates = rec["pre"], rec["gates"]
        pre[t] += (params.W_hh @ prev["h"]).reshape(2, -1)
        k = gates[t, 0] = sigmoid(pre[t, 0])
        v = gates[t, 1] = np.tanh(pre[t, 1])
        rec["m"][t] = k * prev["m"] + (1.0 - k) * v
        rec["h"][t] = np.tanh(rec["m"][t])

    def begin_backward(self, params, rec, state0):
        gates, m, h = rec["gates"], rec["m"], rec["h"]
        k, v = gates[:, 0], gates[:, 1]
        m_before = np.vstack([state0["m"][None, :], m[:-1]])  # (T, H) m(t-1)
        return {"k": k, "dm_dh": 1.0 - h * h,
                "through_m": np.stack([(m_before - v) * k * (1.0 - k), (1.0 - k) * (1.0 - v * v)],
                                      axis=1)}  # (T, 2, H) d m(t) / d pre

    def back_step(self, params, back, t, err):
        # the errors reaching step t in, the step's own errors and what goes to step t - 1 out
        Eh, from_h = err["h"], err["h"] * back["dm_dh"][t]  # (..., H)
        dL_dm = from_h + err["m"]
        dpre = dL_dm[..., None, :] * back["through_m"][t]  # (..., 2, H)
        return ({"dL_dm": dL_dm, "dL_dm_from_h": from_h, "dL_dpre": dpre},
                {"h": dpre.reshape(*Eh.shape[:-1], -1) @ params.W_hh, "m": dL_dm * back["k"][t]})

    def recurrent_error(self, trace):
        return trace.dL_dpre  # both biases and W_hh see the gates' own errors
