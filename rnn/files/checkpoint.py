"""Checkpoints: parameters, vocabulary and cell type in a plain ``.npz`` (no pickle), for
``--weights``.

A simple-RNN checkpoint holds U, W, V, b, c; an LSTM or GRU checkpoint W_ih, W_hh, b_ih, b_hh,
V, c in torch's layout. The member ``cell`` says which ("rnn" when absent: the checkpoints
written before the gated cells existed).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from rnn import limits
from rnn.cells import CELLS, Params
from rnn.data import Vocabulary
from rnn.errors import UnrolledError
from rnn.files.atomic import atomic_path
from rnn.files.safe_io import load_npz, parse_json


def cell_of(params: Params) -> str:
    return params.kind


def save_checkpoint(path: str | Path, params: Params, vocabulary: Vocabulary,
                    meta: dict) -> None:
    """Write the parameters, the vocabulary, the cell type and a JSON ``meta``; atomically.
    A network's (``rnn.network.NetworkParams``) also holds its ``shape`` as JSON."""
    shape = getattr(params, "shape", None)
    extra = {} if shape is None else {"shape": np.array(json.dumps(
        {"layers": shape.layers, "bidirectional": shape.bidirectional, "task": shape.task},
        sort_keys=True))}
    with atomic_path(path, suffix=".tmp.npz") as tmp:
        np.savez(
            tmp,
            **params.as_dict(),
            **extra,
            vocabulary=np.array(vocabulary.chars, dtype="<U1"),
            meta=np.array(json.dumps(meta, sort_keys=True)),
            cell=np.array(cell_of(params), dtype=f"<U{max(4, len(cell_of(params)))}"),
        )


def _parameter_name(name: str) -> bool:
    """A cell's parameter, or one of a network's layers (``W_ih_l1_reverse``)."""
    base = re.sub(r"_l[0-9]+(_reverse)?$", "", name)
    return any(base in cell.param_names for cell in CELLS.values())


def _allowed(name: str, shape: tuple, dtype: np.dtype) -> str | None:
    """Why member ``name`` of a checkpoint is refused, from its header alone (None: accepted)."""
    if _parameter_name(name):
        if dtype.kind not in "fiu":
            return f"has dtype {dtype} (expected floats or integers)"
        blocks = max(max(len(cell.gates), 1) for cell in CELLS.values())  # an LSTM stacks 4
        biggest = max(blocks * limits.MAX_HIDDEN, limits.MAX_VOCAB)
        if len(shape) not in (1, 2) or any(n > biggest for n in shape):
            return f"has shape {shape}, beyond the limits"
        return None
    if name == "vocabulary":
        if dtype.kind != "U" or dtype.itemsize != 4 or len(shape) != 1:
            return f"must be single characters, got dtype {dtype} and shape {shape}"
        if shape[0] > limits.MAX_VOCAB:
            return f"holds {shape[0]} characters (at most {limits.MAX_VOCAB})"
        return None
    if name == "meta":
        if dtype.kind != "U" or shape != () or dtype.itemsize > 4 * 65536:
            return f"must be one JSON string of at most 65536 characters, got {dtype} {shape}"
        return None
    if name == "shape":
        if dtype.kind != "U" or shape != () or dtype.itemsize > 4 * 256:
            return f"must be one JSON string of at most 256 characters, got {dtype} {shape}"
        return None
    if name == "cell":
        if dtype.kind != "U" or shape != () or dtype.itemsize > 4 * 16:
            return f"must be one of {', '.join(CELLS)}, got {dtype} {shape}"
        return None
    return "is not a checkpoint member"


def _article(cell: str) -> str:
    return f"{CELLS[cell].article} {cell}"


