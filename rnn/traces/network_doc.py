"""The Trace document of a network of any shape (stacked, bidirectional, one label).

The same format and version as a one-layer trace (``unrolled.trace`` 2), with keys added, never
renamed; a one-layer, one-direction, every-step model writes the one-layer document as before.

- ``network``: ``layers``, ``bidirectional``, ``task`` ("every" or "last") and ``classes`` (the
  label names of one label per sequence, or null).
- ``inputs`` (T, D), ``targets`` (T,) or (1,), ``params`` and ``grads`` by torch's names
  (``W_ih_l0``, ``W_ih_l0_reverse``, ..., ``V``, ``c``; the initial states' ``h0_l0``, ...; an
  embedding's ``embedding``), ``loss``.
- ``head``: ``steps``, one object per output (every step, or the one after the last step) with
  ``o``, ``yhat``, ``loss`` and ``dL_do``.
- ``layers``: one object per layer and direction, bottom first, forward before backward, with
  ``layer``, ``direction`` and its states before its step 1 (``h0``, ...), and ``steps`` in
  sequence order (a backward direction's step 1 is the last position): ``x`` what it reads,
  ``h`` and the cell's parts, ``dL_dh`` and its parts: ``dL_dh_from_output`` (top layer) or
  ``dL_dh_from_above`` (the layers below), and ``dL_dh_from_next`` (its own direction's next
  step).

A document is read by running its parameters again and checking that every recorded number
equals the rerun's (``MATCH``): a document that disagrees with its own parameters is refused.
"""

from __future__ import annotations

import numpy as np

from rnn.cells import get_cell
from rnn.data import Vocabulary
from rnn.errors import UnrolledError
from rnn.limits import check_trace_size
from rnn.network import (DIRECTION_NAMES, NetworkParams, NetworkTrace, Shape, in_own_order,
                         run_network, suffix)
from rnn.traces.columns import FORMAT, VERSION, _update
from rnn.traces.columns import _column as _recorded
from rnn.traces.values import Reader

HEAD_COLUMNS = ("o", "yhat", "loss", "dL_do")
MATCH = 1e-9  # relative to each array's largest magnitude: far above float noise, far below a change


def _layer_columns(trace: NetworkTrace, l: int, d: int) -> dict:
    layer = trace.layer(l, d)
    top = l == trace.shape.layers - 1
    out = {}
    for key in layer.spec.columns:
        if key in HEAD_COLUMNS:
            continue
        value = _recorded(layer, key)
        name = key if top or key != "dL_dh_from_output" else "dL_dh_from_above"
        if isinstance(value, dict):
            out[name] = {g: in_own_order(v, d) for g, v in value.items()}
        else:
            out[name] = in_own_order(value, d)
    return out


def to_network_doc(trace: NetworkTrace, text: str | None = None) -> dict:
    """The document of a network's trace (see the module's docstring)."""
    shape = trace.shape
    classes = trace.extra.get("classes")
    doc = {
        "format": FORMAT, "version": VERSION, "cell": trace.kind, "config": None,
        "text": text or trace.extra.get("text"),
        "vocabulary": list(trace.vocabulary.chars) if trace.vocabulary else None,
        "network": {"layers": shape.layers, "bidirectional": shape.bidirectional,
                    "task": shape.task, "classes": list(classes) if classes else None},
        "inputs": trace.X, "targets": trace.targets.astype(np.int64),
        "params": trace.params.as_dict(), "loss": trace.loss,
        "head": {"steps": {"o": trace.o, "yhat": trace.yhat, "loss": trace.losses,
                           "dL_do": trace.dL_do}},
        "grads": dict(trace.grads),
        "layers": [],
    }
    for l, d in shape.slots:
        layer = trace.layer(l, d)
        doc["layers"].append({
            "layer": l, "direction": DIRECTION_NAMES[d],
            **{f"{p}0": v for p, v in layer.state0.items()},
            "steps": _layer_columns(trace, l, d)})
    if "embedding" in trace.extra:  # x(t) is the row input_ids[t] of the embedding table
        doc["input_ids"] = np.asarray(trace.extra["input_ids"], dtype=np.int64)
        doc["embedding"] = trace.extra["embedding"]
        doc["grads"]["embedding"] = trace.extra["embedding_grad"]
    if trace.update is not None:
        doc.update(_update(trace))
    if trace.extra.get("window"):
        doc["window"] = dict(trace.extra["window"])
    return doc


