"""The Trace document (``unrolled.trace`` version 2) in memory, before it is JSON or ``.npz``.

``to_doc`` turns a Trace, a GatedTrace or a list of windows into nested dicts whose leaves are
numpy arrays and plain values, with each step key as one (T, ...) column; the JSON writer
turns the columns into per-step objects, the ``.npz`` writer stores them as members.
``from_doc`` is the single validation of a loaded document, from either form (and version 1):
every key is checked for type, shape and agreement with the others before a trace is built.
"""

from __future__ import annotations

import math

import numpy as np

from rnn import limits
from rnn.config import RNNConfig
from rnn.data import Vocabulary
from rnn.errors import UnrolledError
from rnn.gated_params import GATES, GatedParams
from rnn.gated_trace import GatedTrace
from rnn.params import Params
from rnn.trace import STEP_KEYS, Trace, Update
from rnn.trace_reader import Reader

FORMAT = "unrolled.trace"
VERSION = 2
CELLS = ("rnn", "lstm", "gru")
GATE_GROUPS = ("gates", "pre", "gate_errors")  # per-step objects keyed by gate name
TRIANGLES = ("error_by_source_norms", "cell_error_by_source_norms", "error_by_source")


# Writing ------------------------------------------------------------------------------
def cell_of(trace: Trace | GatedTrace) -> str:
    return trace.kind if isinstance(trace, GatedTrace) else "rnn"


def _update(trace) -> dict:
    u = trace.update
    return {
        "update": {
            "method": u.method, "lr": u.lr, "clip": u.clip, "clip_mode": u.clip_mode,
            "grad_norm": u.grad_norm, "grad_norm_clipped": u.grad_norm_clipped,
            "grads_applied": dict(u.grads_applied),
        },
        "params_after": u.params_after.as_dict(),
    }


def _rnn_body(trace: Trace, full_errors: bool) -> dict:
    columns = {
        "x": trace.X, "a": trace.a, "h": trace.h, "o": trace.o, "yhat": trace.yhat,
        "loss": trace.losses, "dL_do": trace.dL_do, "dL_dh": trace.dL_dh,
        "dL_dh_from_output": trace.dL_dh_from_output,
        "dL_dh_from_next": trace.dL_dh_from_next, "dL_da": trace.dL_da,
    }
    body = {
        "inputs": trace.X, "targets": trace.targets.astype(np.int64),
        "params": trace.params.as_dict(), "h0": trace.h0,
        "steps": {k: columns[k] for k in STEP_KEYS}, "loss": trace.loss,
        "grads": dict(trace.grads), "error_by_source_norms": trace.error_by_source_norms(),
    }
    if full_errors:
        body["error_by_source"] = trace.error_by_source()
    return body


def _gated_body(trace: GatedTrace) -> dict:
    lstm = trace.kind == "lstm"
    names = trace.gate_names
    steps = {
        "x": trace.X,
        "gates": {n: np.ascontiguousarray(trace.gate(n)) for n in names},
        "pre": {n: np.ascontiguousarray(trace.gate_pre(n)) for n in names},
        "h": trace.h,
        **({"cell": trace.cell} if lstm else {"hn": trace.hn, "dL_dhn": trace.dL_dhh[:, 2]}),
        "o": trace.o, "yhat": trace.yhat, "loss": trace.losses, "dL_do": trace.dL_do,
        "dL_dh": trace.dL_dh, "dL_dh_from_output": trace.dL_dh_from_output,
        "dL_dh_from_next": trace.dL_dh_from_next,
    }
    if lstm:
        steps.update(dL_dcell=trace.dL_dcell, dL_dcell_from_h=trace.dL_dcell_from_h,
                     dL_dcell_from_next=trace.dL_dcell_from_next)
    if not lstm:  # the error at W_hn h(t-1) + b_hn, which r multiplies: r * dL/dpre_n
        steps["dL_dhn"] = np.ascontiguousarray(steps["dL_dhn"])
    steps["gate_errors"] = {n: np.ascontiguousarray(trace.gate_error(n)) for n in names}
    body = {
        "inputs": trace.X, "targets": trace.targets.astype(np.int64),
        "params": trace.params.as_dict(), "h0": trace.h0,
        **({"cell0": trace.cell0} if lstm else {}),
        "steps": steps, "loss": trace.loss, "grads": dict(trace.grads),
        "error_by_source_norms": trace.error_by_source_norms(),
    }
    if lstm:
        body["cell_error_by_source_norms"] = trace.cell_error_by_source_norms()
    return body


