"""The binary Trace: the version-2 document as an ``.npz`` (no pickles), for any size.

Every array of the document is one ``.npy`` member named by its path (``steps/h`` (T, H),
``params/W_hh``, ``windows/3/grads/V``); the scalars and strings (format, version, cell,
config, text, vocabulary, losses, update settings) sit in one JSON member, ``header``, in
the document's own nesting. The zip is written member by member with fixed timestamps and no
compression, so the same command gives the same bytes. Reading checks every member's header
(``rnn.files.safe_io.load_npz``) before any data, then puts the arrays back in place and hands the
document to the same validation as the JSON form.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
from numpy.lib import format as npy_format

from rnn import limits
from rnn.errors import UnrolledError
from rnn.files.atomic import atomic_path
from rnn.files.safe_io import load_npz, parse_json
from rnn.traces.values import encode_number

HEADER = "header"
DATE_TIME = (1980, 1, 1, 0, 0, 0)  # the zip format's earliest: no clock in the file


def _split(node, path: str, arrays: dict):
    """The JSON part of ``node``; its arrays go into ``arrays`` under their paths."""
    if isinstance(node, np.ndarray):
        arrays[path] = node
        return None
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            part = _split(v, f"{path}/{k}" if path else k, arrays)
            if not isinstance(v, np.ndarray):
                out[k] = part
        return out
    if isinstance(node, list):
        return [_split(v, f"{path}/{i}", arrays) for i, v in enumerate(node)]
    if isinstance(node, float):
        return encode_number(node)
    if isinstance(node, np.generic):
        return encode_number(float(node))
    return node


def _member(zf: zipfile.ZipFile, name: str, array: np.ndarray) -> None:
    info = zipfile.ZipInfo(f"{name}.npy", date_time=DATE_TIME)
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    with zf.open(info, "w", force_zip64=True) as f:
        npy_format.write_array(f, np.ascontiguousarray(array), allow_pickle=False)


def save_npz(path: str | Path, doc: dict) -> None:
    """Write the document ``doc`` (from ``rnn.traces.document.to_doc``) as an ``.npz``, atomically."""
    arrays: dict[str, np.ndarray] = {}
    header = _split(doc, "", arrays)
    text = json.dumps(header, allow_nan=False, separators=(",", ":"))
    with atomic_path(path, suffix=".tmp.npz") as tmp, zipfile.ZipFile(tmp, "w") as zf:
        _member(zf, HEADER, np.frombuffer(text.encode("utf-8"), dtype=np.uint8))
        for name, array in arrays.items():
            if array.dtype.kind == "f":
                array = array.astype(np.float64, copy=False)
            _member(zf, name, array)


INTEGER_MEMBERS = ("targets", "input_ids")  # class and character indices; the rest are floats


def _allowed(name: str, shape: tuple, dtype: np.dtype) -> str | None:
    """Why member ``name`` is refused, from its header alone (None: accepted)."""
    if name == HEADER:
        if dtype != np.uint8 or len(shape) != 1 or shape[0] > limits.MAX_TRACE_NPZ_HEADER:
            return (f"must be at most {limits.MAX_TRACE_NPZ_HEADER} bytes of JSON (uint8), "
                    f"got {dtype} {shape}")
        return None
    leaf = name.rsplit("/", 1)[-1]
    want = np.int64 if leaf in INTEGER_MEMBERS else np.float64
    if dtype != want:
        return f"has dtype {dtype}, expected {np.dtype(want)}"
    if len(shape) > 3:
        return f"has shape {shape}, at most 3 dimensions"
    return None


def _graft(doc: dict, path: str, array: np.ndarray, source: str) -> None:
    """Put ``array`` at ``path`` in the header's nesting; the header must hold the lists."""
    parts = path.split("/")
    node = doc
    for part in parts[:-1]:
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise UnrolledError(f"{source}: member {path!r} names no entry of the header")
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node.setdefault(part, {})
        else:
            raise UnrolledError(f"{source}: member {path!r} names no entry of the header")
    if not isinstance(node, dict) or parts[-1] in node:
        raise UnrolledError(f"{source}: member {path!r} clashes with the header")
    node[parts[-1]] = array


def load_npz_doc(path: str | Path) -> dict:
    """The document of a Trace ``.npz``: its header with the arrays back in place."""
    source = f"trace file {path}"
    arrays = load_npz(path, "trace file", _allowed, limit=limits.MAX_TRACE_NPZ_FILE,
                      max_members=limits.MAX_TRACE_NPZ_MEMBERS)
    if HEADER not in arrays:
        raise UnrolledError(f"{source}: no {HEADER!r} member (not an unrolled trace)")
    try:
        text = arrays.pop(HEADER).tobytes().decode("utf-8")
    except UnicodeDecodeError:
        raise UnrolledError(f"{source}: the header is not UTF-8") from None
    doc = parse_json(text, f"{source}: header")
    if not isinstance(doc, dict):
        raise UnrolledError(f"{source}: the header is not a JSON object")
    for name, array in arrays.items():
        _graft(doc, name, array, source)
    return doc
