"""GRU: forward pass and back propagation through time, recorded step by step in a GatedTrace.

The cell is torch's ``GRUCell`` (gate blocks r, z, n; two biases). r multiplies the recurrent
part of n after the product with W_hn, not before (d2l's variant differs). The output layer
and the loss are those of ``rnn.bptt``::

    r(t) = sigmoid(W_ir x(t) + b_ir + W_hr h(t-1) + b_hr)
    z(t) = sigmoid(W_iz x(t) + b_iz + W_hz h(t-1) + b_hz)
    hn(t) = W_hn h(t-1) + b_hn            n(t) = tanh(W_in x(t) + b_in + r(t) * hn(t))
    h(t) = (1 - z(t)) * n(t) + z(t) * h(t-1)
    o(t) = c + V h(t)      yhat(t) = softmax(o(t))      L = sum_t -log yhat(t)[y(t)]

Backward, with dL/dh(t) the sum of two recorded parts; hh(t) = W_hh h(t-1) + b_hh::

    dL/dh(t) = V^T dL/do(t) + W_hh^T dL/dhh(t+1) + z(t+1) * dL/dh(t+1)
    dL/dpre_n = dL/dh * (1 - z) (1 - n^2)       dL/dpre_z = dL/dh * (h(t-1) - n) z (1 - z)
    dL/dpre_r = dL/dpre_n * hn * r (1 - r)      dL/dhh = (dL/dpre_r, dL/dpre_z, r * dL/dpre_n)
"""

from __future__ import annotations

import numpy as np

from rnn.bptt import softmax_and_loss
from rnn.errors import UnrolledError
from rnn.gated_params import GatedParams, check_gated_inputs
from rnn.gated_trace import GatedTrace
from rnn.lstm import sigmoid


def run_gru(
    params: GatedParams, X: np.ndarray, y: np.ndarray,
    h0: np.ndarray | None = None, cell0: None = None,
) -> GatedTrace:
    """Forward and full BPTT over one sequence; every activation, error and gradient recorded.

    Parameters
    ----------
    params : GRU parameters (``params.kind == "gru"``).
    X : (T, D) real-valued inputs (one-hot rows for text).
    y : (T,) integer targets, each in ``range(K)``.
    h0 : (H,) initial state, zeros if omitted.
    cell0 : must be None (the GRU has no cell state); accepted for a common signature.
    """
    if params.kind != "gru":
        raise UnrolledError(f"run_gru needs GRU parameters, got {params.kind!r}")
    X, y, h0, _ = check_gated_inputs(params, X, y, h0, cell0)
    W_hh, b_hh, V, c = params.W_hh, params.b_hh.reshape(3, -1), params.V, params.c
    T, H = len(X), params.hidden_size

    with np.errstate(all="ignore"):  # overflow is recorded as it is, and reported by the Trace
        # Forward: the input part of every step is one matmul; the recurrence is sequential
        pre = (X @ params.W_ih.T + params.b_ih).reshape(T, 3, H)  # (T, 3, H) input parts
        gates = np.empty((T, 3, H))
        hn = np.empty((T, H))
        h = np.empty((T, H))
        h_prev = h0
        for t in range(T):
            hh = (W_hh @ h_prev).reshape(3, H) + b_hh  # (3, H)
            pre[t, :2] += hh[:2]
            gates[t, :2] = sigmoid(pre[t, :2])
            r, z = gates[t, 0], gates[t, 1]
            hn[t] = hh[2]
            pre[t, 2] += r * hn[t]  # r after the product with W_hn, as torch
            n = gates[t, 2] = np.tanh(pre[t, 2])
            h[t] = n + z * (h_prev - n)  # (1 - z) n + z h(t-1)
            h_prev = h[t]
        o = h @ V.T + c  # (T, K)
        yhat, losses = softmax_and_loss(o, y)

        # Local derivatives of every step at once, before the sequential part
        r, z, n = (gates[:, k] for k in range(3))  # (T, H) each
        h_before = np.vstack([h0[None, :], h[:-1]])  # (T, H) h(t-1)
        dn_pre = (1.0 - z) * (1.0 - n * n)  # (T, H)
        to_pre = np.stack(  # (T, 3, H) d pre of r, z, n per unit of dL/dh(t)
            [dn_pre * hn * r * (1.0 - r), (h_before - n) * z * (1.0 - z), dn_pre], axis=1
        )
        to_hh = to_pre.copy()  # (T, 3, H) d hh(t) per unit of dL/dh(t)
        to_hh[:, 2] *= r

        # Backward: errors at the outputs, then through time from the last step to the first
        dL_do = yhat.copy()
        dL_do[np.arange(T), y] -= 1.0  # (T, K), yhat(t) - onehot(y(t))
        from_output = dL_do @ V  # (T, H), V^T dL/do(t)
        from_next = np.zeros((T, H))  # what h(t+1) sends back; nothing after the last step
        dL_dh = np.empty((T, H))
        dL_dhh = np.empty((T, 3, H))
        for t in reversed(range(T)):
            # what step t+1 sends back, through the gates and W_hh, and directly through z
            if t + 1 < T:
                from_next[t] = dL_dhh[t + 1].reshape(3 * H) @ W_hh + z[t + 1] * dL_dh[t + 1]
            # the two parts of dL/dh(t), then the error at W_hh h(t-1) + b_hh
            dL_dh[t] = from_output[t] + from_next[t]
            dL_dhh[t] = dL_dh[t] * to_hh[t]
        dL_dh0 = dL_dhh[0].reshape(3 * H) @ W_hh + z[0] * dL_dh[0]
        dL_dpre = dL_dh[:, None, :] * to_pre  # (T, 3, H), no recurrence left: one product

        # Totals: sums over t of outer products, each one matmul
        dpre = dL_dpre.reshape(T, 3 * H)  # (T, 3H)
        dhh = dL_dhh.reshape(T, 3 * H)  # (T, 3H)
        grads = {
            "W_ih": dpre.T @ X,  # (3H, D)
            "W_hh": dhh.T @ h_before,  # (3H, H)
            "b_ih": dpre.sum(axis=0),  # (3H,)
            "b_hh": dhh.sum(axis=0),  # (3H,)
            "V": dL_do.T @ h,  # (K, H)
            "c": dL_do.sum(axis=0),  # (K,)
            "h0": dL_dh0,
        }

    return GatedTrace(
        params=params, h0=h0, cell0=None, X=X, targets=y,
        pre=pre, gates=gates, hn=hn, cell=None, h=h, o=o, yhat=yhat, losses=losses,
        dL_do=dL_do, dL_dh=dL_dh, dL_dh_from_output=from_output, dL_dh_from_next=from_next,
        dL_dcell=None, dL_dcell_from_h=None, dL_dcell_from_next=None,
        dL_dpre=dL_dpre, dL_dhh=dL_dhh, dL_dh0=dL_dh0, dL_dcell0=None, grads=grads,
    )