def json_network_doc(doc: dict, value, steps) -> dict:
    """The document as JSON values: ``value`` encodes a leaf, ``steps`` turns columns into step
    objects (``rnn.traces.files``)."""
    out = {k: value(v) for k, v in doc.items() if k not in ("head", "layers")}
    out["head"] = {"steps": steps(doc["head"]["steps"], doc["targets"])}
    out["layers"] = [{k: (steps(v, None) if k == "steps" else value(v)) for k, v in layer.items()}
                     for layer in doc["layers"]]
    return out


# Reading ------------------------------------------------------------------------------
def _shape(r: Reader, doc: dict) -> tuple[Shape, tuple | None]:
    net = r.get(doc, "network")
    if not isinstance(net, dict):
        r.fail("'network' must be an object")
    layers = r.integer(r.get(net, "layers", "network."), "network.layers")
    both = r.get(net, "bidirectional", "network.")
    if not isinstance(both, bool):
        r.fail("'network.bidirectional' must be true or false")
    task = r.choice(r.get(net, "task", "network."), "network.task", ("every", "last"))
    classes = net.get("classes")
    if classes is not None:
        if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
            r.fail("'network.classes' must be a list of names or null")
        classes = tuple(classes)
    try:
        return Shape(layers, both, task), classes
    except UnrolledError as err:  # naming the bad value
        r.fail(str(err))


def _params(r: Reader, doc: dict, spec, shape: Shape) -> NetworkParams:
    raw = r.get(doc, "params")
    if not isinstance(raw, dict) or len(raw) > 64:
        r.fail("'params' must be an object of at most 64 arrays")
    arrays = {}
    for name, value in raw.items():
        arrays[name] = r.array(value, _outer_shape(value), f"params.{name}")
    try:
        return NetworkParams(spec, shape, arrays)
    except UnrolledError as err:  # naming the bad array
        r.fail(str(err))


def _same(r: Reader, recorded, rerun: np.ndarray, key: str) -> None:
    if rerun.size == 0 and isinstance(recorded, list) and not recorded:
        return  # no rows (a window without the label), gathered from no JSON step objects
    value = r.array(recorded, rerun.shape, key)
    scale = float(np.max(np.abs(rerun))) if rerun.size else 0.0
    if not np.allclose(value, rerun, rtol=0, atol=MATCH * max(scale, 1e-300), equal_nan=True):
        r.fail(f"'{key}' disagrees with the document's own parameters and inputs")


def from_network_doc(r: Reader, doc: dict):
    """Validate a network's document and build its trace (rerun, then compared), or the
    windows of a truncated run (each window a network's document)."""
    if "windows" in doc:
        windows = r.get(doc, "windows")
        if not isinstance(windows, list) or not 1 <= len(windows) <= 10_000:
            r.fail("'windows' must be a non-empty list")
        out = []
        for i, w in enumerate(windows):
            if not isinstance(w, dict):
                r.fail(f"'windows[{i}]' must be an object")
            # one label per sequence is read after the last window only (rnn.learning.truncated)
            out.append(_one_network(Reader(f"{r.source}: windows[{i}]"),
                                    {**w, "network": doc.get("network")},
                                    labelled=i == len(windows) - 1))
            window = w.get("window")
            if isinstance(window, dict):
                out[-1].extra["window"] = {k: r.integer(window.get(k), f"window.{k}")
                                           for k in ("start", "stop")}
        _check_windows(r, windows, out)
        return out
    return _one_network(r, doc)


