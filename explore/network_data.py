"""A network's trace (stacked layers, two directions, one label) as the page's data.

The page draws one band per layer direction, top layer first: each band is a chain of its own
(its inputs, gates, states and h) with the data of a one-layer page, in sequence order, so that
step t of every band sits in one column. What differs is said by the data, never by a shape's
name: which way a band reads (``reads``: its recurrence, its state before step 1 and its errors
from the next step run the other way), what reaches its h from outside its recurrence
(``parts``), whether the head reads it, and at which steps the head has a row (``loss_steps``:
every step, or the last one only for one label per sequence).

Error norms are kept whole, (S, T) per window: a loss term reaches a backward direction, and
every direction below one, at steps after its own as well as before.
"""

from __future__ import annotations

import numpy as np

from explore.equations import equations
from rnn.network import DIRECTION_NAMES, HEAD

READS = ("forward", "backward")


def _slots_top_first(shape) -> list[tuple[int, int]]:
    """Bands in the order drawn: the top layer first (the head reads it), forward first."""
    return sorted(shape.slots, key=lambda slot: (-slot[0], slot[1]))


def band_label(shape, l: int, d: int) -> str:
    """How a band is named on the page: "layer 2 of 2, backward (reads from the end)"."""
    label = f"layer {l + 1} of {shape.layers}"
    if shape.bidirectional:
        label += ", forward" if d == 0 else ", backward (reads from the end)"
    return label


def _inputs_label(shape, l: int) -> str | None:
    """What a band above the first reads, said in words; None for the network's inputs."""
    if l == 0:
        return None
    both = " (its directions' h side by side, forward first)" if shape.bidirectional else ""
    return f"the output of layer {l}{both}"


def _from_outside(shape, reads_head: bool, d: int) -> str:
    """What reaches a band's h(t) from outside its recurrence, in words."""
    if not reads_head:
        return "from the layer above"
    if shape.task == "last":  # torch's h_n: each direction's state after its own last step
        return ("from the output, which reads its h at step 1 (its own last step)" if d
                else "from the output, which reads its h at the last step")
    return "from the output"


def _arrays(trace, l: int, d: int) -> dict:
    """A layer direction's per-step arrays, sequence order (T, ...)."""
    out = {"x": trace.seq(l, d, "X"), "h": trace.seq(l, d, "h")}
    for part in trace.spec.parts:  # what the cell records forward
        if not part.backward:
            out[part.name] = trace.seq(l, d, part.name)
    return out


def error_norms(trace) -> dict:
    """{(l, d, path): (S, T)} ||dL(s)/d<path>(t)|| of every layer direction, sequence order
    (``NetworkTrace.error_norms``: every term's rows carried through one backward pass)."""
    return trace.error_norms()


def _window(trace, start: int, l: int, d: int, head: bool, norms: dict, pack) -> dict:
    """One window of a layer direction, packed: its bounds, its parameters (the head's too on
    the band the head reads), its states before its first step, and its (S, T) error norms."""
    own = trace.layer(l, d)
    params = {k: v for k, v in own.params.as_dict().items()
              if isinstance(v, np.ndarray) and k not in HEAD}  # a layer's own head is empty
    if head:
        params.update({k: getattr(trace.params, k) for k in HEAD})
    w = {"start": start, "stop": start + trace.T - 1,
         "params": {k: pack(v) for k, v in params.items()}, "h0": pack(own.h0),
         "norms": pack(norms[(l, d, "h")])}  # (S, T) sequence order
    for path, start0 in own.start.items():  # the other states (the LSTM's cell state)
        w[f"{path}0"] = pack(start0)
        w[f"{path}_norms"] = pack(norms[(l, d, path)])
    return w


