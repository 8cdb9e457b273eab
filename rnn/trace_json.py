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

from rnn import limits
from rnn.atomic import write_text_atomic
from rnn.config import RNNConfig
from rnn.data import Vocabulary
from rnn.errors import UnrolledError
from rnn.params import PARAM_NAMES, Params
from rnn.safe_io import parse_json, read_text
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

    def params(self, obj: dict, key: str, H: int, D: int, K: int, where: str = "") -> Params:
        p = self.get(obj, key, where)
        key = where + key
        shapes = {"U": (H, D), "W": (H, H), "V": (K, H), "b": (H,), "c": (K,)}
        return Params(**{n: self.array(self.get(p, n, key + "."), s, f"{key}.{n}")
                         for n, s in shapes.items()})


def _trace_from_dict(r: Reader, obj: dict, config, vocabulary, where: str = "") -> Trace:
    """One trace object, every key checked for type, shape and agreement with the others."""
    inputs = r.get(obj, "inputs", where)
    if not isinstance(inputs, list) or not inputs or not all(isinstance(v, list) for v in inputs):
        r.fail(f"{where + 'inputs'!r} must be a non-empty list of rows")
    T, D = len(inputs), len(inputs[0])
    h0_raw, c_raw = r.get(obj, "h0", where), r.get(r.get(obj, "params", where), "c",
                                                     where + "params.")
    if not isinstance(h0_raw, list) or not h0_raw or not isinstance(c_raw, list) or not c_raw:
        r.fail(f"{where + 'h0'!r} and {where + 'params.c'!r} must be non-empty lists")
    H, K = len(h0_raw), len(c_raw)
    if T > limits.MAX_TEXT or D == 0:
        r.fail(f"{where + 'inputs'!r} has {T} steps of size {D} (at most {limits.MAX_TEXT} steps)")
    try:
        limits.check_trace_size(T, H, K, D)
    except UnrolledError as err:
        r.fail(str(err))
    if config is not None:
        for key, n in (("hidden", H), ("input_size", D), ("output_size", K)):
            if getattr(config, key) != n:
                r.fail(f"'config.{key}' is {getattr(config, key)} but the arrays have {n}")
    if vocabulary is not None and (len(vocabulary) != D or len(vocabulary) != K):
        r.fail(f"'vocabulary' has {len(vocabulary)} characters but the arrays have D={D}, K={K}")
    X = r.array(inputs, (T, D), where + "inputs")
    params = r.params(obj, "params", H, D, K, where)
    targets = r.get(obj, "targets", where)
    if (not isinstance(targets, list) or len(targets) != T
            or any(isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < K
                   for v in targets)):
        r.fail(f"{where + 'targets'!r} must be {T} integers in 0..{K - 1}")
    steps = r.get(obj, "steps", where)
    if not isinstance(steps, list) or len(steps) != T:
        r.fail(f"{where + 'steps'!r} must be a list of {T} steps")
    sizes = {"x": D, "a": H, "h": H, "o": K, "yhat": K, "dL_do": K, "dL_dh": H,
             "dL_dh_from_output": H, "dL_dh_from_next": H, "dL_da": H}
    cols = {k: np.empty((T, n)) for k, n in sizes.items()}
    losses = np.empty(T)
    for i, step in enumerate(steps):
        at = f"{where}steps[{i}]."
        if r.integer(r.get(step, "t", at), at + "t") != i + 1:
            r.fail(f"{at}t is {step['t']}, expected {i + 1}")
        if r.integer(r.get(step, "target", at), at + "target") != targets[i]:
            r.fail(f"{at}target is {step['target']} but targets[{i}] is {targets[i]}")
        for k, n in sizes.items():
            cols[k][i] = r.array(r.get(step, k, at), (n,), at + k)
        losses[i] = r.number(r.get(step, "loss", at), at + "loss", finite=False)
    if not np.array_equal(cols["x"], X):
        r.fail(f"{where}steps[].x differ from {where + 'inputs'!r}")
    loss = r.number(r.get(obj, "loss", where), where + "loss", finite=False)
    total = float(losses.sum())
    if math.isfinite(total) and not math.isclose(loss, total, rel_tol=1e-9, abs_tol=1e-12):
        r.fail(f"{where + 'loss'!r} is {loss!r} but its steps sum to {total!r}")
    if not math.isfinite(total) and math.isfinite(loss):
        r.fail(f"{where + 'loss'!r} is finite but its steps are not")
    grads = r.get(obj, "grads", where)
    trace = Trace(
        params=params,
        h0=r.array(h0_raw, (H,), where + "h0"),
        X=X,
        targets=np.array(targets, dtype=np.int64),
        a=cols["a"], h=cols["h"], o=cols["o"], yhat=cols["yhat"], losses=losses,
        dL_do=cols["dL_do"], dL_dh=cols["dL_dh"], dL_dh_from_output=cols["dL_dh_from_output"],
        dL_dh_from_next=cols["dL_dh_from_next"], dL_da=cols["dL_da"],
        dL_dh0=r.array(r.get(grads, "h0", where + "grads."), (H,), where + "grads.h0"),
        config=config, vocabulary=vocabulary,
    )
    for n in PARAM_NAMES:
        r.array(r.get(grads, n, where + "grads."), getattr(params, n).shape, f"{where}grads.{n}")
    ebs = r.get(obj, "error_by_source", where)
    if not isinstance(ebs, list) or len(ebs) != T:
        r.fail(f"{where + 'error_by_source'!r} must be a list of {T} rows")
    if "window" in obj:
        window = r.get(obj, "window", where)
        start = r.integer(r.get(window, "start", where + "window."), where + "window.start")
        stop = r.integer(r.get(window, "stop", where + "window."), where + "window.stop")
        if not 1 <= start <= stop or stop - start + 1 != T:
            r.fail(f"{where + 'window'!r} runs from {start} to {stop}, not over its {T} steps")
        trace.extra["window"] = {"start": start, "stop": stop}
    if "update" in obj:
        trace.update = _update(r, r.get(obj, "update", where), obj, params, H, D, K, where)
    return trace


