"""One layer direction of a network, as the views draw it (``activations``, ``error-map``,
``neuron-text``): a ``Trace`` in that direction's reading order, and which one to draw.

A view's trace holds the layer direction's own states, parts and errors, the network's input
characters at the positions it reads (a backward direction reads the text from its end), and
the network's outputs at those positions. Its ``V`` is the head's weights on this layer
direction's units (zero below the top layer: the head reads only the top); its errors by
source are the network's: every loss term's error, sent back alone through every layer.
With one label per sequence, the one output sits after the last step it reads
(``extra["one_label"]``), and the earlier rows of its outputs are empty (zero loss).
"""

from __future__ import annotations

import re

import numpy as np

from rnn.cells import Params
from rnn.errors import UnrolledError
from rnn.network import DIRECTION_NAMES, NetworkTrace, cell_names, in_own_order, suffix
from rnn.trace import Trace

CHOICE = re.compile(r"^(?:(?P<layer>[0-9]+)(?:-(?P<dir>forward|backward))?)?"
                    r"(?::?(?P<name>[a-z][a-z0-9_-]*))?$")


def parse_layer_choice(text: str | None, layers: int, bidirectional: bool) -> tuple[int, int, str]:
    """``--layer`` of a network: ``2`` (layer 2's h), ``1-backward``, ``2:cell``,
    ``1-backward:gate-f``, or a name alone (the top layer's forward direction). Layers count
    from 1 at the bottom (torch's ``_l0``). Returns (0-based layer, direction, name)."""
    m = CHOICE.match(text or "")
    if not m:
        raise UnrolledError(f"--layer {text!r}: expected N, N-backward, N:NAME or NAME "
                            "(e.g. 2, 1-backward, 2:cell)")
    layer = int(m["layer"]) if m["layer"] else layers
    if not 1 <= layer <= layers:
        raise UnrolledError(f"--layer {text!r}: the network has layers 1 to {layers}")
    d = DIRECTION_NAMES.index(m["dir"]) if m["dir"] else 0
    if d and not bidirectional:
        raise UnrolledError(f"--layer {text!r}: the network reads one way (no --bidirectional)")
    return layer - 1, d, m["name"] or "h"


def layer_view(trace: NetworkTrace, l: int, d: int = 0) -> Trace:
    """Layer l's direction d of ``trace`` as a Trace for the views (see the module)."""
    own = trace.layer(l, d)
    shape, T, H = trace.shape, trace.T, trace.params.hidden_size
    K = trace.params.output_size
    top = l == shape.layers - 1
    V = trace.params.V[:, d * H:(d + 1) * H] if top else np.zeros((K, H))
    arrays = {n: getattr(trace.params, n + suffix(l, d)) for n in cell_names(trace.spec)}
    params = Params(trace.spec, **arrays, V=V, c=trace.params.c)
    if shape.task == "every":
        o, yhat, dL_do, losses, targets = (in_own_order(a, d) for a in (
            trace.o, trace.yhat, trace.dL_do, trace.losses, trace.targets))
    else:  # the one output, after the last step this direction reads
        o, yhat, dL_do = np.zeros((T, K)), np.full((T, K), 1.0 / K), np.zeros((T, K))
        o[-1], yhat[-1], dL_do[-1] = trace.o[0], trace.yhat[0], trace.dL_do[0]
        losses = np.zeros(T)
        losses[-1] = trace.losses[0]
        targets = np.full(T, trace.targets[0], dtype=np.int64)
    view = Trace(params=params, h0=own.h0, X=own.X, targets=targets, h=own.h, o=o, yhat=yhat,
                 losses=losses, dL_do=dL_do, dL_dh=own.dL_dh,
                 dL_dh_from_output=own.dL_dh_from_output, dL_dh_from_next=own.dL_dh_from_next,
                 dL_dh0=own.dL_dh0, parts=own.parts, start=own.start,
                 start_errors=own.start_errors, vocabulary=trace.vocabulary)
    ids = trace.extra.get("input_ids")  # an embedding's rows; else one-hot rows
    ids = np.asarray(ids) if ids is not None else np.argmax(trace.X, axis=1)
    view.extra.update(
        input_ids=in_own_order(ids, d).tolist(), text=trace.extra.get("text"),
        network={"layer": l + 1, "layers": shape.layers, "direction": DIRECTION_NAMES[d],
                 "bidirectional": shape.bidirectional, "task": shape.task},
        one_label=shape.task == "last", classes=trace.extra.get("classes"))
    view.__dict__["_norms"] = {p: _norms(trace, l, d, p) for p in trace.spec.paths}
    return view


def _norms(trace: NetworkTrace, l: int, d: int, path: str) -> np.ndarray:
    """The network's error norms by source for the view, in its reading order: (T, T) for a
    loss at every step, (1, T) for one label."""
    norms = trace.error_by_source_norms(l, d, path)  # (S, T) sequence order
    if d:
        norms = norms[:, ::-1]
        if trace.shape.task == "every":
            norms = norms[::-1]
    return np.ascontiguousarray(norms)


def view_words(view: Trace) -> str:
    """How a title names the layer direction a view draws, after a dash ("" for a one-layer
    model's trace): " (layer 1 of 2, backward: read from the end)"."""
    net = view.extra.get("network")
    if not net or net["layers"] == 1 and not net["bidirectional"]:
        return ""
    way = ""
    if net["bidirectional"]:
        way = ", backward: read from the end" if net["direction"] == "backward" else ", forward"
    return f" (layer {net['layer']} of {net['layers']}{way})"
