"""The Trace file format (``unrolled.trace`` version 2, reading 1 too), a public contract
documented in the README, and the one loader of both forms.

JSON: floats are written with Python's shortest round-trip repr, so float64 values come back
bit for bit. NaN and infinities, which JSON lacks, are written as the strings ``"NaN"``,
``"Infinity"`` and ``"-Infinity"``. A path ending in ``.npz`` is the binary form
(``rnn.traces.npz_form``) of the same document; both are checked by ``rnn.traces.document.from_doc``.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import numpy as np

from rnn import limits
from rnn.errors import UnrolledError
from rnn.files.atomic import write_text_atomic
from rnn.files.safe_io import parse_json, read_text
from rnn.trace import Trace
from rnn.traces.document import FORMAT, VERSION, from_doc, is_triangle, to_doc
from rnn.traces.values import NON_FINITE, Reader, encode_array, encode_number

__all__ = ["FORMAT", "NON_FINITE", "VERSION", "Reader", "dumps", "encode_array",
           "encode_number", "is_npz", "load", "load_any", "loads", "save"]


# Writing ------------------------------------------------------------------------------
def _value(v):
    """A document leaf as JSON: arrays as nested lists, floats encoded, dicts and lists walked."""
    if isinstance(v, np.ndarray):
        if v.dtype.kind in "iu":
            return [int(x) for x in v]
        return encode_array(v)
    if isinstance(v, dict):
        return {k: _value(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_value(x) for x in v]
    if isinstance(v, (float, np.floating)):
        return encode_number(v)
    return v


def _steps(columns: dict, targets: np.ndarray | None) -> list[dict]:
    """Columns (T, ...) as T step objects: ``t``, ``target`` (when given), then each key's
    row."""
    steps = []
    T = len(targets) if targets is not None else len(next(iter(columns.values())))
    for i in range(T):
        step = {"t": i + 1} if targets is None else {"t": i + 1, "target": int(targets[i])}
        for k, col in columns.items():
            if isinstance(col, dict):  # gates, pre, gate_errors: one row per gate
                step[k] = {n: encode_array(c[i]) for n, c in col.items()}
            else:
                step[k] = encode_array(col[i])
        steps.append(step)
    return steps


def _triangle(a: np.ndarray) -> list:
    """[s][t] rows with null where t > s."""
    return [[encode_array(a[s, t]) if s >= t else None for t in range(len(a))]
            for s in range(len(a))]


def _json_trace(body: dict) -> dict:
    out = {}
    for k, v in body.items():
        if k == "steps":
            out[k] = _steps(v, body["targets"])
        elif is_triangle(k):
            out[k] = _triangle(v)
        else:
            out[k] = _value(v)
    return out


def dumps(traces, text: str | None = None, full_errors: bool | None = None) -> str:
    """A trace (or the windows of a truncated run) as a JSON document; same input, same bytes.

    ``full_errors``: write the vectors ``error_by_source`` (simple RNN); None writes them
    when T x T x H is at most ``rnn.limits.FULL_ERRORS_FLOATS``.
    """
    doc = to_doc(traces, text, full_errors)
    if "network" in doc:
        from rnn.traces.network_doc import json_network_doc

        if "windows" in doc:
            out = {k: _value(v) for k, v in doc.items() if k != "windows"}
            out["windows"] = [json_network_doc(w, _value, _steps) for w in doc["windows"]]
        else:
            out = json_network_doc(doc, _value, _steps)
    elif "windows" in doc:
        doc["windows"] = [_json_trace(w) for w in doc["windows"]]
        out = {k: (v if k == "windows" else _value(v)) for k, v in doc.items()}
    else:
        out = _json_trace(doc)
    return json.dumps(out, indent=1, allow_nan=False) + "\n"


def is_npz(path: str | Path) -> bool:
    """The binary form is chosen by the extension: ``.npz``; anything else is JSON."""
    return Path(path).suffix.lower() == ".npz"


def save(path: str | Path, traces, text: str | None = None,
         full_errors: bool | None = None) -> None:
    """Write a trace as JSON, or as ``.npz`` if ``path`` ends in ``.npz``; atomically."""
    if is_npz(path):
        from rnn.traces.npz_form import save_npz

        save_npz(path, to_doc(traces, text, full_errors))
    else:
        write_text_atomic(path, dumps(traces, text, full_errors))


# Reading ------------------------------------------------------------------------------
def loads(text: str, source: str = "trace") -> Trace | list:
    """Parse and validate a JSON Trace document; one clear UnrolledError if anything is wrong."""
    r = Reader(source)
    return from_doc(r, parse_json(text, source))


# The last file read, by identity: one command asks for its --trace several times (checked
# before manim loads, its cell, the scenes' trace), and a 25 MB file took a second each.
_last: tuple[tuple, Trace | list] | None = None


def _identity(path: str | Path) -> tuple | None:
    """What tells one version of a regular file from another; None for anything else (which
    the readers refuse, every time)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return os.path.realpath(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def load_any(path: str | Path) -> Trace | list:
    """Read a Trace file of any cell, JSON or ``.npz`` (by its extension), with validation:
    a Trace, or a list of window traces. The same unchanged file is read and checked once."""
    global _last
    key = _identity(path)
    if key is not None and _last is not None and _last[0] == key:
        return _last[1]
    if is_npz(path):
        from rnn.traces.npz_form import load_npz_doc

        loaded = from_doc(Reader(str(path)), load_npz_doc(path))
    else:
        loaded = loads(read_text(path, limits.MAX_TRACE_FILE, "trace file"), source=str(path))
    if key is not None and key == _identity(path):  # unchanged while it was read
        _last = (key, loaded)
    return loaded


def load(path: str | Path, cells: tuple[str, ...] = ("rnn",)) -> Trace | list[Trace]:
    """Read a Trace file of one of ``cells`` (the cells the caller draws); a trace of another
    cell is refused with one line."""
    loaded = load_any(path)
    first = loaded[0] if isinstance(loaded, list) else loaded
    if first.kind not in cells:
        from rnn.cells import get_cell

        needs = " or ".join("a simple-RNN" if c == "rnn" else f"{get_cell(c).article} {c}"
                            for c in cells)
        raise UnrolledError(f"trace file {path} holds {first.spec.article} {first.kind} trace; "
                            f"this needs {needs} trace (cell \"{cells[0]}\")")
    return loaded


def cell_of(path: str | Path) -> str:
    """The cell of a Trace file (read and validated whole, as ``load_any``)."""
    loaded = load_any(path)
    return (loaded[0] if isinstance(loaded, list) else loaded).kind
