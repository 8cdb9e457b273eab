"""Checkpoints: parameters and vocabulary in a plain ``.npz`` (no pickle), for ``--weights``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from rnn import limits
from rnn.atomic import atomic_path
from rnn.data import Vocabulary
from rnn.errors import UnrolledError
from rnn.params import PARAM_NAMES, Params
from rnn.safe_io import load_npz, parse_json


def save_checkpoint(path: str | Path, params: Params, vocabulary: Vocabulary, meta: dict) -> None:
    """Write U, W, V, b, c, the vocabulary and a JSON ``meta`` record; atomically."""
    with atomic_path(path, suffix=".tmp.npz") as tmp:
        np.savez(
            tmp,
            **params.as_dict(),
            vocabulary=np.array(vocabulary.chars, dtype="<U1"),
            meta=np.array(json.dumps(meta, sort_keys=True)),
        )


def _allowed(name: str, shape: tuple, dtype: np.dtype) -> str | None:
    """Why member ``name`` of a checkpoint is refused, from its header alone (None: accepted)."""
    if name in PARAM_NAMES:
        if dtype.kind not in "fiu":
            return f"has dtype {dtype} (expected floats or integers)"
        if len(shape) not in (1, 2) or any(n > max(limits.MAX_HIDDEN, limits.MAX_VOCAB)
                                            for n in shape):
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
    return "is not a checkpoint member"


def load_checkpoint(path: str | Path) -> tuple[Params, Vocabulary, dict]:
    """Read a checkpoint without pickles; every header is checked before any data is read.

    One clear UnrolledError if the file is bad.
    """
    path = Path(path)
    z = load_npz(path, "weights file", _allowed)
    missing = [k for k in (*PARAM_NAMES, "vocabulary", "meta") if k not in z]
    if missing:
        raise UnrolledError(f"weights file {path}: missing {', '.join(missing)}")
    arrays = {k: z[k].astype(np.float64) for k in PARAM_NAMES}
    chars = tuple(str(c) for c in z["vocabulary"])
    meta = parse_json(str(z["meta"]), f"weights file {path}: meta")
    for name, a in arrays.items():
        if not np.all(np.isfinite(a)):
            raise UnrolledError(f"weights file {path}: {name} holds NaN or infinite values")
    try:
        params = Params(**arrays)
        vocabulary = Vocabulary(chars)
    except UnrolledError as err:
        raise UnrolledError(f"weights file {path}: {err}") from None
    if len(vocabulary) != params.input_size or len(vocabulary) != params.output_size:
        raise UnrolledError(
            f"weights file {path}: vocabulary of {len(vocabulary)} does not match U and V"
        )
    if params.hidden_size > limits.MAX_HIDDEN:
        raise UnrolledError(f"weights file {path}: {params.hidden_size} hidden units "
                            f"(at most {limits.MAX_HIDDEN})")
    return params, vocabulary, meta
