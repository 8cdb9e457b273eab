"""Forward pass and back propagation through time, recorded step by step in a Trace.

The equations are those of Goodfellow et al., *Deep Learning*, section 10.2::

    a(t) = b + W h(t-1) + U x(t)      h(t) = tanh(a(t))
    o(t) = c + V h(t)                 yhat(t) = softmax(o(t))
    L = sum_t L(t),   L(t) = -log yhat(t)[y(t)]
"""

from __future__ import annotations

import numpy as np

from rnn.errors import UnrolledError
from rnn.params import Params
from rnn.trace import Trace


def softmax_and_loss(o: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise softmax and cross-entropy, stable for large logits (shift by the row maximum)."""
    shifted = o - o.max(axis=1, keepdims=True)  # (T, K), every row's maximum is 0
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    yhat = exp / total
    # -log softmax(o)[y] = logsumexp(o) - o[y], never log(0)
    losses = np.log(total[:, 0]) - shifted[np.arange(len(y)), y]
    return yhat, losses


def run(params: Params, X: np.ndarray, y: np.ndarray, h0: np.ndarray | None = None) -> Trace:
    """Forward and full BPTT over one sequence; every activation, error and gradient recorded.

    Parameters
    ----------
    params : the shared parameters.
    X : (T, D) real-valued inputs (one-hot rows for text).
    y : (T,) integer targets, each in ``range(K)``.
    h0 : (H,) initial state, zeros if omitted.
    """
    X, y, h0 = check_inputs(params, X, y, h0)
    U, W, V, b, c = params.U, params.W, params.V, params.b, params.c
    T, H = len(X), params.hidden_size

    with np.errstate(all="ignore"):  # overflow is recorded as it is, and reported by the Trace
        # Forward: the recurrence is sequential; the output layer is one matmul over all steps
        a = np.empty((T, H))
        h = np.empty((T, H))
        Ux = X @ U.T  # (T, H), U x(t) for every t
        h_prev = h0
        for t in range(T):
            a[t] = b + W @ h_prev + Ux[t]
            h[t] = np.tanh(a[t])
            h_prev = h[t]
        o = h @ V.T + c  # (T, K)
        yhat, losses = softmax_and_loss(o, y)

        # Backward: errors at the outputs, then through time from the last step to the first
        dL_do = yhat.copy()
        dL_do[np.arange(T), y] -= 1.0  # (T, K), yhat(t) - onehot(y(t))
        from_output = dL_do @ V  # (T, H), V^T dL/do(t)
        from_next = np.zeros((T, H))  # W^T dL/da(t+1); nothing comes after the last step
        dL_dh = np.empty((T, H))
        dL_da = np.empty((T, H))
        dh_da = 1.0 - h * h  # tanh'(a(t)) = 1 - h(t)^2
        for t in reversed(range(T)):
            if t + 1 < T:
                from_next[t] = W.T @ dL_da[t + 1]
            dL_dh[t] = from_output[t] + from_next[t]
            dL_da[t] = dh_da[t] * dL_dh[t]
        dL_dh0 = W.T @ dL_da[0]

    return Trace(
        params=params,
        h0=h0,
        X=X,
        targets=y,
        a=a,
        h=h,
        o=o,
        yhat=yhat,
        losses=losses,
        dL_do=dL_do,
        dL_dh=dL_dh,
        dL_dh_from_output=from_output,
        dL_dh_from_next=from_next,
        dL_da=dL_da,
        dL_dh0=dL_dh0,
    )


def check_inputs(params, X, y, h0):
    """Inputs as float64/int64 arrays of the shapes ``params`` (any cell) needs, with h0
    (zeros if None), or one clear UnrolledError."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    H, D, K = params.hidden_size, params.input_size, params.output_size
    if X.ndim != 2 or X.shape[1] != D or len(X) == 0:
        raise UnrolledError(f"inputs must have shape (T, {D}) with T >= 1, got {X.shape}")
    if y.shape != (len(X),) or not np.issubdtype(y.dtype, np.integer):
        raise UnrolledError(f"targets must be {len(X)} integers, got shape {y.shape} {y.dtype}")
    if y.min() < 0 or y.max() >= K:
        raise UnrolledError(f"targets must lie in 0..{K - 1}")
    h0 = np.zeros(H) if h0 is None else np.asarray(h0, dtype=np.float64)
    if h0.shape != (H,):
        raise UnrolledError(f"h0 must have shape ({H},), got {h0.shape}")
    return X, y.astype(np.int64), h0
