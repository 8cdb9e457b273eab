"""Bare numpy LSTM and GRU forward + BPTT over one sequence, the yardstick for the gated engines.

Written independently of ``rnn/`` on purpose: they record nothing and return only what
training needs (the loss, the gradients, the last state). Two styles per cell:

- ``*_minchar``: min-char-rnn's loop, step by step with one-hot column vectors.
- ``*_lean``: the same sums, with the input and output layers hoisted out of the loops as
  one matmul each, the fastest plain loop we know how to write; the fair comparison.

Parameters follow torch's layout: W_ih (G*H, V), W_hh (G*H, H), b_ih, b_hh (G*H,),
Why (V, H), by (V,); LSTM gates i, f, g, o; GRU gates r, z, n.
"""

from __future__ import annotations

import numpy as np


def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def lstm_minchar(p: dict, inputs, targets, hprev, cprev):
    W_ih, W_hh, Why = p["W_ih"], p["W_hh"], p["V"]
    b, by = (p["b_ih"] + p["b_hh"])[:, None], p["c"][:, None]
    H, vocab = W_hh.shape[1], W_ih.shape[1]
    xs, hs, cs, gs, ps = {}, {-1: hprev[:, None]}, {-1: cprev[:, None]}, {}, {}
    loss = 0.0
    for t in range(len(inputs)):
        xs[t] = np.zeros((vocab, 1))
        xs[t][inputs[t]] = 1
        a = W_ih @ xs[t] + W_hh @ hs[t - 1] + b
        i, f, g, o = _sig(a[:H]), _sig(a[H:2 * H]), np.tanh(a[2 * H:3 * H]), _sig(a[3 * H:])
        gs[t] = (i, f, g, o)
        cs[t] = f * cs[t - 1] + i * g
        hs[t] = o * np.tanh(cs[t])
        ys = Why @ hs[t] + by
        e = np.exp(ys - ys.max())
        ps[t] = e / e.sum()
        loss += -np.log(ps[t][targets[t], 0])
    dW_ih, dW_hh, dWhy = np.zeros_like(W_ih), np.zeros_like(W_hh), np.zeros_like(Why)
    db, dby = np.zeros_like(b), np.zeros_like(by)
    dhnext, dcnext = np.zeros((H, 1)), np.zeros((H, 1))
    for t in reversed(range(len(inputs))):
        dy = ps[t].copy()
        dy[targets[t]] -= 1
        dWhy += dy @ hs[t].T
        dby += dy
        dh = Why.T @ dy + dhnext
        i, f, g, o = gs[t]
        tc = np.tanh(cs[t])
        dc = dh * o * (1 - tc * tc) + dcnext
        da = np.vstack([dc * g * i * (1 - i), dc * cs[t - 1] * f * (1 - f),
                        dc * i * (1 - g * g), dh * tc * o * (1 - o)])
        dW_ih += da @ xs[t].T
        dW_hh += da @ hs[t - 1].T
        db += da
        dhnext = W_hh.T @ da
        dcnext = dc * f
    grads = {"W_ih": dW_ih, "W_hh": dW_hh, "b_ih": db[:, 0], "b_hh": db[:, 0], "V": dWhy,
             "c": dby[:, 0]}
    return loss, grads, hs[len(inputs) - 1], cs[len(inputs) - 1]


def gru_minchar(p: dict, inputs, targets, hprev):
    W_ih, W_hh, Why = p["W_ih"], p["W_hh"], p["V"]
    b_ih, b_hh, by = p["b_ih"][:, None], p["b_hh"][:, None], p["c"][:, None]
    H, vocab = W_hh.shape[1], W_ih.shape[1]
    xs, hs, gs, ps = {}, {-1: hprev[:, None]}, {}, {}
    loss = 0.0
    for t in range(len(inputs)):
        xs[t] = np.zeros((vocab, 1))
        xs[t][inputs[t]] = 1
        gi = W_ih @ xs[t] + b_ih
        gh = W_hh @ hs[t - 1] + b_hh
        r = _sig(gi[:H] + gh[:H])
        z = _sig(gi[H:2 * H] + gh[H:2 * H])
        n = np.tanh(gi[2 * H:] + r * gh[2 * H:])
        gs[t] = (r, z, n, gh[2 * H:])
        hs[t] = (1 - z) * n + z * hs[t - 1]
        ys = Why @ hs[t] + by
        e = np.exp(ys - ys.max())
        ps[t] = e / e.sum()
        loss += -np.log(ps[t][targets[t], 0])
    dW_ih, dW_hh, dWhy = np.zeros_like(W_ih), np.zeros_like(W_hh), np.zeros_like(Why)
    db_ih, db_hh, dby = np.zeros_like(b_ih), np.zeros_like(b_hh), np.zeros_like(by)
    dhnext = np.zeros((H, 1))
    for t in reversed(range(len(inputs))):
        dy = ps[t].copy()
        dy[targets[t]] -= 1
        dWhy += dy @ hs[t].T
        dby += dy
        dh = Why.T @ dy + dhnext
        r, z, n, hn = gs[t]
        dn = dh * (1 - z) * (1 - n * n)
        dr = dn * hn * r * (1 - r)
        dz = dh * (hs[t - 1] - n) * z * (1 - z)
        dgi = np.vstack([dr, dz, dn])
        dgh = np.vstack([dr, dz, dn * r])
        dW_ih += dgi @ xs[t].T
        dW_hh += dgh @ hs[t - 1].T
        db_ih += dgi
        db_hh += dgh
        dhnext = W_hh.T @ dgh + dh * z
    grads = {"W_ih": dW_ih, "W_hh": dW_hh, "b_ih": db_ih[:, 0], "b_hh": db_hh[:, 0],
             "V": dWhy, "c": dby[:, 0]}
    return loss, grads, hs[len(inputs) - 1]


