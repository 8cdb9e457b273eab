"""The Trace file format (``unrolled.trace`` version 1), a public contract documented in the README.

Floats are written with Python's shortest round-trip repr, so float64 values come back
bit for bit. NaN and infinities, which JSON lacks, are written as the strings
``"NaN"``, ``"Infinity"`` and ``"-Infinity"``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from rnn.atomic import write_text_atomic
from rnn.config import RNNConfig
from rnn.data import Vocabulary
from rnn.errors import UnrolledError
from rnn.params import PARAM_NAMES, Params
from rnn.trace import STEP_KEYS, Trace, Update

FORMAT = "unrolled.trace"
VERSION = 1
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


def _params(p: Params) -> dict:
    return {n: encode_array(getattr(p, n)) for n in PARAM_NAMES}


def trace_to_dict(trace: Trace) -> dict:
    """The JSON object of one trace (without the file header)."""
    arrays = {
        "x": trace.X, "a": trace.a, "h": trace.h, "o": trace.o, "yhat": trace.yhat,
        "loss": trace.losses, "dL_do": trace.dL_do, "dL_dh": trace.dL_dh,
        "dL_dh_from_output": trace.dL_dh_from_output,
        "dL_dh_from_next": trace.dL_dh_from_next, "dL_da": trace.dL_da,
    }
    steps = []
    for i in range(trace.T):
        step = {"t": i + 1, "target": int(trace.targets[i])}
        step.update({k: encode_array(arrays[k][i]) for k in STEP_KEYS})
        steps.append(step)
    ebs = trace.error_by_source()
    out = {
        "inputs": encode_array(trace.X),
        "targets": [int(v) for v in trace.targets],
        "params": _params(trace.params),
        "h0": encode_array(trace.h0),
        "steps": steps,
        "loss": encode_number(trace.loss),
        "grads": {k: encode_array(v) for k, v in trace.grads.items()},
        "error_by_source": [
            [encode_array(ebs[s, t]) if s >= t else None for t in range(trace.T)]
            for s in range(trace.T)
        ],
    }
    if trace.extra.get("window"):
        out["window"] = dict(trace.extra["window"])
    if trace.update is not None:
        u = trace.update
        out["update"] = {
            "method": u.method, "lr": u.lr, "clip": u.clip, "clip_mode": u.clip_mode,
            "grad_norm": encode_number(u.grad_norm),
            "grad_norm_clipped": encode_number(u.grad_norm_clipped),
            "grads_applied": {k: encode_array(v) for k, v in u.grads_applied.items()},
        }
        out["params_after"] = _params(u.params_after)
    return out


def _header(config: RNNConfig | None, vocabulary: Vocabulary | None, text: str | None) -> dict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "config": config.to_dict() if config else None,
        "text": text,
        "vocabulary": list(vocabulary.chars) if vocabulary else None,
    }


def dumps(traces: Trace | list[Trace], text: str | None = None) -> str:
    """A Trace (or the windows of a truncated run) as a JSON document; same input, same bytes."""
    windowed = isinstance(traces, list)
    first = traces[0] if windowed else traces
    doc = _header(first.config, first.vocabulary, text or first.extra.get("text"))
    if windowed:
        doc["inputs"] = encode_array(np.vstack([t.X for t in traces]))
        doc["targets"] = [int(v) for t in traces for v in t.targets]
        doc["windows"] = [trace_to_dict(t) for t in traces]
    else:
        doc.update(trace_to_dict(traces))
    return json.dumps(doc, indent=1, allow_nan=False) + "\n"


def save(path: str | Path, traces: Trace | list[Trace], text: str | None = None) -> None:
    write_text_atomic(path, dumps(traces, text))


# Decoding ------------------------------------------------------------------------------
class Reader:
    """Pulls typed values out of a parsed document, naming the key when something is wrong."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, msg: str):
        raise UnrolledError(f"{self.source}: {msg}")

    def document(self, text: str, fmt: str, version: int, kind: str) -> dict:
        """Parse ``text`` and check its ``format`` and ``version`` header."""
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as err:
            self.fail(f"not valid JSON ({err.msg} at line {err.lineno}); is the file truncated?")
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

    def params(self, obj: dict, key: str, H: int, D: int, K: int) -> Params:
        p = self.get(obj, key)
        shapes = {"U": (H, D), "W": (H, H), "V": (K, H), "b": (H,), "c": (K,)}
        return Params(**{n: self.array(self.get(p, n, key + "."), s, f"{key}.{n}")
                         for n, s in shapes.items()})