def _body(trace, full_errors: bool) -> dict:
    if isinstance(trace, GatedTrace):
        body = _gated_body(trace)
    else:
        body = _rnn_body(trace, full_errors)
    if trace.extra.get("window"):
        body["window"] = dict(trace.extra["window"])
    if trace.update is not None:
        body.update(_update(trace))
    return body


def _config(trace) -> dict | None:
    if isinstance(trace, GatedTrace):
        p = trace.params
        return {"input_size": p.input_size, "hidden": p.hidden_size,
                "output_size": p.output_size, "seed": trace.extra.get("seed"),
                "forget_bias": trace.extra.get("forget_bias")}
    return trace.config.to_dict() if trace.config else None


def wants_full_errors(traces, full_errors: bool | None) -> bool:
    """Whether the vectors ``error_by_source`` are written: on request, else below the size."""
    traces = traces if isinstance(traces, list) else [traces]
    if isinstance(traces[0], GatedTrace):
        return False
    if full_errors is not None:
        return full_errors
    T, H = max(t.T for t in traces), traces[0].h.shape[1]
    return T * T * H <= limits.FULL_ERRORS_FLOATS


def to_doc(traces, text: str | None = None, full_errors: bool | None = None) -> dict:
    """The version-2 document of a trace or of the windows of a truncated run."""
    windowed = isinstance(traces, list)
    first = traces[0] if windowed else traces
    full = wants_full_errors(traces, full_errors)
    doc = {
        "format": FORMAT, "version": VERSION, "cell": cell_of(first), "config": _config(first),
        "text": text or first.extra.get("text"),
        "vocabulary": list(first.vocabulary.chars) if first.vocabulary else None,
    }
    if windowed:
        doc["inputs"] = np.vstack([t.X for t in traces])
        doc["targets"] = np.concatenate([t.targets for t in traces]).astype(np.int64)
        doc["windows"] = [_body(t, full) for t in traces]
    else:
        doc.update(_body(traces, full))
    return doc


# Reading ------------------------------------------------------------------------------
def _length(r: Reader, value, key: str) -> int:
    """The length of a non-empty list or 1-D array (for sizes read before the shapes)."""
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.size:
        return len(value)
    if isinstance(value, list) and value:
        return len(value)
    return r.fail(f"{key!r} must be a non-empty list")


def _sizes(r: Reader, obj: dict, where: str, cell: str) -> tuple[int, int, int, int]:
    inputs = r.get(obj, "inputs", where)
    if isinstance(inputs, np.ndarray) and inputs.ndim == 2:
        T, D = inputs.shape
    elif isinstance(inputs, list) and inputs and all(isinstance(v, list) for v in inputs):
        T, D = len(inputs), len(inputs[0])
    else:
        r.fail(f"{where + 'inputs'!r} must be a non-empty list of rows")
    H = _length(r, r.get(obj, "h0", where), where + "h0")
    K = _length(r, r.get(r.get(obj, "params", where), "c", where + "params."),
                where + "params.c")
    if T == 0 or T > limits.MAX_TEXT or D == 0:
        r.fail(f"{where + 'inputs'!r} has {T} steps of size {D} (at most {limits.MAX_TEXT} steps)")
    try:
        limits.check_trace_size(T, H, K, D, cell=cell)
    except UnrolledError as err:
        r.fail(str(err))
    return T, H, K, D


def _columns(r: Reader, steps, T: int, targets: np.ndarray, sizes: dict, groups: dict,
             where: str) -> dict:
    """Every step key as a (T, n) column (``loss`` (T,)); groups as {gate: (T, H)}."""
    at0 = where + "steps"
    cols: dict = {}
    if isinstance(steps, dict):  # the .npz form: already columns
        for k, n in sizes.items():
            cols[k] = r.array(r.get(steps, k, at0 + "."), (T, n), f"{at0}.{k}")
        cols["loss"] = r.array(r.get(steps, "loss", at0 + "."), (T,), f"{at0}.loss")
        for g, (names, H) in groups.items():
            obj = r.get(steps, g, at0 + ".")
            cols[g] = {n: r.array(r.get(obj, n, f"{at0}.{g}."), (T, H), f"{at0}.{g}.{n}")
                       for n in names}
        return cols
    if not isinstance(steps, list) or len(steps) != T:
        r.fail(f"{at0!r} must be a list of {T} steps")
    cols = {k: np.empty((T, n)) for k, n in sizes.items()}
    cols["loss"] = np.empty(T)
    for g, (names, H) in groups.items():
        cols[g] = {n: np.empty((T, H)) for n in names}
    for i, step in enumerate(steps):
        at = f"{where}steps[{i}]."
        if r.integer(r.get(step, "t", at), at + "t") != i + 1:
            r.fail(f"{at}t is {step['t']}, expected {i + 1}")
        if r.integer(r.get(step, "target", at), at + "target") != targets[i]:
            r.fail(f"{at}target is {step['target']} but targets[{i}] is {targets[i]}")
        for k, n in sizes.items():
            cols[k][i] = r.array(r.get(step, k, at), (n,), at + k)
        cols["loss"][i] = r.number(r.get(step, "loss", at), at + "loss", finite=False)
        for g, (names, H) in groups.items():
            obj = r.get(step, g, at)
            for n in names:
                cols[g][n][i] = r.array(r.get(obj, n, f"{at}{g}."), (H,), f"{at}{g}.{n}")
    return cols


