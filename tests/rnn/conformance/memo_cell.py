"""A cell that exists only in the tests: two gates and a second state that is not called
``cell``, written from the README's "Adding a cell" alone. If the engine, the files or the
scenes assumed the LSTM's names or the gated cells' counts, it would show here::

    pre(t) = W_ih x(t) + b_ih + W_hh h(t-1) + b_hh      split into blocks k, u
    k(t) = sigmoid(pre_k)     u(t) = tanh(pre_u)
    m(t) = k(t) * m(t-1) + (1 - k(t)) * u(t)          h(t) = tanh(m(t))

Backward::

    dL/dm(t) = dL/dh(t) (1 - h(t)^2) + dL/dm(t+1) k(t+1)
    dL/dpre_k = dL/dm (m(t-1) - u) k (1 - k)          dL/dpre_u = dL/dm (1 - k) (1 - u^2)
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from rnn.cells.base import Part
from rnn.cells.gated import GatedCell, sigmoid


class MemoCell(GatedCell):
    name = "memo-test"
    title = "memo cell"
    called = "a memo cell"
    article = "a"
    gates = ("k", "u")
    states = ("h", "m")
    keep_gate = "k"
    table_states = (("m(t)", "m"), ("k(t)", "gate_k"))
    table_errors = (("dL/dm(t)", "dL_dm"),)
    parts = (Part("pre", blocks=True), Part("gates", blocks=True), Part("m"),
             Part("dL_dm", backward=True), Part("dL_dm_from_h", backward=True),
             Part("dL_dm_from_next", backward=True), Part("dL_dpre", blocks=True, backward=True))
    columns = ("x", "gates", "pre", "h", "m", "o", "yhat", "loss", "dL_do", "dL_dh",
               "dL_dh_from_output", "dL_dh_from_next", "dL_dm", "dL_dm_from_h",
               "dL_dm_from_next", "gate_errors")
    equations = "m(t) = k ⊙ m(t−1) + (1 − k) ⊙ u      h(t) = tanh(m(t))"
    error_equations = ("∂L/∂h(t) = from L(t) + from h(t+1)      ∂L/∂m(t) = through h(t) + "
                       "∂L/∂m(t+1) ⊙ k(t+1)")
    anatomy = "the memory m runs along the top, the gates k and u below it, h(t) under them"
    step_words = "x({t}) and h({p}) set k and u; m({t}) mixes m({p}) and u by k"
    state_words = MappingProxyType({"h": "h", "m": "the memory"})
    error_parts = MappingProxyType({
        "h": GatedCell.error_parts["h"],
        "m": (("dL_dm_from_h", "through h({t}): "), ("dL_dm_from_next", "+ m({n})·k({n}): "))})
    carry_words = MappingProxyType({"m": "dL/dm({t}) adds dL/dm({n}) times k({n})"})

    def begin_forward(self, params, X, rec):
        T, H = len(X), params.hidden_size
        rec["pre"] = (X @ params.W_ih.T + (params.b_ih + params.b_hh)).reshape(T, 2, H)
        rec["gates"] = np.empty((T, 2, H))
        return {}

    def step(self, params, ctx, rec, t, prev):
        pre, gates = rec["pre"], rec["gates"]
        H = gates.shape[2]
        pre[t] += (params.W_hh @ prev["h"]).reshape(2, H)
        k = gates[t, 0] = sigmoid(pre[t, 0])
        u = gates[t, 1] = np.tanh(pre[t, 1])
        rec["m"][t] = k * prev["m"] + (1.0 - k) * u
        rec["h"][t] = np.tanh(rec["m"][t])

    def begin_backward(self, params, rec, state0):
        k, u = rec["gates"][:, 0], rec["gates"][:, 1]
        m_before = np.vstack([state0["m"][None, :], rec["m"][:-1]])  # (T, H) m(t-1)
        return {"keep": k, "dm_dh": 1.0 - rec["h"] * rec["h"],
                "through": np.stack([(m_before - u) * k * (1.0 - k),
                                     (1.0 - k) * (1.0 - u * u)], axis=1)}  # (T, 2, H)

    def back_step(self, params, back, t, err):
        Eh = err["h"]
        lead, H = Eh.shape[:-1], Eh.shape[-1]
        from_h = Eh * back["dm_dh"][t]
        Em = from_h + err["m"]
        dpre = Em[..., None, :] * back["through"][t]  # (..., 2, H)
        inside = {"dL_dm_from_h": from_h, "dL_dm": Em, "dL_dpre": dpre}
        return inside, {"h": dpre.reshape(*lead, 2 * H) @ params.W_hh, "m": Em * back["keep"][t]}

    def recurrent_error(self, trace):
        return trace.dL_dpre
