"""Reading a ``.safetensors`` file (torch's ``safetensors.torch.save_file``) with numpy alone.

The format: 8 bytes, the little-endian length N of a JSON header; N bytes of header, an object
``{name: {"dtype": "F32", "shape": [4, 3], "data_offsets": [begin, end]}, "__metadata__":
{str: str}}``; then the data, little-endian, offsets counted from the end of the header.

Everything the header declares is checked against the file before any data is read: the
header's length, its JSON bounds, each dtype, each shape against its byte range, each range
inside the file, and no two ranges overlapping. Floats of 16 bits become float64 (bfloat16 by
shifting its bits into the top half of a float32).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnn import limits
from rnn.errors import UnrolledError
from rnn.files.safe_io import parse_json, read_size

# dtype name -> (bytes per element, numpy dtype it is read as)
DTYPES = {"F64": (8, "<f8"), "F32": (4, "<f4"), "F16": (2, "<f2"), "BF16": (2, "<u2")}


@dataclass(frozen=True)
class TensorInfo:
    """One tensor as the header declares it, checked."""

    dtype: str  # "F64", "F32", "F16" or "BF16"
    shape: tuple[int, ...]
    begin: int  # byte offsets in the data section
    end: int


def _tensor_info(name: str, entry, source: str) -> TensorInfo:
    if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
        raise UnrolledError(f"{source}: tensor {name!r} must hold exactly dtype, shape and "
                            "data_offsets")
    dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    if dtype not in DTYPES:
        raise UnrolledError(f"{source}: tensor {name!r} has dtype {dtype!r}; a model's weights "
                            f"must be floats ({', '.join(DTYPES)})")
    ints = (lambda v: isinstance(v, list) and all(isinstance(n, int) and not isinstance(n, bool)
                                                    and n >= 0 for n in v))
    if not ints(shape) or len(shape) > 4:
        raise UnrolledError(f"{source}: tensor {name!r} has shape {shape!r}; expected at most "
                            "4 non-negative integers")
    if not ints(offsets) or len(offsets) != 2 or offsets[0] > offsets[1]:
        raise UnrolledError(f"{source}: tensor {name!r} has data_offsets {offsets!r}; expected "
                            "[begin, end] with begin <= end")
    count = 1
    for n in shape:
        count *= n  # Python integers: a huge declared shape cannot overflow here
    if count * DTYPES[dtype][0] != offsets[1] - offsets[0]:
        raise UnrolledError(f"{source}: tensor {name!r} declares shape {tuple(shape)} of "
                            f"{dtype} ({count * DTYPES[dtype][0]} bytes) but data_offsets span "
                            f"{offsets[1] - offsets[0]} bytes")
    return TensorInfo(dtype, tuple(shape), offsets[0], offsets[1])


def read_header(path: str | os.PathLike, what: str = "weights file"):
    """The checked tensor table, the metadata and the data section's start, from the header.

    Returns ``(tensors: dict[str, TensorInfo], metadata: dict[str, str], data_start: int)``.
    """
    source = f"{what} {path}"
    size = read_size(path, limits.MAX_WEIGHTS_FILE, what)
    with _open(path, source) as f:
        head = f.read(8)
        if len(head) < 8:
            raise UnrolledError(f"{source}: {size} bytes, too short for a safetensors header "
                                "(is it truncated?)")
        n = int.from_bytes(head, "little")
        if n > limits.MAX_SAFETENSORS_HEADER:
            raise UnrolledError(f"{source}: declares a {n}-byte header (at most "
                                f"{limits.MAX_SAFETENSORS_HEADER}); not a safetensors file?")
        if 8 + n > size:
            raise UnrolledError(f"{source}: declares a {n}-byte header but the file has "
                                f"{size} bytes (is it truncated?)")
        raw = f.read(n)
    if len(raw) != n:
        raise UnrolledError(f"{source}: the header ends early (the file changed while read?)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UnrolledError(f"{source}: the header is not UTF-8 JSON; not a safetensors "
                            "file?") from None
    header = parse_json(text, f"{source}: header")
    if not isinstance(header, dict):
        raise UnrolledError(f"{source}: the header must be a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                 for k, v in metadata.items()):
        raise UnrolledError(f"{source}: __metadata__ must map strings to strings")
    if len(header) > limits.MAX_IMPORT_TENSORS:
        raise UnrolledError(f"{source}: {len(header)} tensors (at most "
                            f"{limits.MAX_IMPORT_TENSORS}); a one-layer model has 8")
    tensors = {name: _tensor_info(name, entry, source) for name, entry in header.items()}
    data_start, data_size = 8 + n, size - 8 - n
    spans = sorted((t.begin, t.end, name) for name, t in tensors.items())
    for (_b0, e0, first), (b1, _e1, second) in zip(spans, spans[1:]):
        if b1 < e0:
            raise UnrolledError(f"{source}: tensors {first!r} and {second!r} overlap in the "
                                "file; refused")
    for begin, end, name in spans:
        if end > data_size:
            raise UnrolledError(f"{source}: tensor {name!r} lies at bytes {begin}..{end} of a "
                                f"{data_size}-byte data section (is the file truncated?)")
    return tensors, metadata, data_start


def read_tensors(path: str | os.PathLike, tensors: dict[str, TensorInfo], data_start: int,
                 what: str = "weights file") -> dict[str, np.ndarray]:
    """The data of ``tensors`` (from ``read_header``, perhaps a subset) as float64 arrays."""
    source = f"{what} {path}"
    arrays = {}
    with _open(path, source) as f:
        for name, info in tensors.items():
            f.seek(data_start + info.begin)
            data = f.read(info.end - info.begin)  # bounded: read_header checked the range
            if len(data) != info.end - info.begin:
                raise UnrolledError(f"{source}: tensor {name!r} ends early (the file changed "
                                    "while read?)")
            arrays[name] = to_float64(np.frombuffer(data, DTYPES[info.dtype][1]), info.dtype
                                      ).reshape(info.shape)
    return arrays


def to_float64(flat: np.ndarray, dtype: str) -> np.ndarray:
    """float64 values of raw elements of ``dtype``; bfloat16 is the top half of a float32."""
    if dtype == "BF16":
        return (flat.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    return flat.astype(np.float64)


class _open:
    """A regular file opened for reading without blocking, or one UnrolledError."""

    def __init__(self, path, source: str):
        try:
            fd = os.open(Path(path), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except OSError as err:
            raise UnrolledError(f"{source}: cannot read ({err.strerror})") from None
        self.f = os.fdopen(fd, "rb")
        if not stat.S_ISREG(os.fstat(self.f.fileno()).st_mode):
            self.f.close()
            raise UnrolledError(f"{source} is not a regular file")

    def __enter__(self):
        return self.f

    def __exit__(self, *exc):
        self.f.close()