def _check_loss(r: Reader, obj: dict, losses: np.ndarray, where: str) -> None:
    loss = r.number(r.get(obj, "loss", where), where + "loss", finite=False)
    total = float(losses.sum())
    if math.isfinite(total) and not math.isclose(loss, total, rel_tol=1e-9, abs_tol=1e-12):
        r.fail(f"{where + 'loss'!r} is {loss!r} but its steps sum to {total!r}")
    if not math.isfinite(total) and math.isfinite(loss):
        r.fail(f"{where + 'loss'!r} is finite but its steps are not")


def _norms(r: Reader, obj: dict, key: str, T: int, where: str) -> np.ndarray:
    norms = r.triangle(r.get(obj, key, where), T, where + key)
    if np.any(norms < 0):
        r.fail(f"{where + key!r} holds a negative norm")
    return norms


def _read_window(r: Reader, obj: dict, T: int, where: str) -> dict:
    window = r.get(obj, "window", where)
    start = r.integer(r.get(window, "start", where + "window."), where + "window.start")
    stop = r.integer(r.get(window, "stop", where + "window."), where + "window.stop")
    if not 1 <= start <= stop or stop - start + 1 != T:
        r.fail(f"{where + 'window'!r} runs from {start} to {stop}, not over its {T} steps")
    return {"start": start, "stop": stop}


def _read_update(r: Reader, obj: dict, shapes: dict, make, where: str) -> Update:
    at = where + "update."
    u = r.get(obj, "update", where)
    clip = r.get(u, "clip", at)
    return Update(
        method=r.choice(r.get(u, "method", at), at + "method", ("sgd", "adagrad")),
        lr=r.number(r.get(u, "lr", at), at + "lr", positive=True),
        clip=None if clip is None else r.number(clip, at + "clip", positive=True),
        clip_mode=r.choice(r.get(u, "clip_mode", at), at + "clip_mode", ("value", "norm")),
        grad_norm=r.number(r.get(u, "grad_norm", at), at + "grad_norm", finite=False),
        grad_norm_clipped=r.number(r.get(u, "grad_norm_clipped", at), at + "grad_norm_clipped",
                                   finite=False),
        grads_applied=r.arrays(u, "grads_applied", shapes, at),
        params_after=make(r.arrays(obj, "params_after", shapes, where)),
    )


def _finish(r: Reader, trace, obj: dict, shapes: dict, make, where: str):
    """The keys every trace may carry: its window and its renewal."""
    if "window" in obj:
        trace.extra["window"] = _read_window(r, obj, trace.T, where)
    if "update" in obj:
        trace.update = _read_update(r, obj, shapes, make, where)
    return trace


