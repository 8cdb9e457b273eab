"""A bare numpy char-RNN training loop (min-char-rnn style), the yardstick for the engine's speed.

Written independently of ``rnn/`` on purpose: it records nothing, it only learns.
"""

from __future__ import annotations

import numpy as np


def train_reference(data: np.ndarray, vocab: int, hidden: int, window: int, iterations: int,
                    lr: float = 0.1, clip: float = 5.0, seed: int = 0, init_scale: float = 0.01):
    """Adagrad, element-wise clipping; returns the loss of every window."""
    rng = np.random.default_rng(seed)
    Wxh = rng.standard_normal((hidden, vocab)) * init_scale
    Whh = rng.standard_normal((hidden, hidden)) * init_scale
    Why = rng.standard_normal((vocab, hidden)) * init_scale
    bh, by = np.zeros((hidden, 1)), np.zeros((vocab, 1))
    params = [Wxh, Whh, Why, bh, by]
    mem = [np.zeros_like(p) for p in params]
    p, hprev, losses = 0, np.zeros((hidden, 1)), []
    for _ in range(iterations):
        if p + window + 1 > len(data):
            p, hprev = 0, np.zeros((hidden, 1))
        inputs, targets = data[p:p + window], data[p + 1:p + window + 1]
        xs, hs, ps = {}, {-1: hprev}, {}
        loss = 0.0
        for t in range(window):
            xs[t] = np.zeros((vocab, 1))
            xs[t][inputs[t]] = 1
            hs[t] = np.tanh(Wxh @ xs[t] + Whh @ hs[t - 1] + bh)
            ys = Why @ hs[t] + by
            e = np.exp(ys - ys.max())
            ps[t] = e / e.sum()
            loss += -np.log(ps[t][targets[t], 0])
        grads = [np.zeros_like(q) for q in params]
        dWxh, dWhh, dWhy, dbh, dby = grads
        dhnext = np.zeros_like(hs[0])
        for t in reversed(range(window)):
            dy = ps[t].copy()
            dy[targets[t]] -= 1
            dWhy += dy @ hs[t].T
            dby += dy
            dh = Why.T @ dy + dhnext
            dhraw = (1 - hs[t] * hs[t]) * dh
            dbh += dhraw
            dWxh += dhraw @ xs[t].T
            dWhh += dhraw @ hs[t - 1].T
            dhnext = Whh.T @ dhraw
        for q, g, m in zip(params, grads, mem):
            np.clip(g, -clip, clip, out=g)
            m += g * g
            q -= lr * g / np.sqrt(m + 1e-8)
        hprev = hs[window - 1]
        p += window
        losses.append(loss)
    return losses
