"""A Trace (or the windows of a truncated run) as the page's data: compact arrays, no maths.

Everything the page shows is read here from the recorded arrays and handed over as it is:
float64 little-endian, base64, one block per array. The page formats these numbers; it never
recomputes them. This module and ``network_data`` (a network's trace: stacked layers, two
directions, one label) are the only modules of ``explore`` that read a Trace.
"""

from __future__ import annotations

import base64

import numpy as np

from explore.equations import equations
from explore.network_data import network_floats, network_page_data
from rnn.errors import UnrolledError
from rnn.network import NetworkTrace

FORMAT = "unrolled.explore"
VERSION = 1
# The page's data is read whole by the browser; beyond this it would not open fluidly.
MAX_PAGE_FLOATS = 20_000_000  # 160 MB of float64 (213 MB as base64)


def pack(a: np.ndarray) -> dict:
    """An array as ``{"shape": [...], "f64": base64}`` of little-endian float64."""
    a = np.ascontiguousarray(a, dtype="<f8")
    return {"shape": list(a.shape), "f64": base64.b64encode(a.tobytes()).decode("ascii")}


def lower_triangle(m: np.ndarray) -> np.ndarray:
    """Rows s of a (T, T) matrix, entries t <= s, one after another: s (s + 1) / 2 + t."""
    return m[np.tril_indices(len(m))]  # row-major: (0,0), (1,0), (1,1), (2,0), ...


def _window(trace, start: int) -> dict:
    """What changes from window to window: its bounds, parameters, initial state, norms."""
    w = {"start": start, "stop": start + trace.T - 1,
         "params": {k: pack(v) for k, v in trace.params.as_dict().items()
                    if isinstance(v, np.ndarray)},
         "h0": pack(trace.h0),
         "norms": pack(lower_triangle(trace.error_by_source_norms()))}  # ||dL(s)/dh(t)||
    for path, start0 in trace.start.items():  # the other error paths (the LSTM's cell state)
        w[f"{path}0"] = pack(start0)
        w[f"{path}_norms"] = pack(lower_triangle(trace.error_by_source_norms(path)))
    return w


def page_floats(traces) -> int:
    """How many floats the page of ``traces`` holds (checked before packing)."""
    traces = traces if isinstance(traces, list) else [traces]
    n = 0
    for tr in traces:
        T, H = tr.h.shape
        D, K = tr.X.shape[1], tr.yhat.shape[1]
        G = max(1, len(tr.gate_names))
        n += T * (D + 2 * K + 2 * G * H + 3 * H + 1) + T * (T + 1)  # steps, both norms
        n += sum(np.size(v) for v in tr.params.as_dict().values() if isinstance(v, np.ndarray))
    return n


def page_data(traces, title: str = "unrolled") -> dict:
    """The page's data of a trace or of a list of window traces (one sequence, cuts marked)."""
    traces = traces if isinstance(traces, list) else [traces]
    if not traces:
        raise UnrolledError("no trace to explore")
    network = isinstance(traces[0], NetworkTrace)
    floats = network_floats(traces) if network else page_floats(traces)
    if floats > MAX_PAGE_FLOATS:
        raise UnrolledError(f"the page would hold {floats} numbers; at most {MAX_PAGE_FLOATS} "
                            "(use a shorter text or fewer hidden units)")
    if network:
        return {"format": FORMAT, "version": VERSION, **network_page_data(traces, pack, title)}
    first = traces[0]
    spec = first.spec
    cat = lambda get: np.concatenate([get(tr) for tr in traces])  # noqa: E731  (T, ...)
    arrays = {"x": cat(lambda tr: tr.X), "h": cat(lambda tr: tr.h), "o": cat(lambda tr: tr.o),
              "yhat": cat(lambda tr: tr.yhat), "loss": cat(lambda tr: tr.losses)}
    for part in spec.parts:  # what the cell records forward: a; pre, gates, cell or hn
        if not part.backward:
            arrays[part.name] = cat(lambda tr, name=part.name: tr.parts[name])  # (T, [G,] H)
    windows, start = [], 1
    for tr in traces:
        windows.append(_window(tr, start))
        start += tr.T
    T, H = arrays["h"].shape
    vocab = list(first.vocabulary.chars) if first.vocabulary else None
    return {
        "format": FORMAT, "version": VERSION, "cell": spec.name, "title": title,
        "cell_title": spec.title, "relu": bool(getattr(spec, "relu", False)),
        "T": T, "H": H, "D": arrays["x"].shape[1], "K": arrays["yhat"].shape[1],
        "gates": list(first.gate_names),
        "states": list(spec.states),  # h first, then the others (drawn, and errors' paths)
        "equations": equations(spec, {k: np.shape(v) for k, v in first.params.as_dict().items()},
                               set(arrays), H),
        "vocabulary": vocab,
        "targets": [int(y) for tr in traces for y in tr.targets],
        "chars": [c for tr in traces for c in tr.input_chars()] if vocab else None,
        "windows": windows,
        "arrays": {k: pack(v) for k, v in arrays.items()},
    }