def _rnn_trace(r: Reader, obj: dict, config, vocabulary, version: int, where: str) -> Trace:
    T, H, K, D = _sizes(r, obj, where, "rnn")
    if config is not None:
        for key, n in (("hidden", H), ("input_size", D), ("output_size", K)):
            if getattr(config, key) != n:
                r.fail(f"'config.{key}' is {getattr(config, key)} but the arrays have {n}")
    X = r.array(r.get(obj, "inputs", where), (T, D), where + "inputs")
    params = r.params(obj, "params", H, D, K, where)
    targets = r.indices(r.get(obj, "targets", where), T, K, where + "targets")
    sizes = {"x": D, "a": H, "h": H, "o": K, "yhat": K, "dL_do": K, "dL_dh": H,
             "dL_dh_from_output": H, "dL_dh_from_next": H, "dL_da": H}
    cols = _columns(r, r.get(obj, "steps", where), T, targets, sizes, {}, where)
    if not np.array_equal(cols["x"], X):
        r.fail(f"{where}steps[].x differ from {where + 'inputs'!r}")
    _check_loss(r, obj, cols["loss"], where)
    shapes = {"U": (H, D), "W": (H, H), "V": (K, H), "b": (H,), "c": (K,)}
    grads = r.arrays(obj, "grads", {**shapes, "h0": (H,)}, where)
    trace = Trace(
        params=params, h0=r.array(r.get(obj, "h0", where), (H,), where + "h0"), X=X,
        targets=targets, a=cols["a"], h=cols["h"], o=cols["o"], yhat=cols["yhat"],
        losses=cols["loss"], dL_do=cols["dL_do"], dL_dh=cols["dL_dh"],
        dL_dh_from_output=cols["dL_dh_from_output"], dL_dh_from_next=cols["dL_dh_from_next"],
        dL_da=cols["dL_da"], dL_dh0=grads["h0"], config=config, vocabulary=vocabulary,
    )
    if version == 1 or "error_by_source" in obj:
        r.triangle(r.get(obj, "error_by_source", where), T, where + "error_by_source", (H,))
    if version >= 2:
        _norms(r, obj, "error_by_source_norms", T, where)
    return _finish(r, trace, obj, shapes, lambda a: Params(**a), where)


def _gated_trace(r: Reader, obj: dict, cell: str, vocabulary, where: str) -> GatedTrace:
    T, H, K, D = _sizes(r, obj, where, cell)
    lstm, names = cell == "lstm", GATES[cell]
    G = len(names)
    X = r.array(r.get(obj, "inputs", where), (T, D), where + "inputs")
    shapes = {"W_ih": (G * H, D), "W_hh": (G * H, H), "b_ih": (G * H,), "b_hh": (G * H,),
              "V": (K, H), "c": (K,)}
    try:
        params = GatedParams(cell, **r.arrays(obj, "params", shapes, where))
    except UnrolledError as err:
        r.fail(f"{where}params: {err}")
    targets = r.indices(r.get(obj, "targets", where), T, K, where + "targets")
    sizes = {"x": D, "h": H, "o": K, "yhat": K, "dL_do": K, "dL_dh": H,
             "dL_dh_from_output": H, "dL_dh_from_next": H}
    sizes.update({k: H for k in (("cell", "dL_dcell", "dL_dcell_from_h", "dL_dcell_from_next")
                                 if lstm else ("hn", "dL_dhn"))})
    groups = {g: (names, H) for g in GATE_GROUPS}
    cols = _columns(r, r.get(obj, "steps", where), T, targets, sizes, groups, where)
    if not np.array_equal(cols["x"], X):
        r.fail(f"{where}steps[].x differ from {where + 'inputs'!r}")
    _check_loss(r, obj, cols["loss"], where)
    states = {"h0": (H,), **({"cell0": (H,)} if lstm else {})}
    grads = r.arrays(obj, "grads", {**shapes, **states}, where)
    stack = {g: np.stack([cols[g][n] for n in names], axis=1) for g in GATE_GROUPS}  # (T, G, H)
    dL_dhh = stack["gate_errors"].copy()
    if not lstm:  # the GRU's W_hn h + b_hn is multiplied by r: its error is recorded apart
        dL_dhh[:, 2] = cols["dL_dhn"]
    trace = GatedTrace(
        params=params, h0=r.array(r.get(obj, "h0", where), (H,), where + "h0"),
        cell0=r.array(r.get(obj, "cell0", where), (H,), where + "cell0") if lstm else None,
        X=X, targets=targets, pre=stack["pre"], gates=stack["gates"],
        hn=None if lstm else cols["hn"], cell=cols.get("cell"), h=cols["h"], o=cols["o"],
        yhat=cols["yhat"], losses=cols["loss"], dL_do=cols["dL_do"], dL_dh=cols["dL_dh"],
        dL_dh_from_output=cols["dL_dh_from_output"], dL_dh_from_next=cols["dL_dh_from_next"],
        dL_dcell=cols.get("dL_dcell"), dL_dcell_from_h=cols.get("dL_dcell_from_h"),
        dL_dcell_from_next=cols.get("dL_dcell_from_next"), dL_dpre=stack["gate_errors"],
        dL_dhh=dL_dhh, dL_dh0=grads["h0"], dL_dcell0=grads.get("cell0"), grads=grads,
        vocabulary=vocabulary,
    )
    _norms(r, obj, "error_by_source_norms", T, where)
    if lstm:
        _norms(r, obj, "cell_error_by_source_norms", T, where)
    return _finish(r, trace, obj, shapes, lambda a: GatedParams(cell, **a), where)