def _check_windows(r: Reader, docs: list, traces: list) -> None:
    """The rules of a truncated run (``rnn.learning.truncated``): windows one after another
    from step 1; each forward direction starts where it stopped in the window before, each
    backward direction from the first window's states; a window runs with the parameters its
    predecessor left (updated after a loss, the same without one)."""
    nxt = 1
    for i, (w, trace) in enumerate(zip(docs, traces)):
        window = trace.extra.get("window")
        if window is None or window["start"] != nxt or window["stop"] != nxt + trace.T - 1:
            r.fail(f"'windows[{i}].window' must run over steps {nxt}..{nxt + trace.T - 1}")
        nxt += trace.T
        if trace.losses.size == 0 and "update" in w:
            r.fail(f"'windows[{i}]' has no loss, so no 'update'")
        if i == 0:
            continue
        prev = traces[i - 1]
        for (l, d), layer in trace.layers.items():
            was = prev.layer(l, d).states if d == 0 else None
            for p, value in layer.state0.items():
                want = was(p)[-1] if d == 0 else traces[0].layer(l, d).state0[p]
                _same(r, value, want, f"windows[{i}].layers.{p}0{suffix(l, d)}")
        before = docs[i - 1].get("params_after") if prev.losses.size else None
        before = prev.params.as_dict() if before is None else before
        if not isinstance(before, dict):
            r.fail(f"'windows[{i - 1}].params_after' must be an object")
        for name, value in trace.params.as_dict().items():
            _same(r, value, r.array(r.get(before, name, f"windows[{i - 1}].params_after."),
                                    value.shape, name), f"windows[{i}].params.{name}")


def _one_network(r: Reader, doc: dict, labelled: bool = True) -> NetworkTrace:
    """One network document (no windows); not ``labelled``: a window before the one label,
    which has no targets."""
    spec = get_cell(r.choice(r.get(doc, "cell"), "cell", _cells()))
    shape, classes = _shape(r, doc)
    params = _params(r, doc, spec, shape)
    T = len(r.get(doc, "inputs")) if isinstance(r.get(doc, "inputs"), (list, np.ndarray)) else 0
    if not 1 <= T <= 10_000:
        r.fail("'inputs' must hold 1 to 10000 steps")
    try:  # the rerun's memory and time, refused before anything is run
        check_trace_size(T * len(shape.slots), params.hidden_size, params.output_size,
                         params.input_size)
    except UnrolledError as err:
        r.fail(str(err))
    X = r.array(r.get(doc, "inputs"), (T, params.input_size), "inputs")
    n = T if shape.task == "every" else int(labelled)
    y = r.indices(r.get(doc, "targets"), n, params.output_size, "targets")
    trace = run_network(params, X, y if n else None, _starts(r, doc, params))
    layers = r.get(doc, "layers")
    if not isinstance(layers, list) or len(layers) != len(shape.slots):
        r.fail(f"'layers' must hold {len(shape.slots)} objects")
    for i, (l, d) in enumerate(shape.slots):
        obj = layers[i]
        steps = r.get(obj, "steps", f"layers[{i}].")
        for key, want in _layer_columns(trace, l, d).items():
            where = f"layers[{i}].steps.{key}"
            if isinstance(want, dict):
                for g, col in want.items():
                    _same(r, _column(r, steps, key, len(col), where, g), col, f"{where}.{g}")
            else:
                _same(r, _column(r, steps, key, len(want), where), want, where)
    head = r.get(r.get(doc, "head"), "steps", "head.")
    for key, want in (("o", trace.o), ("yhat", trace.yhat), ("loss", trace.losses),
                      ("dL_do", trace.dL_do)):
        _same(r, _column(r, head, key, len(want), f"head.steps.{key}"), want,
              f"head.steps.{key}")
    grads = r.get(doc, "grads")
    for name, want in trace.grads.items():
        _same(r, r.get(grads, name, "grads."), want, f"grads.{name}")
    rows = _embedding(r, doc, trace, grads)
    vocab = doc.get("vocabulary")
    if vocab is not None:
        if not isinstance(vocab, list) or not all(isinstance(c, str) for c in vocab):
            r.fail("'vocabulary' must be a list of characters or null")
        trace.vocabulary = Vocabulary(tuple(vocab))
        if len(vocab) != (params.input_size if rows is None else rows):
            r.fail(f"'vocabulary' has {len(vocab)} characters for "
                   f"{params.input_size if rows is None else rows} inputs")
    text = doc.get("text")
    if text is not None and not isinstance(text, str):
        r.fail("'text' must be a string or null")
    if classes is not None and len(classes) != params.output_size:
        r.fail(f"'network.classes' names {len(classes)} classes for {params.output_size} outputs")
    trace.extra.update(text=text, classes=classes)
    return trace