def network_floats(traces) -> int:
    """How many floats the page of a network's ``traces`` holds (checked before packing)."""
    n = 0
    for tr in traces:
        T, S, K = tr.T, len(tr.losses), tr.params.output_size
        paths = len(tr.spec.paths)
        n += S * (2 * K + 1 + tr.features.shape[1]) + tr.params.V.size + K
        for l, d in tr.shape.slots:
            n += sum(np.size(v) for v in _arrays(tr, l, d).values())
            n += sum(np.size(v) for k, v in tr.layer(l, d).params.as_dict().items()
                     if k not in HEAD)
            n += paths * (S * T + tr.params.hidden_size)
    return n


def _input_ids(trace):
    """The input characters' ids: an embedding's rows, else the one-hot inputs' positions."""
    ids = trace.extra.get("input_ids")
    return ids if ids is not None else np.argmax(trace.X, axis=1)


def _features_name(shape) -> str:
    """How the head's input is written in an output's equation."""
    if shape.task == "last":
        return "h_n"  # torch's name: each top direction's state after its own last step
    return "[h_fwd; h_bwd]" if shape.bidirectional else "h"


def network_page_data(traces, pack, title: str) -> dict:
    """The page's data of a network's trace or windows (see the module); ``pack`` packs an
    array as the one-layer page packs it."""
    first = traces[0]
    spec, shape = first.spec, first.shape
    H = first.params.hidden_size
    cat = lambda get: np.concatenate([get(tr) for tr in traces])  # noqa: E731
    T = sum(tr.T for tr in traces)
    loss_steps, start = [], 1
    for tr in traces:  # where the head's rows sit: every step, or after the last (none in
        # a truncated run's window before the one label)
        loss_steps += list(range(start, start + tr.T)) if shape.task == "every" \
            else [start + tr.T - 1][:len(tr.losses)]
        start += tr.T
    head = {"o": cat(lambda tr: tr.o), "yhat": cat(lambda tr: tr.yhat),
            "loss": cat(lambda tr: tr.losses), "features": cat(lambda tr: tr.features)}
    bands, all_norms = [], [error_norms(tr) for tr in traces]
    for l, d in _slots_top_first(shape):
        reads_head = l == shape.layers - 1
        per_window = [_arrays(tr, l, d) for tr in traces]
        arrays = {k: np.concatenate([a[k] for a in per_window]) for k in per_window[0]}
        windows, start = [], 1
        for tr, norms in zip(traces, all_norms):
            windows.append(_window(tr, start, l, d, reads_head and d == 0, norms, pack))
            start += tr.T
        shapes = {k: np.shape(v) for k, v in first.layer(l, d).params.as_dict().items()}
        bands.append({
            "label": band_label(shape, l, d), "layer": l + 1, "direction": DIRECTION_NAMES[d],
            "reads": READS[d], "head": reads_head and d == 0,
            "parts": [_from_outside(shape, reads_head, d), "from its next step"],
            "inputs": _inputs_label(shape, l), "D": arrays["x"].shape[1],
            "equations": equations(spec, shapes, set(arrays), H),
            "windows": windows, "arrays": {k: pack(v) for k, v in arrays.items()},
        })
    vocab = list(first.vocabulary.chars) if first.vocabulary else None
    classes = first.extra.get("classes")
    ids = [int(i) for tr in traces for i in _input_ids(tr)]
    return {
        "cell": spec.name, "title": title, "cell_title": spec.title,
        "relu": bool(getattr(spec, "relu", False)),
        "shape": ", ".join(filter(None, [shape.words(), "one label per sequence"
                                         if shape.task == "last" else ""])),
        "T": T, "H": H, "D": first.X.shape[1], "K": first.params.output_size,
        "gates": list(first.layer(0).gate_names), "states": list(spec.states),
        "vocabulary": vocab, "classes": list(classes) if classes else None,
        "targets": [int(y) for tr in traces for y in tr.targets],
        "chars": [vocab[i] for i in ids] if vocab else None,
        "loss_steps": loss_steps, "features_name": _features_name(shape),
        "arrays": {k: pack(v) for k, v in head.items()},
        "bands": bands,
    }