def _check_windows(r: Reader, doc: dict, traces: list) -> None:
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
    targets = r.indices(r.get(doc, "targets"), T, traces[0].yhat.shape[1], "targets")
    if not np.array_equal(targets, np.concatenate([t.targets for t in traces])):
        r.fail("'targets' differ from the windows' targets")


def _header(r: Reader, doc: dict, cell: str):
    config_raw, vocab_raw, text_raw = doc.get("config"), doc.get("vocabulary"), doc.get("text")
    if config_raw is not None and not isinstance(config_raw, dict):
        r.fail("'config' must be an object or null")
    if vocab_raw is not None and (not isinstance(vocab_raw, list)
                                  or not all(isinstance(c, str) for c in vocab_raw)):
        r.fail("'vocabulary' must be a list of characters or null")
    if text_raw is not None and not isinstance(text_raw, str):
        r.fail("'text' must be a string or null")
    try:
        vocabulary = Vocabulary(tuple(vocab_raw)) if vocab_raw else None
        config = RNNConfig.from_dict(config_raw) if config_raw and cell == "rnn" else None
    except (UnrolledError, TypeError) as err:
        r.fail(f"bad config or vocabulary: {err}")
    extra = {}
    if config is not None:
        for key in ("input_size", "hidden", "output_size", "seed"):
            r.integer(getattr(config, key), f"config.{key}")
        r.number(config.init_scale, "config.init_scale", positive=True)
        if config.radius is not None:
            r.number(config.radius, "config.radius", positive=True)
    elif config_raw:  # a gated cell's sizes, seed and forget-gate bias
        for key in ("input_size", "hidden", "output_size"):
            r.integer(r.get(config_raw, key, "config."), f"config.{key}")
        seed, bias = config_raw.get("seed"), config_raw.get("forget_bias")
        extra["seed"] = None if seed is None else r.integer(seed, "config.seed")
        extra["forget_bias"] = None if bias is None else r.number(bias, "config.forget_bias")
    return config, config_raw, vocabulary, text_raw, extra


def from_doc(r: Reader, doc) -> Trace | GatedTrace | list:
    """Validate a parsed document (version 1 or 2, either form) and build its trace(s)."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        r.fail(f"not an unrolled trace (expected \"format\": \"{FORMAT}\")")
    version = doc.get("version")
    if version not in (1, 2) or isinstance(version, bool):
        r.fail(f"unsupported trace version {version!r} (this reads 1 and 2)")
    cell = "rnn" if version == 1 else r.choice(r.get(doc, "cell"), "cell", CELLS)
    config, config_raw, vocabulary, text_raw, extra = _header(r, doc, cell)

    def one(obj: dict, where: str = ""):
        if cell == "rnn":
            return _rnn_trace(r, obj, config, vocabulary, version, where)
        trace = _gated_trace(r, obj, cell, vocabulary, where)
        if config_raw:
            for key, n in (("hidden", trace.params.hidden_size),
                           ("input_size", trace.params.input_size),
                           ("output_size", trace.params.output_size)):
                if config_raw[key] != n:
                    r.fail(f"'config.{key}' is {config_raw[key]} but the arrays have {n}")
        return trace

    if "windows" in doc:
        windows = r.get(doc, "windows")
        if not isinstance(windows, list) or not windows:
            r.fail("'windows' must be a non-empty list")
        if len(windows) > limits.MAX_TEXT:
            r.fail(f"'windows' holds {len(windows)} windows (at most {limits.MAX_TEXT})")
        traces = [one(w, f"windows[{i}].") for i, w in enumerate(windows)]
        _check_windows(r, doc, traces)
    else:
        traces = [one(doc)]
    if vocabulary is not None:
        D, K = traces[0].X.shape[1], traces[0].yhat.shape[1]
        if len(vocabulary) != D or len(vocabulary) != K:
            r.fail(f"'vocabulary' has {len(vocabulary)} characters but the arrays have D={D}, "
                   f"K={K}")
    T = sum(t.T for t in traces)
    if text_raw is not None and vocabulary is not None and len(text_raw) != T + 1:
        r.fail(f"'text' has {len(text_raw)} characters for {T} steps")
    for trace in traces:
        trace.extra["text"] = text_raw
        trace.extra.update(extra)
    return traces if "windows" in doc else traces[0]

