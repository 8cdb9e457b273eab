"""Random gated-cell problems shared by the LSTM and GRU tests."""

import numpy as np

from rnn.params import init_cell_params


def random_gated_problem(kind: str, seed: int, T: int, D: int, H: int, K: int,
                         scale: float = 1.0):
    """``(params, X, y, h0, cell0)`` of an LSTM or GRU (``cell0`` None for the GRU), with
    non-zero unequal biases, real-valued inputs and a non-zero initial state."""
    rng = np.random.default_rng(seed)
    params = init_cell_params(kind, D, H, K, seed=seed)
    G = params.W_ih.shape[0] // H
    params.W_ih *= scale
    params.W_hh *= scale
    params.b_ih = rng.standard_normal(G * H) * 0.5
    params.b_hh = rng.standard_normal(G * H) * 0.5
    params.c = rng.standard_normal(K) * 0.3
    X = rng.standard_normal((T, D))  # real-valued inputs, not only one-hot
    y = rng.integers(0, K, size=T)
    h0 = rng.standard_normal(H) * 0.5
    cell0 = rng.standard_normal(H) if kind == "lstm" else None
    return params, X, y, h0, cell0