def _embedding(r: Reader, doc: dict, trace: NetworkTrace, grads: dict) -> int | None:
    """The embedding a document's inputs are rows of (None without one): every x(t) must be
    the row ``input_ids[t]``, and its gradient the rerun's. Returns its number of rows."""
    if "embedding" not in doc and "input_ids" not in doc:
        return None
    from rnn.data import embedding_gradient

    raw = r.get(doc, "embedding")
    table = r.array(raw, _outer_shape(raw), "embedding")
    if table.ndim != 2 or table.shape[1] != trace.params.input_size or not 1 <= len(table) \
            <= 1000:
        r.fail(f"'embedding' must be (V, {trace.params.input_size}) with V in 1..1000")
    ids = r.indices(r.get(doc, "input_ids"), trace.T, len(table), "input_ids")
    if not np.array_equal(table[ids], trace.X):
        r.fail("'inputs' are not the rows 'input_ids' of 'embedding'")
    want = embedding_gradient(ids, trace.input_errors, len(table))
    _same(r, r.get(grads, "embedding", "grads."), want, "grads.embedding")
    trace.extra.update(input_ids=ids.tolist(), embedding=table, embedding_grad=want)
    return len(table)


def _column(r: Reader, steps, key: str, T: int, where: str, gate: str | None = None):
    """One column of ``steps``: an array (the .npz form's columns) or gathered from the JSON
    form's T step objects."""
    if isinstance(steps, dict):
        value = r.get(steps, key, where)
        return value if gate is None else r.get(value, gate, where + ".")
    if not isinstance(steps, list) or len(steps) != T:
        r.fail(f"'{where}' needs {T} step objects")
    out = []
    for step in steps:
        value = r.get(step, key, where)
        out.append(value if gate is None else r.get(value, gate, where + "."))
    return out


def _outer_shape(value) -> tuple:
    """The shape a vector or matrix claims by its outer lists (checked whole by ``r.array``)."""
    if isinstance(value, np.ndarray):
        return value.shape
    if isinstance(value, list) and value and isinstance(value[0], list):
        return (len(value), len(value[0]))
    return (len(value),) if isinstance(value, list) else ()


def _starts(r: Reader, doc: dict, params: NetworkParams) -> dict:
    layers = r.get(doc, "layers")
    if not isinstance(layers, list) or len(layers) != len(params.shape.slots):
        r.fail(f"'layers' must hold {len(params.shape.slots)} objects")
    H = params.hidden_size
    return {slot: {p: r.array(r.get(layers[i], f"{p}0", f"layers[{i}]."), (H,),
                              f"layers[{i}].{p}0") for p in params.spec.states}
            for i, slot in enumerate(params.shape.slots)}


def _cells() -> tuple[str, ...]:
    from rnn.cells import CELLS

    return tuple(CELLS)
