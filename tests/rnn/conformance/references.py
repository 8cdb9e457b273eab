"""Plain numpy forward passes of every cell, one loop each, sharing nothing with ``rnn``:
each gate's matrices sliced out by hand, one step at a time, the equations as the papers and
torch write them. A registered cell without a reference here fails the conformance suite."""

from __future__ import annotations

import numpy as np


def sig(v):
    return 1.0 / (1.0 + np.exp(-v))


def blocks(a: dict, H: int, n: int) -> list[tuple]:
    """Gate k's (W_ih, W_hh, b_ih + b_hh) for k = 0..n-1, sliced out of the stacked arrays."""
    return [(a["W_ih"][k * H:(k + 1) * H], a["W_hh"][k * H:(k + 1) * H],
             a["b_ih"][k * H:(k + 1) * H] + a["b_hh"][k * H:(k + 1) * H]) for k in range(n)]


def simple(relu: bool):
    def forward(a, X, s0):
        h, hs = s0["h"], []
        for x in X:
            pre = a["U"] @ x + a["W"] @ h + a["b"]
            h = np.maximum(pre, 0.0) if relu else np.tanh(pre)
            hs.append(h)
        return {"h": np.array(hs)}
    return forward


def peephole(a, X, s0):
    """Gers and Schmidhuber's LSTM as ONNX's LSTM operator writes it: P holds p_i, p_o, p_f."""
    H = len(s0["h"])
    (Wi, Ui, bi), (Wf, Uf, bf), (Wg, Ug, bg), (Wo, Uo, bo) = blocks(a, H, 4)
    p_i, p_o, p_f = a["P"][:H], a["P"][H:2 * H], a["P"][2 * H:]
    h, c, out = s0["h"], s0["cell"], {"h": [], "cell": [], "gates": []}
    for x in X:
        i = sig(Wi @ x + Ui @ h + bi + p_i * c)
        f = sig(Wf @ x + Uf @ h + bf + p_f * c)
        g = np.tanh(Wg @ x + Ug @ h + bg)
        c = f * c + i * g
        o = sig(Wo @ x + Uo @ h + bo + p_o * c)
        h = o * np.tanh(c)
        for key, v in (("h", h), ("cell", c), ("gates", [i, f, g, o])):
            out[key].append(v)
    return {k: np.array(v) for k, v in out.items()}


def lstm(a, X, s0):
    """torch's LSTMCell: the peephole LSTM with its peepholes shut."""
    return peephole({**a, "P": np.zeros(3 * len(s0["h"]))}, X, s0)


def gru(a, X, s0, reset_before: bool = False):
    """torch's GRUCell: r applied after the product with W_hn; ``reset_before``: Cho et al.'s,
    r applied to h(t-1) before it (Keras reset_after=False, ONNX linear_before_reset=0)."""
    H = len(s0["h"])
    h, out = s0["h"], {"h": [], "gates": []}
    Wr, Wz, Wn = (a["W_ih"][k * H:(k + 1) * H] for k in range(3))
    Ur, Uz, Un = (a["W_hh"][k * H:(k + 1) * H] for k in range(3))
    bir, biz, bin_ = (a["b_ih"][k * H:(k + 1) * H] for k in range(3))
    bhr, bhz, bhn = (a["b_hh"][k * H:(k + 1) * H] for k in range(3))
    for x in X:
        r = sig(Wr @ x + bir + Ur @ h + bhr)
        z = sig(Wz @ x + biz + Uz @ h + bhz)
        if reset_before:
            n = np.tanh(Wn @ x + bin_ + Un @ (r * h) + bhn)
        else:
            n = np.tanh(Wn @ x + bin_ + r * (Un @ h + bhn))
        h = (1 - z) * n + z * h
        out["h"].append(h)
        out["gates"].append([r, z, n])
    return {k: np.array(v) for k, v in out.items()}


def keep(a, X, s0):
    """The test-only cell of tests/explore/keep_cell.py: m(t) = k m(t-1) + (1 - k) v."""
    H = len(s0["h"])
    (Wk, Uk, bk), (Wv, Uv, bv) = blocks(a, H, 2)
    h, m, out = s0["h"], s0["m"], {"h": [], "m": [], "gates": []}
    for x in X:
        k, v = sig(Wk @ x + Uk @ h + bk), np.tanh(Wv @ x + Uv @ h + bv)
        m = k * m + (1 - k) * v
        h = np.tanh(m)
        for key, value in (("h", h), ("m", m), ("gates", [k, v])):
            out[key].append(value)
    return {k: np.array(v) for k, v in out.items()}


REFERENCES = {"rnn": simple(relu=False), "rnn-relu": simple(relu=True), "lstm": lstm,
              "peephole": peephole, "gru": gru, "keep-test": keep,
              "cho-gru": lambda a, X, s0: gru(a, X, s0, reset_before=True)}


def outputs(a, h: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(yhat, losses) of the output layer o = V h + c, softmax and cross-entropy."""
    o = h @ a["V"].T + a["c"]
    e = np.exp(o - o.max(axis=1, keepdims=True))
    yhat = e / e.sum(axis=1, keepdims=True)
    return yhat, -np.log(yhat[np.arange(len(y)), y])
