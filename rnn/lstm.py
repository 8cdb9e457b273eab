"""LSTM: forward pass and back propagation through time, recorded step by step in a GatedTrace.

The cell is torch's ``LSTMCell`` (gate blocks i, f, g, o; two biases); the output layer and
the loss are those of ``rnn.bptt``. The output gate is written og here, since o(t) is the
output layer's logits as in the simple RNN::

    pre(t) = W_ih x(t) + b_ih + W_hh h(t-1) + b_hh          split into blocks i, f, g, og
    i(t) = sigmoid(pre_i)   f(t) = sigmoid(pre_f)   g(t) = tanh(pre_g)   og(t) = sigmoid(pre_og)
    cell(t) = f(t) * cell(t-1) + i(t) * g(t)      h(t) = og(t) * tanh(cell(t))
    o(t) = c + V h(t)      yhat(t) = softmax(o(t))      L = sum_t -log yhat(t)[y(t)]

Backward, with dL/dh(t) and dL/dcell(t) each the sum of two recorded parts::

    dL/dh(t) = V^T dL/do(t) + W_hh^T dL/dpre(t+1)
    dL/dcell(t) = dL/dh(t) * og(t) * (1 - tanh(cell(t))^2) + dL/dcell(t+1) * f(t+1)
    dL/dpre_i = dL/dcell * g * i (1 - i)        dL/dpre_f = dL/dcell * cell(t-1) * f (1 - f)
    dL/dpre_g = dL/dcell * i * (1 - g^2)        dL/dpre_og = dL/dh * tanh(cell) * og (1 - og)
"""

from __future__ import annotations

import numpy as np

from rnn.bptt import softmax_and_loss
from rnn.errors import UnrolledError
from rnn.gated_params import GatedParams, check_gated_inputs
from rnn.gated_trace import GatedTrace


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)); exp overflows to inf for x < -709 and the result is 0, as it should."""
    return 1.0 / (1.0 + np.exp(-x))


def run_lstm(
    params: GatedParams, X: np.ndarray, y: np.ndarray,
    h0: np.ndarray | None = None, cell0: np.ndarray | None = None,
) -> GatedTrace:
    """Forward and full BPTT over one sequence; every activation, error and gradient recorded.

    Parameters
    ----------
    params : LSTM parameters (``params.kind == "lstm"``).
    X : (T, D) real-valued inputs (one-hot rows for text).
    y : (T,) integer targets, each in ``range(K)``.
    h0, cell0 : (H,) initial hidden and cell states, zeros if omitted.
    """
    if params.kind != "lstm":
        raise UnrolledError(f"run_lstm needs LSTM parameters, got {params.kind!r}")
    X, y, h0, cell0 = check_gated_inputs(params, X, y, h0, cell0)
    W_hh, V, c = params.W_hh, params.V, params.c
    T, H = len(X), params.hidden_size

    with np.errstate(all="ignore"):  # overflow is recorded as it is, and reported by the Trace
        # Forward: the input part of every step is one matmul; the recurrence is sequential
        pre = (X @ params.W_ih.T + (params.b_ih + params.b_hh)).reshape(T, 4, H)  # (T, 4, H)
        gates = np.empty((T, 4, H))
        cell = np.empty((T, H))
        tanh_cell = np.empty((T, H))
        h = np.empty((T, H))
        h_prev, cell_prev = h0, cell0
        for t in range(T):
            pre[t] += (W_hh @ h_prev).reshape(4, H)
            gates[t] = sigmoid(pre[t])
            gates[t, 2] = np.tanh(pre[t, 2])  # g is the only tanh gate
            i, f, g, og = gates[t]
            cell[t] = f * cell_prev + i * g
            tanh_cell[t] = np.tanh(cell[t])
            h[t] = og * tanh_cell[t]
            h_prev, cell_prev = h[t], cell[t]
        o = h @ V.T + c  # (T, K)
        yhat, losses = softmax_and_loss(o, y)

        # Local derivatives of every step at once, before the sequential part
        i, f, g, og = (gates[:, k] for k in range(4))  # (T, H) each
        cell_before = np.vstack([cell0[None, :], cell[:-1]])  # (T, H) cell(t-1)
        dcell_dh = og * (1.0 - tanh_cell * tanh_cell)  # (T, H)
        through_cell = np.stack(  # (T, 3, H) d cell(t) / d pre of i, f, g
            [g * i * (1.0 - i), cell_before * f * (1.0 - f), i * (1.0 - g * g)], axis=1
        )
        through_h = tanh_cell * og * (1.0 - og)  # (T, H) d h(t) / d pre_og

        # Backward: errors at the outputs, then through time from the last step to the first
        dL_do = yhat.copy()
        dL_do[np.arange(T), y] -= 1.0  # (T, K), yhat(t) - onehot(y(t))
        from_output = dL_do @ V  # (T, H), V^T dL/do(t)
        from_next = np.zeros((T, H))  # W_hh^T dL/dpre(t+1); nothing comes after the last step
        cell_from_next = np.zeros((T, H))  # dL/dcell(t+1) * f(t+1)
        dL_dh = np.empty((T, H))
        cell_from_h = np.empty((T, H))
        dL_dcell = np.empty((T, H))
        dL_dpre = np.empty((T, 4, H))
        for t in reversed(range(T)):
            # what step t+1 sends back, through W_hh and through the forget gate
            if t + 1 < T:
                from_next[t] = dL_dpre[t + 1].reshape(4 * H) @ W_hh
                cell_from_next[t] = dL_dcell[t + 1] * f[t + 1]
            # the two parts of dL/dh(t), then of dL/dcell(t)
            dL_dh[t] = from_output[t] + from_next[t]
            cell_from_h[t] = dL_dh[t] * dcell_dh[t]
            dL_dcell[t] = cell_from_h[t] + cell_from_next[t]
            # errors at the gates' pre-activations
            dL_dpre[t, :3] = dL_dcell[t] * through_cell[t]
            dL_dpre[t, 3] = dL_dh[t] * through_h[t]
        dL_dh0 = dL_dpre[0].reshape(4 * H) @ W_hh
        dL_dcell0 = dL_dcell[0] * f[0]

        # Totals: sums over t of outer products, each one matmul
        dpre = dL_dpre.reshape(T, 4 * H)  # (T, 4H)
        h_before = np.vstack([h0[None, :], h[:-1]])  # (T, H) h(t-1)
        d_bias = dpre.sum(axis=0)  # (4H,)
        grads = {
            "W_ih": dpre.T @ X,  # (4H, D)
            "W_hh": dpre.T @ h_before,  # (4H, H)
            "b_ih": d_bias,
            "b_hh": d_bias.copy(),  # both biases enter the same sum
            "V": dL_do.T @ h,  # (K, H)
            "c": dL_do.sum(axis=0),  # (K,)
            "h0": dL_dh0,
            "cell0": dL_dcell0,
        }

    return GatedTrace(
        params=params, h0=h0, cell0=cell0, X=X, targets=y,
        pre=pre, gates=gates, hn=None, cell=cell, h=h, o=o, yhat=yhat, losses=losses,
        dL_do=dL_do, dL_dh=dL_dh, dL_dh_from_output=from_output, dL_dh_from_next=from_next,
        dL_dcell=dL_dcell, dL_dcell_from_h=cell_from_h, dL_dcell_from_next=cell_from_next,
        dL_dpre=dL_dpre, dL_dhh=dL_dpre, dL_dh0=dL_dh0, dL_dcell0=dL_dcell0, grads=grads,
    )