def lstm_lean(p: dict, inputs, targets, hprev, cprev):
    W_hh, Why = p["W_hh"], p["V"]
    T, H = len(inputs), W_hh.shape[1]
    A = p["W_ih"][:, inputs].T + (p["b_ih"] + p["b_hh"])  # one-hot input: a column gather
    G, C, TC, hs = np.empty((T, 4 * H)), np.empty((T, H)), np.empty((T, H)), np.empty((T, H))
    h, c = hprev, cprev
    for t in range(T):
        a = A[t] + W_hh @ h
        G[t] = _sig(a)
        G[t, 2 * H:3 * H] = np.tanh(a[2 * H:3 * H])
        c = G[t, H:2 * H] * c + G[t, :H] * G[t, 2 * H:3 * H]
        C[t] = c
        TC[t] = np.tanh(c)
        h = hs[t] = G[t, 3 * H:] * TC[t]
    ys = hs @ Why.T + p["c"]
    ys -= ys.max(axis=1, keepdims=True)
    e = np.exp(ys)
    P = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(P[np.arange(T), targets]).sum()
    P[np.arange(T), targets] -= 1
    Dh = P @ Why
    i, f, g, o = G[:, :H], G[:, H:2 * H], G[:, 2 * H:3 * H], G[:, 3 * H:]
    Cprev = np.vstack([cprev, C[:-1]])
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
    dW_ih = np.zeros_like(p["W_ih"])
    np.add.at(dW_ih.T, inputs, DA)
    db = DA.sum(axis=0)
    grads = {"W_ih": dW_ih, "W_hh": DA.T @ np.vstack([hprev, hs[:-1]]), "b_ih": db,
             "b_hh": db, "V": P.T @ hs, "c": P.sum(axis=0)}
    return loss, grads, h, c


def gru_lean(p: dict, inputs, targets, hprev):
    W_hh, Why, b_hh = p["W_hh"], p["V"], p["b_hh"]
    T, H = len(inputs), W_hh.shape[1]
    GI = p["W_ih"][:, inputs].T + p["b_ih"]  # one-hot input: a column gather
    R, Z, N, HN, hs = (np.empty((T, H)) for _ in range(5))
    h = hprev
    for t in range(T):
        gh = W_hh @ h + b_hh
        rz = _sig(GI[t, :2 * H] + gh[:2 * H])
        R[t], Z[t], HN[t] = rz[:H], rz[H:], gh[2 * H:]
        N[t] = np.tanh(GI[t, 2 * H:] + R[t] * HN[t])
        h = hs[t] = N[t] + Z[t] * (h - N[t])
    ys = hs @ Why.T + p["c"]
    ys -= ys.max(axis=1, keepdims=True)
    e = np.exp(ys)
    P = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(P[np.arange(T), targets]).sum()
    P[np.arange(T), targets] -= 1
    Dh = P @ Why
    Hprev = np.vstack([hprev, hs[:-1]])
    DN = (1 - Z) * (1 - N * N)  # per unit of dL/dh
    DGH, Dn = np.empty((T, 3 * H)), np.empty((T, H))
    dhnext = np.zeros(H)
    for t in reversed(range(T)):
        dh = Dh[t] + dhnext
        dn = Dn[t] = dh * DN[t]
        DGH[t, :H] = dn * HN[t] * R[t] * (1 - R[t])
        DGH[t, H:2 * H] = dh * (Hprev[t] - N[t]) * Z[t] * (1 - Z[t])
        DGH[t, 2 * H:] = dn * R[t]
        dhnext = DGH[t] @ W_hh + dh * Z[t]
    DGI = DGH.copy()
    DGI[:, 2 * H:] = Dn  # the input side of n is not multiplied by r
    dW_ih = np.zeros_like(p["W_ih"])
    np.add.at(dW_ih.T, inputs, DGI)
    grads = {"W_ih": dW_ih, "W_hh": DGH.T @ Hprev, "b_ih": DGI.sum(axis=0),
             "b_hh": DGH.sum(axis=0), "V": P.T @ hs, "c": P.sum(axis=0)}
    return loss, grads, h
