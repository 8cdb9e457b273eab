"""The Trace document (``unrolled.trace`` version 2) in memory, before it is JSON or ``.npz``.

``to_doc`` turns a Trace of any cell or a list of windows into nested dicts whose leaves are
numpy arrays and plain values, with each step key as one (T, ...) column; the JSON writer
turns the columns into per-step objects, the ``.npz`` writer stores them as members.
``from_doc`` is the single validation of a loaded document, from either form (and version 1):
every key is checked for type, shape and agreement with the others before a trace is built.
"""

from __future__ import annotations

import math

import numpy as np

from rnn import limits
from rnn.cells import CELLS, Cell, Params, get_cell
from rnn.config import RNNConfig
from rnn.data import Vocabulary
from rnn.errors import UnrolledError
from rnn.trace import Trace, Update
from rnn.traces.columns import FORMAT, GATE_GROUPS, VERSION, _column, _update
from rnn.traces.values import Reader

STEP_SIZES = {"x": "D", "o": "K", "yhat": "K", "dL_do": "K"}  # every other column is (T, H)


def is_triangle(key: str) -> bool:
    """Whether the document key holds [s][t] values with nothing where t > s: the errors by
    source, and the norms of every state's (``norms_key``)."""
    return key == "error_by_source" or key.endswith("error_by_source_norms")


def norms_key(path: str) -> str:
    """The document key of the norms of the errors along ``path``: h's, then the others'."""
    return "error_by_source_norms" if path == "h" else f"{path}_error_by_source_norms"


# Writing ------------------------------------------------------------------------------
def cell_of(trace: Trace) -> str:
    return trace.kind


def _body(trace: Trace, full_errors: bool) -> dict:
    spec = trace.spec
    body = {
        "inputs": trace.X, "targets": trace.targets.astype(np.int64),
        "params": trace.params.as_dict(), "h0": trace.h0,
        **{f"{p}0": v for p, v in trace.start.items()},
        "steps": {k: _column(trace, k) for k in spec.columns}, "loss": trace.loss,
        "grads": dict(trace.grads),
        **{norms_key(p): trace.error_by_source_norms(p) for p in spec.paths},
    }
    if "embedding_grad" in trace.extra:  # x(t) are embedding rows: their table's gradient too
        body["grads"]["embedding"] = trace.extra["embedding_grad"]
    if full_errors:
        body["error_by_source"] = trace.error_by_source()
    if trace.extra.get("window"):
        body["window"] = dict(trace.extra["window"])
    if trace.update is not None:
        body.update(_update(trace))
    return body


def wants_full_errors(traces, full_errors: bool | None) -> bool:
    """Whether the vectors ``error_by_source`` are written: on request, else below the size."""
    traces = traces if isinstance(traces, list) else [traces]
    if not traces[0].spec.full_errors:
        return False
    if full_errors is not None:
        return full_errors
    T, H = max(t.T for t in traces), traces[0].h.shape[1]
    return T * T * H <= limits.FULL_ERRORS_FLOATS


def to_doc(traces, text: str | None = None, full_errors: bool | None = None) -> dict:
    """The version-2 document of a trace or of the windows of a truncated run (a network's:
    ``rnn.traces.network_doc``)."""
    from rnn.network import NetworkTrace

    first = traces[0] if isinstance(traces, list) else traces
    if isinstance(first, NetworkTrace):
        from rnn.traces.network_doc import to_network_doc

        if not isinstance(traces, list):
            return to_network_doc(traces, text)
        doc = {k: v for k, v in to_network_doc(first, text).items() if k in (
            "format", "version", "cell", "config", "text", "vocabulary", "network")}
        doc["windows"] = [to_network_doc(t, text) for t in traces]
        return doc
    windowed = isinstance(traces, list)
    first = traces[0] if windowed else traces
    full = wants_full_errors(traces, full_errors)
    doc = {
        "format": FORMAT, "version": VERSION, "cell": cell_of(first),
        "config": first.spec.config_doc(first),
        "text": text or first.extra.get("text"),
        "vocabulary": list(first.vocabulary.chars) if first.vocabulary else None,
    }
    if "embedding" in first.extra:  # x(t) is the row input_ids[t] of the embedding table
        pieces = traces if windowed else [traces]
        doc["input_ids"] = np.concatenate([t.extra["input_ids"] for t in pieces]).astype(np.int64)
        doc["embedding"] = first.extra["embedding"]
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
    """The keys every trace may carry: its window and its update."""
    if "window" in obj:
        trace.extra["window"] = _read_window(r, obj, trace.T, where)
    if "update" in obj:
        trace.update = _read_update(r, obj, shapes, make, where)
    return trace


