"""A bare numpy 2-layer LSTM, forward + BPTT over one sequence: the yardstick for the network
engine (``rnn.network``).

Written independently of ``rnn/`` on purpose, in the style of ``reference_gated.lstm_lean``
(the input and output layers hoisted out of the loops as one matmul each): it records nothing
and returns the loss and the gradients, by torch's names (``W_ih_l0``, ..., ``V``, ``c``).
"""

from __future__ import annotations

import numpy as np


def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def _lstm_forward(A, W_hh, H):
    """One layer's loop from zero states; A (T, 4H) holds the input part and the biases."""
    T = len(A)
    G, C, TC, hs = np.empty((T, 4 * H)), np.empty((T, H)), np.empty((T, H)), np.empty((T, H))
    h, c = np.zeros(H), np.zeros(H)
    for t in range(T):
        a = A[t] + W_hh @ h
        G[t] = _sig(a)
        G[t, 2 * H:3 * H] = np.tanh(a[2 * H:3 * H])
        c = G[t, H:2 * H] * c + G[t, :H] * G[t, 2 * H:3 * H]
        C[t] = c
        TC[t] = np.tanh(c)
        h = hs[t] = G[t, 3 * H:] * TC[t]
    return G, C, TC, hs


def _lstm_backward(Dh, G, C, TC, W_hh, H):
    """One layer's BPTT from the errors Dh (T, H) reaching its h(t) from outside."""
    T = len(Dh)
    i, f, g, o = G[:, :H], G[:, H:2 * H], G[:, 2 * H:3 * H], G[:, 3 * H:]
    Cprev = np.vstack([np.zeros(H), C[:-1]])
    DA = np.empty((T, 4 * H))
    dhnext, dcnext = np.zeros(H), np.zeros(H)
    for t in reversed(range(T)):
        dh = Dh[t] + dhnext
        dc = dh * o[t] * (1 - TC[t] * TC[t]) + dcnext
        DA[t, :H] = dc * g[t] * i[t] * (1 - i[t])
        DA[t, H:2 * H] = dc * Cprev[t] * f[t] * (1 - f[t])
        DA[t, 2 * H:3 * H] = dc * i[t] * (1 - g[t] * g[t])
        DA[t, 3 * H:] = dh * TC[t] * o[t] * (1 - o[t])
        dhnext = DA[t] @ W_hh
        dcnext = dc * f[t]
    return DA


def stacked_lstm_lean(p: dict, inputs, targets):
    """Loss and gradients of a 2-layer LSTM with a linear head on one-hot ``inputs``."""
    W_hh0, W_hh1, Why = p["W_hh_l0"], p["W_hh_l1"], p["V"]
    T, H = len(inputs), W_hh0.shape[1]
    A0 = p["W_ih_l0"][:, inputs].T + (p["b_ih_l0"] + p["b_hh_l0"])  # one-hot: a column gather
    G0, C0, TC0, H0 = _lstm_forward(A0, W_hh0, H)
    A1 = H0 @ p["W_ih_l1"].T + (p["b_ih_l1"] + p["b_hh_l1"])
    G1, C1, TC1, H1 = _lstm_forward(A1, W_hh1, H)
    ys = H1 @ Why.T + p["c"]
    ys -= ys.max(axis=1, keepdims=True)
    e = np.exp(ys)
    P = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(P[np.arange(T), targets]).sum()
    P[np.arange(T), targets] -= 1
    DA1 = _lstm_backward(P @ Why, G1, C1, TC1, W_hh1, H)
    DA0 = _lstm_backward(DA1 @ p["W_ih_l1"], G0, C0, TC0, W_hh0, H)
    dW_ih0 = np.zeros_like(p["W_ih_l0"])
    np.add.at(dW_ih0.T, inputs, DA0)
    db0, db1 = DA0.sum(axis=0), DA1.sum(axis=0)
    zero = np.zeros((1, H))
    grads = {"W_ih_l0": dW_ih0, "W_hh_l0": DA0.T @ np.vstack([zero, H0[:-1]]), "b_ih_l0": db0,
             "b_hh_l0": db0, "W_ih_l1": DA1.T @ H0,
             "W_hh_l1": DA1.T @ np.vstack([zero, H1[:-1]]), "b_ih_l1": db1, "b_hh_l1": db1,
             "V": P.T @ H1, "c": P.sum(axis=0)}
    return loss, grads