def _trace_from_dict(r: Reader, obj: dict, config, vocabulary) -> Trace:
    X = np.array(r.get(obj, "inputs"), dtype=object)
    if X.ndim != 2 or X.shape[0] == 0:
        r.fail("'inputs' must be a non-empty list of rows")
    T, D = X.shape
    h0_raw, c_raw = r.get(obj, "h0"), r.get(r.get(obj, "params"), "c", "params.")
    if not isinstance(h0_raw, list) or not h0_raw or not isinstance(c_raw, list) or not c_raw:
        r.fail("'h0' and 'params.c' must be non-empty lists")
    H, K = len(h0_raw), len(c_raw)
    params = r.params(obj, "params", H, D, K)
    targets = r.get(obj, "targets")
    if (not isinstance(targets, list) or len(targets) != T
            or any(isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < K for v in targets)):
        r.fail(f"'targets' must be {T} integers in 0..{K - 1}")
    steps = r.get(obj, "steps")
    if not isinstance(steps, list) or len(steps) != T:
        r.fail(f"'steps' must be a list of {T} steps")
    sizes = {"x": D, "a": H, "h": H, "o": K, "yhat": K, "dL_do": K, "dL_dh": H,
             "dL_dh_from_output": H, "dL_dh_from_next": H, "dL_da": H}
    cols = {k: np.empty((T, n)) for k, n in sizes.items()}
    losses = np.empty(T)
    for i, step in enumerate(steps):
        if r.get(step, "t", f"steps[{i}].") != i + 1:
            r.fail(f"steps[{i}] has t={step['t']}, expected {i + 1}")
        for k, n in sizes.items():
            cols[k][i] = r.array(r.get(step, k, f"steps[{i}]."), (n,), f"steps[{i}].{k}")
        losses[i] = r.array(r.get(step, "loss", f"steps[{i}]."), (), f"steps[{i}].loss")
    trace = Trace(
        params=params,
        h0=r.array(r.get(obj, "h0"), (H,), "h0"),
        X=cols["x"],
        targets=np.array(targets, dtype=np.int64),
        a=cols["a"], h=cols["h"], o=cols["o"], yhat=cols["yhat"], losses=losses,
        dL_do=cols["dL_do"], dL_dh=cols["dL_dh"], dL_dh_from_output=cols["dL_dh_from_output"],
        dL_dh_from_next=cols["dL_dh_from_next"], dL_da=cols["dL_da"],
        dL_dh0=r.array(r.get(r.get(obj, "grads"), "h0", "grads."), (H,), "grads.h0"),
        config=config, vocabulary=vocabulary,
    )
    if "window" in obj:
        trace.extra["window"] = dict(obj["window"])
    if "update" in obj:
        u = r.get(obj, "update")
        applied = r.get(u, "grads_applied", "update.")
        shapes = {n: getattr(params, n).shape for n in PARAM_NAMES}
        trace.update = Update(
            method=r.get(u, "method", "update."),
            lr=float(r.get(u, "lr", "update.")),
            clip=r.get(u, "clip", "update."),
            clip_mode=r.get(u, "clip_mode", "update."),
            grad_norm=float(r.array(r.get(u, "grad_norm", "update."), (), "update.grad_norm")),
            grad_norm_clipped=float(r.array(r.get(u, "grad_norm_clipped", "update."), (),
                                            "update.grad_norm_clipped")),
            grads_applied={n: r.array(r.get(applied, n, "update.grads_applied."), shapes[n],
                                      f"update.grads_applied.{n}") for n in PARAM_NAMES},
            params_after=r.params(obj, "params_after", H, D, K),
        )
    return trace


def loads(text: str, source: str = "trace") -> Trace | list[Trace]:
    """Parse and validate a Trace document; one clear UnrolledError if anything is wrong."""
    r = Reader(source)
    doc = r.document(text, FORMAT, VERSION, "trace")
    try:
        config = RNNConfig.from_dict(doc["config"]) if doc.get("config") else None
        vocabulary = Vocabulary(tuple(doc["vocabulary"])) if doc.get("vocabulary") else None
    except (UnrolledError, TypeError) as err:
        r.fail(f"bad config or vocabulary: {err}")
    if "windows" in doc:
        windows = r.get(doc, "windows")
        if not isinstance(windows, list) or not windows:
            r.fail("'windows' must be a non-empty list")
        traces = [_trace_from_dict(r, w, config, vocabulary) for w in windows]
    else:
        traces = [_trace_from_dict(r, doc, config, vocabulary)]
    for trace in traces:
        trace.extra["text"] = doc.get("text")
    return traces if "windows" in doc else traces[0]


def load(path: str | Path) -> Trace | list[Trace]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise UnrolledError(f"cannot read trace file {path}: {err}") from None
    return loads(text, source=str(path))

