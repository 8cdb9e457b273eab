"""Checkpoints: parameters and vocabulary in a plain ``.npz`` (no pickle), for ``--weights``."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np

from rnn.atomic import atomic_path
from rnn.data import Vocabulary
from rnn.errors import UnrolledError
from rnn.params import PARAM_NAMES, Params


def save_checkpoint(path: str | Path, params: Params, vocabulary: Vocabulary, meta: dict) -> None:
    """Write U, W, V, b, c, the vocabulary and a JSON ``meta`` record; atomically."""
    with atomic_path(path, suffix=".tmp.npz") as tmp:
        np.savez(
            tmp,
            **params.as_dict(),
            vocabulary=np.array(vocabulary.chars, dtype="<U1"),
            meta=np.array(json.dumps(meta, sort_keys=True)),
        )


def load_checkpoint(path: str | Path) -> tuple[Params, Vocabulary, dict]:
    """Read a checkpoint with ``allow_pickle=False``; one clear UnrolledError if it is bad."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as z:
            missing = [k for k in (*PARAM_NAMES, "vocabulary", "meta") if k not in z.files]
            if missing:
                raise UnrolledError(f"weights file {path}: missing {', '.join(missing)}")
            arrays = {k: z[k] for k in PARAM_NAMES}
            chars = tuple(str(c) for c in z["vocabulary"])
            meta = json.loads(str(z["meta"]))
    except UnrolledError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError) as err:
        raise UnrolledError(f"weights file {path} is missing or not a valid checkpoint: {err}") from None
    try:
        params = Params(**arrays)
        vocabulary = Vocabulary(chars)
    except UnrolledError as err:
        raise UnrolledError(f"weights file {path}: {err}") from None
    if len(vocabulary) != params.input_size or len(vocabulary) != params.output_size:
        raise UnrolledError(
            f"weights file {path}: vocabulary of {len(vocabulary)} does not match U and V"
        )
    return params, vocabulary, meta