def _read_trace(r: Reader, obj: dict, spec: Cell, config, vocabulary, version: int,
                where: str) -> Trace:
    """One trace of cell ``spec``: every column its cell declares, checked against the rest."""
    T, H, K, D = _sizes(r, obj, where, spec.name)
    if config is not None:
        for key, n in (("hidden", H), ("input_size", D), ("output_size", K)):
            if getattr(config, key) != n:
                r.fail(f"'config.{key}' is {getattr(config, key)} but the arrays have {n}")
    X = r.array(r.get(obj, "inputs", where), (T, D), where + "inputs")
    shapes = spec.param_shapes(D, H, K)
    try:
        params = Params(spec, **r.arrays(obj, "params", shapes, where))
    except UnrolledError as err:
        r.fail(f"{where}params: {err}")
    targets = r.indices(r.get(obj, "targets", where), T, K, where + "targets")
    n = {"D": D, "K": K}
    sizes = {k: n.get(STEP_SIZES.get(k), H) for k in spec.columns
             if k not in GATE_GROUPS and k != "loss"}
    groups = {g: (spec.gates, H) for g in spec.columns if g in GATE_GROUPS}
    cols = _columns(r, r.get(obj, "steps", where), T, targets, sizes, groups, where)
    if not np.array_equal(cols["x"], X):
        r.fail(f"{where}steps[].x differ from {where + 'inputs'!r}")
    _check_loss(r, obj, cols["loss"], where)
    others = [p for p in spec.states if p != "h"]
    grads = r.arrays(obj, "grads", {**shapes, "h0": (H,), **{f"{p}0": (H,) for p in others}},
                     where)
    for g, part in GATE_GROUPS.items():  # (T, G, H) from {gate: (T, H)}
        if g in cols:
            cols[part] = np.stack([cols[g][name] for name in spec.gates], axis=1)
    parts = {p.name: cols[p.name] if p.name in cols else spec.read_part(p.name, cols)
             for p in spec.parts}
    trace = Trace(
        params=params, h0=r.array(r.get(obj, "h0", where), (H,), where + "h0"), X=X,
        targets=targets, h=cols["h"], o=cols["o"], yhat=cols["yhat"], losses=cols["loss"],
        dL_do=cols["dL_do"], dL_dh=cols["dL_dh"], dL_dh_from_output=cols["dL_dh_from_output"],
        dL_dh_from_next=cols["dL_dh_from_next"], dL_dh0=grads["h0"], parts=parts,
        start={p: r.array(r.get(obj, f"{p}0", where), (H,), f"{where}{p}0") for p in others},
        start_errors={p: grads[f"{p}0"] for p in others}, config=config,
        vocabulary=vocabulary,
    )
    if version == 1 or "error_by_source" in obj:
        r.triangle(r.get(obj, "error_by_source", where), T, where + "error_by_source", (H,))
    if version >= 2:
        for p in spec.paths:
            _norms(r, obj, norms_key(p), T, where)
    return _finish(r, trace, obj, shapes, lambda a: Params(spec, **a), where)


def _read_embedding(r: Reader, doc: dict, objs: list, traces: list, vocabulary) -> None:
    """``input_ids`` and the ``embedding`` table of a model fed embedding rows: every x(t) must
    be the table's row ``input_ids[t]``, and each trace's ``grads.embedding`` has its shape."""
    if vocabulary is None:
        r.fail("'input_ids' and 'embedding' need a 'vocabulary'")
    V, D = len(vocabulary), traces[0].X.shape[1]
    ids = r.indices(r.get(doc, "input_ids"), sum(t.T for t in traces), V, "input_ids")
    table = r.array(r.get(doc, "embedding"), (V, D), "embedding")
    if not np.array_equal(np.vstack([t.X for t in traces]), table[ids]):
        r.fail("'inputs' are not the rows of 'embedding' that 'input_ids' name")
    start = 0
    for i, (obj, trace) in enumerate(zip(objs, traces, strict=True)):
        where = f"windows[{i}]." if "windows" in doc else ""
        grads = r.get(obj, "grads", where)
        trace.extra.update(input_ids=ids[start:start + trace.T].tolist(), embedding=table)
        if "embedding" in grads:
            trace.extra["embedding_grad"] = r.array(grads["embedding"], (V, D),
                                                    f"{where}grads.embedding")
        start += trace.T


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


def _header(r: Reader, doc: dict, spec: Cell):
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
        config = RNNConfig.from_dict(config_raw) if config_raw and spec.takes_config else None
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


def from_doc(r: Reader, doc) -> Trace | list:
    """Validate a parsed document (version 1 or 2, either form) and build its trace(s)."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        r.fail(f"not an unrolled trace (expected \"format\": \"{FORMAT}\")")
    version = doc.get("version")
    if version not in (1, 2) or isinstance(version, bool):
        r.fail(f"unsupported trace version {version!r} (this reads 1 and 2)")
    if version == 2 and "network" in doc:  # stacked, bidirectional or one label
        from rnn.traces.network_doc import from_network_doc

        return from_network_doc(r, doc)
    cell = "rnn" if version == 1 else r.choice(r.get(doc, "cell"), "cell", tuple(CELLS))
    spec = get_cell(cell)
    config, config_raw, vocabulary, text_raw, extra = _header(r, doc, spec)

    def one(obj: dict, where: str = ""):
        trace = _read_trace(r, obj, spec, config, vocabulary, version, where)
        if config_raw and config is None:
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
    embedded = "input_ids" in doc or "embedding" in doc
    if vocabulary is not None:
        D, K = traces[0].X.shape[1], traces[0].yhat.shape[1]
        if len(vocabulary) != K or (not embedded and len(vocabulary) != D):
            r.fail(f"'vocabulary' has {len(vocabulary)} characters but the arrays have D={D}, "
                   f"K={K}")
    if embedded:
        objs = r.get(doc, "windows") if "windows" in doc else [doc]
        _read_embedding(r, doc, objs, traces if "windows" in doc else [traces[0]], vocabulary)
    T = sum(t.T for t in traces)
    if text_raw is not None and vocabulary is not None and len(text_raw) != T + 1:
        r.fail(f"'text' has {len(text_raw)} characters for {T} steps")
    for trace in traces:
        trace.extra["text"] = text_raw
        trace.extra.update(extra)
    return traces if "windows" in doc else traces[0]

