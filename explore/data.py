"""A Trace (or the windows of a truncated run) as the page's data: compact arrays, no maths.

Everything the page shows is read here from the recorded arrays and handed over as it is:
float64 little-endian, base64, one block per array. The page formats these numbers; it never
recomputes them. This is the only module of ``explore`` that reads a Trace.
"""

from __future__ import annotations

import base64

import numpy as np

from rnn.errors import UnrolledError
from rnn.gated_trace import GatedTrace
from rnn.limits import MEMORY_BUDGET

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


def _cell(trace) -> str:
    return trace.kind if isinstance(trace, GatedTrace) else "rnn"


def _window(trace, start: int) -> dict:
    """What changes from window to window: its bounds, parameters, initial state, norms."""
    w = {"start": start, "stop": start + trace.T - 1,
         "params": {k: pack(v) for k, v in trace.params.as_dict().items()
                    if isinstance(v, np.ndarray)},
         "h0": pack(trace.h0),
         "norms": pack(lower_triangle(trace.error_by_source_norms()))}  # ||dL(s)/dh(t)||
    if isinstance(trace, GatedTrace) and trace.cell is not None:
        w["cell0"] = pack(trace.cell0)
        w["cell_norms"] = pack(lower_triangle(trace.cell_error_by_source_norms()))
    return w


def page_floats(traces) -> int:
    """How many floats the page of ``traces`` holds (checked before packing)."""
    traces = traces if isinstance(traces, list) else [traces]
    n = 0
    for tr in traces:
        T, H = tr.h.shape
        D, K = tr.X.shape[1], tr.yhat.shape[1]
        G = len(tr.gate_names) if isinstance(tr, GatedTrace) else 1
        n += T * (D + 2 * K + 2 * G * H + 3 * H + 1) + T * (T + 1)  # steps, both norms
        n += sum(np.size(v) for v in tr.params.as_dict().values() if isinstance(v, np.ndarray))
    return n


def page_data(traces, title: str = "unrolled") -> dict:
    """The page's data of a trace or of a list of window traces (one sequence, cuts marked)."""
    traces = traces if isinstance(traces, list) else [traces]
    if not traces:
        raise UnrolledError("no trace to explore")
    floats = page_floats(traces)
    if floats > MAX_PAGE_FLOATS:
        raise UnrolledError(f"the page would hold {floats} numbers; at most {MAX_PAGE_FLOATS} "
                            "(use a shorter text or fewer hidden units)")
    for tr in traces:  # a gated trace's norms come from its (T, T, H) errors by source
        if isinstance(tr, GatedTrace):
            need = tr.T * tr.T * tr.h.shape[1] * 8 * (2 if tr.kind == "lstm" else 1)
            if need > MEMORY_BUDGET:
                raise UnrolledError(f"the {tr.kind} trace's errors by source need "
                                    f"{need / 1e9:.1f} GB; at most {MEMORY_BUDGET / 1e9:.1f} GB "
                                    "(use a shorter text, --window or fewer hidden units)")
    first = traces[0]
    cell = _cell(first)
    cat = lambda get: np.concatenate([get(tr) for tr in traces])  # noqa: E731  (T, ...)
    arrays = {"x": cat(lambda tr: tr.X), "h": cat(lambda tr: tr.h), "o": cat(lambda tr: tr.o),
              "yhat": cat(lambda tr: tr.yhat), "loss": cat(lambda tr: tr.losses)}
    if cell == "rnn":
        arrays["a"] = cat(lambda tr: tr.a)
    else:
        arrays["pre"] = cat(lambda tr: tr.pre)  # (T, G, H)
        arrays["gates"] = cat(lambda tr: tr.gates)  # (T, G, H)
        if cell == "lstm":
            arrays["cell"] = cat(lambda tr: tr.cell)
        else:
            arrays["hn"] = cat(lambda tr: tr.hn)
    windows, start = [], 1
    for tr in traces:
        windows.append(_window(tr, start))
        start += tr.T
    T, H = arrays["h"].shape
    vocab = list(first.vocabulary.chars) if first.vocabulary else None
    return {
        "format": FORMAT, "version": VERSION, "cell": cell, "title": title,
        "T": T, "H": H, "D": arrays["x"].shape[1], "K": arrays["yhat"].shape[1],
        "gates": list(first.gate_names) if cell != "rnn" else [],
        "vocabulary": vocab,
        "targets": [int(y) for tr in traces for y in tr.targets],
        "chars": [c for tr in traces for c in tr.input_chars()] if vocab else None,
        "windows": windows,
        "arrays": {k: pack(v) for k, v in arrays.items()},
    }