def load_any_checkpoint(path: str | Path) -> tuple[Params, Vocabulary, dict]:
    """Read a checkpoint of any cell without pickles; every header is checked before any data.

    One clear UnrolledError if the file is bad.
    """
    path = Path(path)
    z = load_npz(path, "weights file", _allowed)
    cell = str(z["cell"]) if "cell" in z else "rnn"
    if cell not in CELLS:
        raise UnrolledError(f"weights file {path}: cell must be one of {', '.join(CELLS)}, "
                            f"got {cell!r}")
    names = CELLS[cell].param_names
    missing = [k for k in (*names, "vocabulary", "meta") if k not in z]
    if missing:
        raise UnrolledError(f"weights file {path}: missing {', '.join(missing)}")
    arrays = {k: z[k].astype(np.float64) for k in names}
    chars = tuple(str(c) for c in z["vocabulary"])
    meta = parse_json(str(z["meta"]), f"weights file {path}: meta")
    for name, a in arrays.items():
        if not np.all(np.isfinite(a)):
            raise UnrolledError(f"weights file {path}: {name} holds NaN or infinite values")
    try:
        params = Params(cell, **arrays)
        vocabulary = Vocabulary(chars)
    except UnrolledError as err:
        raise UnrolledError(f"weights file {path}: {err}") from None
    if len(vocabulary) != params.input_size or len(vocabulary) != params.output_size:
        what = f"{params.names[0]} and V"
        raise UnrolledError(
            f"weights file {path}: vocabulary of {len(vocabulary)} does not match {what}"
        )
    if params.hidden_size > limits.MAX_HIDDEN:
        raise UnrolledError(f"weights file {path}: {params.hidden_size} hidden units "
                            f"(at most {limits.MAX_HIDDEN})")
    return params, vocabulary, meta


def load_checkpoint(path: str | Path, cell: str = "rnn"):
    """Read a checkpoint of cell ``cell``; one of another cell is refused with one line."""
    params, vocabulary, meta = load_any_checkpoint(path)
    if cell_of(params) != cell:
        raise UnrolledError(f"weights file {path} holds {_article(cell_of(params))}; "
                            f"--cell is {cell}")
    return params, vocabulary, meta


def checkpoint_shape(path: str | Path):
    """The ``rnn.network.Shape`` of a network's checkpoint, or None for a one-layer model's
    (every header checked; the data of the small ``shape`` member alone read)."""
    return _shape_of(load_npz(Path(path), "weights file", _allowed, only=("shape",)), path)


def _shape_of(z: dict, path):
    """The Shape a checkpoint's members declare, or None without a ``shape`` member."""
    from rnn.network import Shape

    if "shape" not in z:
        return None
    doc = parse_json(str(z["shape"]), f"weights file {path}: shape")
    if not isinstance(doc, dict) or set(doc) != {"layers", "bidirectional", "task"} or not (
            isinstance(doc["bidirectional"], bool) and type(doc["layers"]) is int):
        raise UnrolledError(f"weights file {path}: shape must be {{layers, bidirectional, "
                            "task}")
    try:
        return Shape(doc["layers"], doc["bidirectional"], doc["task"])
    except UnrolledError as err:
        raise UnrolledError(f"weights file {path}: {err}") from None


def load_network_checkpoint(path: str | Path, cell: str):
    """Read a network's checkpoint of cell ``cell``: (NetworkParams, Vocabulary, meta)."""
    from rnn.network import NetworkParams, cell_names

    path = Path(path)
    z = load_npz(path, "weights file", _allowed)
    shape = _shape_of(z, path)
    held = str(z["cell"]) if "cell" in z else "rnn"
    if shape is None or held not in CELLS:
        raise UnrolledError(f"weights file {path}: not a network's checkpoint")
    if held != cell:
        raise UnrolledError(f"weights file {path} holds {_article(held)}; --cell is {cell}")
    want = [n for n in z if _parameter_name(n)]
    for name in ("vocabulary", "meta"):
        if name not in z:
            raise UnrolledError(f"weights file {path}: missing {name}")
    arrays = {k: z[k].astype(np.float64) for k in want}
    for name, a in arrays.items():
        if not np.all(np.isfinite(a)):
            raise UnrolledError(f"weights file {path}: {name} holds NaN or infinite values")
    meta = parse_json(str(z["meta"]), f"weights file {path}: meta")
    try:
        params = NetworkParams(held, shape, arrays)
        vocabulary = Vocabulary(tuple(str(c) for c in z["vocabulary"]))
    except UnrolledError as err:
        raise UnrolledError(f"weights file {path}: {err}") from None
    if not isinstance(meta, dict):
        raise UnrolledError(f"weights file {path}: meta must be a JSON object")
    if len(vocabulary) != params.input_size:
        raise UnrolledError(f"weights file {path}: vocabulary of {len(vocabulary)} does not "
                            f"match {cell_names(params.spec)[0]}_l0")
    if params.hidden_size > limits.MAX_HIDDEN:
        raise UnrolledError(f"weights file {path}: {params.hidden_size} hidden units "
                            f"(at most {limits.MAX_HIDDEN})")
    return params, vocabulary, meta


__all__ = ["cell_of", "checkpoint_shape", "load_any_checkpoint", "load_checkpoint",
           "load_network_checkpoint", "save_checkpoint"]