def _update(r: Reader, u, obj: dict, params: Params, H: int, D: int, K: int,
            where: str) -> Update:
    at = where + "update."
    applied = r.get(u, "grads_applied", at)
    clip = r.get(u, "clip", at)
    return Update(
        method=r.choice(r.get(u, "method", at), at + "method", ("sgd", "adagrad")),
        lr=r.number(r.get(u, "lr", at), at + "lr", positive=True),
        clip=None if clip is None else r.number(clip, at + "clip", positive=True),
        clip_mode=r.choice(r.get(u, "clip_mode", at), at + "clip_mode", ("value", "norm")),
        grad_norm=r.number(r.get(u, "grad_norm", at), at + "grad_norm", finite=False),
        grad_norm_clipped=r.number(r.get(u, "grad_norm_clipped", at), at + "grad_norm_clipped",
                                   finite=False),
        grads_applied={n: r.array(r.get(applied, n, at + "grads_applied."),
                                  getattr(params, n).shape, f"{at}grads_applied.{n}")
                       for n in PARAM_NAMES},
        params_after=r.params(obj, "params_after", H, D, K, where),
    )


def _check_windows(r: Reader, doc: dict, traces: list[Trace]) -> None:
    """Windows in order, each starting where the last stopped, covering steps 1..T."""
    T = sum(t.T for t in traces)
    nxt = 1
    for i, trace in enumerate(traces):
        window = trace.extra.get("window")
        if window is None:
            r.fail(f"'windows[{i}].window' is missing")
        if window["start"] != nxt:
            r.fail(f"'windows[{i}].window' starts at {window['start']}, expected {nxt}")
        nxt = window["stop"] + 1
    X = r.array(r.get(doc, "inputs"), (T, traces[0].X.shape[1]), "inputs")
    if not np.array_equal(X, np.vstack([t.X for t in traces])):
        r.fail("'inputs' differ from the windows' inputs")
    targets = r.get(doc, "targets")
    if targets != [int(v) for t in traces for v in t.targets]:
        r.fail("'targets' differ from the windows' targets")


def loads(text: str, source: str = "trace") -> Trace | list[Trace]:
    """Parse and validate a Trace document; one clear UnrolledError if anything is wrong.

    The single check of a loaded Trace: types, shapes, agreement with its own config and
    vocabulary, windows in order and covering the sequence. Nothing draws a trace that
    contradicts itself.
    """
    r = Reader(source)
    doc = r.document(text, FORMAT, VERSION, "trace")
    config_raw, vocab_raw, text_raw = doc.get("config"), doc.get("vocabulary"), doc.get("text")
    if config_raw is not None and not isinstance(config_raw, dict):
        r.fail("'config' must be an object or null")
    if vocab_raw is not None and (not isinstance(vocab_raw, list)
                                  or not all(isinstance(c, str) for c in vocab_raw)):
        r.fail("'vocabulary' must be a list of characters or null")
    if text_raw is not None and not isinstance(text_raw, str):
        r.fail("'text' must be a string or null")
    try:
        config = RNNConfig.from_dict(config_raw) if config_raw else None
        vocabulary = Vocabulary(tuple(vocab_raw)) if vocab_raw else None
    except (UnrolledError, TypeError) as err:
        r.fail(f"bad config or vocabulary: {err}")
    if config is not None:
        for key in ("input_size", "hidden", "output_size", "seed"):
            r.integer(getattr(config, key), f"config.{key}")
        r.number(config.init_scale, "config.init_scale", positive=True)
        if config.radius is not None:
            r.number(config.radius, "config.radius", positive=True)
    if "windows" in doc:
        windows = r.get(doc, "windows")
        if not isinstance(windows, list) or not windows:
            r.fail("'windows' must be a non-empty list")
        if len(windows) > limits.MAX_TEXT:
            r.fail(f"'windows' holds {len(windows)} windows (at most {limits.MAX_TEXT})")
        traces = [_trace_from_dict(r, w, config, vocabulary, f"windows[{i}].")
                  for i, w in enumerate(windows)]
        _check_windows(r, doc, traces)
    else:
        traces = [_trace_from_dict(r, doc, config, vocabulary)]
    T = sum(t.T for t in traces)
    if text_raw is not None and vocabulary is not None and len(text_raw) != T + 1:
        r.fail(f"'text' has {len(text_raw)} characters for {T} steps")
    for trace in traces:
        trace.extra["text"] = text_raw
    return traces if "windows" in doc else traces[0]


def load(path: str | Path) -> Trace | list[Trace]:
    """Read a Trace file (a regular file of at most ``limits.MAX_TRACE_FILE`` bytes)."""
    text = read_text(path, limits.MAX_TRACE_FILE, "trace file")
    return loads(text, source=str(path))
