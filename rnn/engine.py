"""Forward pass and back propagation through time for any cell, recorded in a Trace.

Written once against the cell interface (``rnn.cells``); the output layer and the loss are
those of Goodfellow et al., *Deep Learning*, section 10.2, for every cell::

    o(t) = c + V h(t)        yhat(t) = softmax(o(t))        L = sum_t -log yhat(t)[y(t)]

and the error at h(t) is always the sum of its two recorded parts::

    dL/dh(t) = V^T dL/do(t) + (what step t+1 sends back to h(t))
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from rnn.cells import Params
from rnn.errors import UnrolledError
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


def given_states(spec, state0=None, starts: dict | None = None) -> dict:
    """The states before step 1 a caller gave, by name (None where not given).

    ``state0`` maps state names to (H,) vectors (``{"h": h0, "cell": cell0}``, as
    ``Trace.state0``); an array alone is h's, the state every cell has. ``starts`` gives
    them one by one under the names of their gradients, ``h0=...``, ``cell0=...``.
    """
    given = dict.fromkeys(spec.states)
    named = {} if state0 is None else dict(state0) if isinstance(state0, Mapping) else {
        "h": state0}
    for key, value in [*((f"{n}0", v) for n, v in named.items()), *(starts or {}).items()]:
        name = _check_state_name(spec, key)
        if given[name] is not None:
            raise UnrolledError(f"{key} is given twice")
        given[name] = value
    return given


def _check_state_name(spec, key: str) -> str:
    """The state of ``key`` ("cell0" -> "cell"), or one clear UnrolledError."""
    if not (key.endswith("0") and key[:-1] in spec.states):
        have = ", ".join(f"{p}0" for p in spec.states)
        raise UnrolledError(f"{key} is not a state of the {spec.title} (its states: {have})")
    return key[:-1]


def check_inputs(params: Params, X, y, state0=None, **starts):
    """Inputs as float64/int64 arrays of the shapes ``params`` needs, and every state before
    step 1 (zeros where not given; see ``given_states``), or one clear UnrolledError."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    H, D, K = params.hidden_size, params.input_size, params.output_size
    if X.ndim != 2 or X.shape[1] != D or len(X) == 0:
        raise UnrolledError(f"inputs must have shape (T, {D}) with T >= 1, got {X.shape}")
    if y.shape != (len(X),) or not np.issubdtype(y.dtype, np.integer):
        raise UnrolledError(f"targets must be {len(X)} integers, got shape {y.shape} {y.dtype}")
    if y.min() < 0 or y.max() >= K:
        raise UnrolledError(f"targets must lie in 0..{K - 1}")
    out = {}
    for name, value in given_states(params.spec, state0, starts).items():
        value = np.zeros(H) if value is None else np.asarray(value, np.float64)
        if value.shape != (H,):
            raise UnrolledError(f"{name}0 must have shape ({H},), got {value.shape}")
        out[name] = value
    return X, y.astype(np.int64), out


def forward_layer(params: Params, X: np.ndarray, state0: dict) -> dict:
    """One layer's recurrence over X from the states ``state0``: every state and recorded part,
    (T, H) arrays by name (the cell's ``begin_forward``/``step``, sequentially)."""
    spec, T, H = params.spec, len(X), params.hidden_size
    rec = {name: np.empty((T, H)) for name in spec.states}
    ctx = spec.begin_forward(params, X, rec)
    states = [(name, rec[name]) for name in spec.states]
    prev = state0
    for t in range(T):
        spec.step(params, ctx, rec, t, prev)
        prev = {name: arr[t] for name, arr in states}
    return rec


def backward_layer(params: Params, rec: dict, state0: dict,
                   from_output: np.ndarray) -> tuple[dict, np.ndarray, dict]:
    """BPTT through one layer, given the error reaching each h(t) from outside the recurrence
    (``from_output``, (T, H): from the outputs, or from the layer above in a stack).

    Returns ``(back, from_next, sent)``: the cell's recorded errors by name (``back["dL_dh"]``
    the total at every h(t)), what step t+1 sends back to h(t), and what reaches every state
    before step 1.
    """
    spec = params.spec
    T, H = from_output.shape
    others = [p for p in spec.states if p != "h"]
    from_next = np.zeros((T, H))  # what step t+1 sends back; nothing after the last step
    dL_dh = np.empty((T, H))
    back = spec.begin_backward(params, rec, state0)
    back["dL_dh"] = dL_dh
    carried = [(p, np.zeros((T, H))) for p in others]  # what step t+1 sends the other states
    for p, arr in carried:
        back[f"dL_d{p}_from_next"] = arr
    recorded = None  # the cell's own error arrays, allocated once their shapes are known
    for t in range(T - 1, -1, -1):
        dL_dh[t] = from_output[t] + from_next[t]  # the two parts of dL/dh(t)
        err = {"h": dL_dh[t]}
        for p, arr in carried:
            err[p] = arr[t]
        inside, sent = spec.back_step(params, back, t, err)
        if recorded is None:
            recorded = [(name, np.empty((T, *value.shape))) for name, value in inside.items()]
            back.update(recorded)
        for name, arr in recorded:  # the cell's own errors at step t, recorded
            arr[t] = inside[name]
        if t > 0:
            from_next[t - 1] = sent["h"]
            for p, arr in carried:
                arr[t - 1] = sent[p]
    spec.end_backward(params, rec, back)  # and sent: what reaches the states before step 1
    return back, from_next, sent


def output_errors(yhat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL/do(t) = yhat(t) - onehot(y(t)) for every output row."""
    dL_do = yhat.copy()
    dL_do[np.arange(len(y)), y] -= 1.0
    return dL_do


def run(params: Params, X: np.ndarray, y: np.ndarray, state0=None, **starts) -> Trace:
    """Forward and full BPTT over one sequence; every activation, error and gradient recorded.

    Parameters
    ----------
    params : the shared parameters of any cell (``params.spec``).
    X : (T, D) real-valued inputs (one-hot rows for text).
    y : (T,) integer targets, each in ``range(K)``.
    state0 : every state the cell declares before step 1, by name (``trace.state0`` of
        another run); zeros where not given. An array alone is h(0).
    **starts : the same one by one, named as their gradients: ``h0=...``, ``cell0=...``.
    """
    X, y, state0 = check_inputs(params, X, y, state0, **starts)
    spec, V, c = params.spec, params.V, params.c
    others = [p for p in spec.states if p != "h"]

    with np.errstate(all="ignore"):  # overflow is recorded as it is, and reported by the Trace
        # Forward: the recurrence is sequential; the output layer is one matmul over all steps
        rec = forward_layer(params, X, state0)
        h = rec["h"]
        o = h @ V.T + c  # (T, K)
        yhat, losses = softmax_and_loss(o, y)

        # Backward: errors at the outputs, then through time from the last step to the first
        dL_do = output_errors(yhat, y)  # (T, K), yhat(t) - onehot(y(t))
        from_output = dL_do @ V  # (T, H), V^T dL/do(t)
        back, from_next, sent = backward_layer(params, rec, state0, from_output)

    parts = {p.name: (back if p.backward else rec)[p.name] for p in spec.parts}
    return Trace(
        params=params, h0=state0["h"], X=X, targets=y, h=h, o=o, yhat=yhat, losses=losses,
        dL_do=dL_do, dL_dh=back["dL_dh"], dL_dh_from_output=from_output,
        dL_dh_from_next=from_next, dL_dh0=sent["h"], parts=parts,
        start={p: state0[p] for p in others}, start_errors={p: sent[p] for p in others},
    )
