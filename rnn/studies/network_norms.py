"""Every loss term's error at every state of a network, all terms in one backward pass.

``NetworkTrace.error_by_source`` sends one loss term back alone through every layer: S passes
of T steps for S terms, which made a long network's page (T = 400) take twenty seconds. Here
each layer direction's backward pass carries a row per term instead (a cell's ``back_step``
takes rows, as the one-layer ``Trace`` uses it), so the work is T steps of products S rows
high. The terms are taken in blocks so the rows in flight stay within ``BLOCK_BYTES``.
"""

from __future__ import annotations

import numpy as np

from rnn.trace import state_totals

BLOCK_BYTES = 64 * 2**20  # the rows of the terms in flight: errors at every step of a layer


def _in_own_order(a: np.ndarray, d: int) -> np.ndarray:
    """(S, T, ...) sequence order to direction d's reading order along T, and back."""
    return a if d == 0 else a[:, ::-1]


def norms_by_source(params, recs: dict, starts: dict, dL_do: np.ndarray) -> dict:
    """{(l, d, path): (S, T)} the norm of loss term s's error at state ``path`` of layer l's
    direction d at every position t (sequence order, ``[s-1, t-1]``): what one backward pass
    per term gives (``NetworkTrace.error_by_source``), from every term's rows at once.

    ``recs`` and ``starts`` are ``run_network``'s forward records and initial states;
    ``dL_do`` the head's errors, one row per term.
    """
    shape, H = params.shape, params.hidden_size
    S = len(dL_do)
    T = len(next(iter(recs.values()))[0])
    width = max(params.input_size, len(shape.directions) * H)
    block = max(1, min(S, BLOCK_BYTES // (8 * T * (width + 2 * H))))
    out = {(l, d, p): np.empty((S, T)) for l, d in shape.slots for p in params.spec.paths}
    with np.errstate(all="ignore"):
        for first in range(0, S, block):
            terms = range(first, min(first + block, S))
            for key, norms in _block(params, recs, starts, dL_do, terms, T).items():
                out[key][first:first + len(terms)] = norms
    return out


def _block(params, recs, starts, dL_do, terms: range, T: int) -> dict:
    """``norms_by_source`` for the loss terms ``terms`` (0-based), a row each."""
    shape, H, spec = params.shape, params.hidden_size, params.spec
    n = len(terms)
    rows = np.arange(n)
    to_features = dL_do[terms.start:terms.stop] @ params.V  # (n, dirs*H) at what the head reads
    above = {}  # (n, T, H): each term's error reaching a row from outside it, own order
    for d in shape.directions:
        part = to_features[:, d * H:(d + 1) * H]
        arriving = np.zeros((n, T, H))
        if shape.task == "every":  # term s is read at position s
            at = np.asarray(terms) if d == 0 else T - 1 - np.asarray(terms)
            arriving[rows, at] = part
        else:  # one label: read after each direction's own last step
            arriving[:, T - 1] = part
        above[d] = arriving
    out = {}
    others = [p for p in spec.states if p != "h"]
    for l in reversed(range(shape.layers)):
        below = None  # every term's error at this layer's inputs, sequence order
        for d in shape.directions:
            p, (_, rec) = params.layer(l, d), recs[(l, d)]
            back = spec.begin_backward(p, rec, starts[(l, d)])
            norms = {q: np.empty((n, T)) for q in spec.paths}
            reached = None
            sent = {q: np.zeros((n, H)) for q in spec.states}  # from the step after the last
            for t in range(T - 1, -1, -1):
                err = {"h": above[d][:, t] + sent["h"], **{q: sent[q] for q in others}}
                inside, sent = spec.back_step(p, back, t, err)
                for q, e in state_totals(err, inside).items():
                    if q in norms:
                        norms[q][:, t] = np.sqrt(np.einsum("sh,sh->s", e, e))
                x_err = spec.step_input_errors(p, back, t, err, inside)
                if reached is None:
                    reached = np.empty((n, T, x_err.shape[-1]))
                reached[:, t] = x_err
            for q, values in norms.items():
                out[(l, d, q)] = _in_own_order(values, d)
            reached = _in_own_order(reached, d)
            below = reached if below is None else below + reached
        above = {d: np.ascontiguousarray(_in_own_order(below[:, :, d * H:(d + 1) * H], d))
                 for d in shape.directions}
    return out
