"""Encoding numbers for JSON, and the Reader: the one place that checks what a Trace file holds.

A loaded document's leaves are JSON values (from a ``.json`` file) or numpy arrays (from an
``.npz``); the Reader accepts both, so both forms go through the same checks.
"""

from __future__ import annotations

import math

import numpy as np

from rnn.errors import UnrolledError
from rnn.params import Params

NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


# Encoding ------------------------------------------------------------------------------
def encode_number(v: float) -> float | str:
    """A float for JSON: itself if finite, else ``"NaN"``, ``"Infinity"`` or ``"-Infinity"``."""
    v = float(v)
    if math.isfinite(v):
        return v
    return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")


def encode_array(a: np.ndarray):
    """An array (or scalar) as nested lists of ``encode_number`` values."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 0:
        return encode_number(a)
    return [encode_array(row) for row in a] if a.ndim > 1 else [encode_number(v) for v in a]


# Decoding ------------------------------------------------------------------------------
class Reader:
    """Pulls typed values out of a parsed document, naming the key when something is wrong."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, msg: str):
        raise UnrolledError(f"{self.source}: {msg}")

    def document(self, text: str, fmt: str, version: int, kind: str) -> dict:
        """Parse ``text`` and check its ``format`` and ``version`` header."""
        from rnn.files.safe_io import parse_json

        doc = parse_json(text, self.source)
        if not isinstance(doc, dict) or doc.get("format") != fmt:
            self.fail(f"not an unrolled {kind} (expected \"format\": \"{fmt}\")")
        if doc.get("version") != version:
            self.fail(f"unsupported {kind} version {doc.get('version')!r} (this reads {version})")
        return doc

    def get(self, obj: dict, key: str, where: str = ""):
        if not isinstance(obj, dict) or key not in obj:
            self.fail(f"missing key {where + key!r}")
        return obj[key]

    def array(self, value, shape: tuple, key: str) -> np.ndarray:
        """A float64 array of ``shape``: nested JSON lists, or an array read from an .npz."""
        if isinstance(value, np.ndarray):
            if value.dtype != np.float64:
                self.fail(f"{key!r} has dtype {value.dtype}, expected float64")
            if value.shape != shape:
                self.fail(f"{key!r} has shape {value.shape}, expected {shape}")
            return value

        def conv(v):
            if isinstance(v, list):
                return [conv(x) for x in v]
            if isinstance(v, str) and v in NON_FINITE:
                return NON_FINITE[v]
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                self.fail(f"{key!r} holds a non-number")
            return float(v)

        values = conv(value)  # outside the try: UnrolledError is a ValueError too
        try:
            arr = np.array(values, dtype=np.float64)
        except ValueError:
            self.fail(f"{key!r} is not a regular array")
        if arr.shape != shape:
            self.fail(f"{key!r} has shape {arr.shape}, expected {shape}")
        return arr

    def indices(self, value, n: int, K: int, key: str) -> np.ndarray:
        """``n`` class indices in 0..K-1: a JSON list of integers or an int64 array."""
        if isinstance(value, np.ndarray):
            if value.dtype != np.int64 or value.shape != (n,):
                self.fail(f"{key!r} must be {n} int64 indices, got {value.dtype} {value.shape}")
            if n and (value.min() < 0 or value.max() >= K):
                self.fail(f"{key!r} must lie in 0..{K - 1}")
            return value
        if (not isinstance(value, list) or len(value) != n
                or any(isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < K
                       for v in value)):
            self.fail(f"{key!r} must be {n} integers in 0..{K - 1}")
        return np.array(value, dtype=np.int64)

    def triangle(self, value, T: int, key: str, tail: tuple = ()) -> np.ndarray:
        """A (T, T, *tail) array indexed [s][t], null (JSON) or NaN (.npz) exactly where t > s."""
        if isinstance(value, np.ndarray):
            arr = self.array(value, (T, T, *tail), key)
            upper = np.triu(np.ones((T, T), dtype=bool), k=1)
            if not np.all(np.isnan(arr[upper])):
                self.fail(f"{key!r} must be NaN where t > s")
            return arr
        if not isinstance(value, list) or len(value) != T:
            self.fail(f"{key!r} must be a list of {T} rows")
        out = np.full((T, T, *tail), np.nan)
        for s, row in enumerate(value):
            if not isinstance(row, list) or len(row) != T:
                self.fail(f"{key}[{s}] must be a list of {T} entries")
            for t, v in enumerate(row):
                if (v is None) != (t > s):
                    self.fail(f"{key}[{s}][{t}] must be {'null' if t > s else 'a value'}")
                if v is not None:
                    out[s, t] = self.array(v, tail, f"{key}[{s}][{t}]")
        return out

    def number(self, value, key: str, finite: bool = True, positive: bool = False) -> float:
        """A JSON number (not a boolean, not null); finite unless ``finite`` is False."""
        if isinstance(value, str) and value in NON_FINITE and not finite:
            return NON_FINITE[value]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(f"{key!r} must be a {'finite ' if finite else ''}number, got {value!r}")
        value = float(value)
        if positive and not value > 0:
            self.fail(f"{key!r} must be positive, got {value!r}")
        return value

    def integer(self, value, key: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"{key!r} must be an integer, got {value!r}")
        return value

    def choice(self, value, key: str, choices) -> str:
        if not isinstance(value, str) or value not in choices:
            self.fail(f"{key!r} must be one of {', '.join(choices)}, got {value!r}")
        return value

    def arrays(self, obj: dict, key: str, shapes: dict, where: str = "") -> dict:
        """The arrays of object ``key``, one per name in ``shapes``."""
        p = self.get(obj, key, where)
        key = where + key
        return {n: self.array(self.get(p, n, key + "."), s, f"{key}.{n}")
                for n, s in shapes.items()}

    def params(self, obj: dict, key: str, H: int, D: int, K: int, where: str = "") -> Params:
        shapes = {"U": (H, D), "W": (H, H), "V": (K, H), "b": (H,), "c": (K,)}
        return Params(**self.arrays(obj, key, shapes, where))
