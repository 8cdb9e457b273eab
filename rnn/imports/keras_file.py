"""Reading a Keras 3 ``.keras`` file with ``zipfile``, JSON and ``h5py`` alone (no Keras).

The file is a zip of ``metadata.json``, ``config.json`` (the model's layers) and
``model.weights.h5`` (the variables, under ``layers/<layer>/[cell/]vars/<i>``). The zip's
members are bounded like a checkpoint's ``.npz`` members (declared size, expansion ratio,
count), ``config.json`` like a JSON trace (size, nesting, digit runs), and every HDF5 dataset's
shape and dtype are checked before its data is read.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass, field

import numpy as np

from rnn import limits
from rnn.errors import UnrolledError
from rnn.files.safe_io import parse_json, read_size

CONFIG, WEIGHTS = "config.json", "model.weights.h5"
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
MAX_H5_OBJECTS = 4096  # groups and datasets walked in the weights file


@dataclass
class KerasFile:
    """A checked ``.keras`` archive: the model config, and the weights' datasets by path."""

    source: str
    config: dict  # config.json, parsed
    shapes: dict[str, tuple[int, ...]]  # "layers/lstm/cell/vars/0" -> (D, 4H), floats only
    _h5: object = field(repr=False)

    def read(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Dataset ``name`` as float64, after checking it has ``shape``."""
        if name not in self.shapes:
            raise UnrolledError(f"{self.source}: {WEIGHTS} has no {name}")
        if self.shapes[name] != tuple(shape):
            raise UnrolledError(f"{self.source}: {name} has shape {self.shapes[name]}, "
                                f"expected {tuple(shape)} from config.json")
        try:
            return np.asarray(self._h5[name][()], dtype=np.float64)
        except (OSError, ValueError, KeyError, RuntimeError) as err:
            raise UnrolledError(f"{self.source}: cannot read {name} ({err})") from None

    def close(self) -> None:
        self._h5.close()


def _member(zf: zipfile.ZipFile, name: str, cap: int, source: str) -> bytes:
    """The bytes of member ``name``, refused before reading if it declares too much."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise UnrolledError(f"{source}: no {name} inside; not a Keras 3 .keras file?") from None
    if info.file_size > cap:
        raise UnrolledError(f"{source}: member {name!r} declares {info.file_size} bytes "
                            f"(at most {cap})")
    if info.file_size > limits.MAX_NPZ_RATIO * max(info.compress_size, 1) + 4096:
        raise UnrolledError(f"{source}: member {name!r} expands {info.file_size} bytes from "
                            f"{info.compress_size} (a zip bomb?)")
    with zf.open(info) as f:
        data = f.read(cap + 1)  # never more than the cap, whatever the header said
    if len(data) != info.file_size:
        raise UnrolledError(f"{source}: member {name!r} holds {len(data)} bytes, not the "
                            f"{info.file_size} it declares")
    return data


def _datasets(h5, source: str) -> dict[str, tuple[int, ...]]:
    """Every dataset's shape, each a float array of bounded size; no data read."""
    import h5py

    shapes: dict[str, tuple[int, ...]] = {}
    seen = 0

    def visit(name, obj):
        nonlocal seen
        seen += 1
        if seen > MAX_H5_OBJECTS:
            raise UnrolledError(f"{source}: {WEIGHTS} holds more than {MAX_H5_OBJECTS} groups "
                                "and arrays")
        if not isinstance(obj, h5py.Dataset):
            return None
        if len(shapes) >= limits.MAX_IMPORT_TENSORS:
            raise UnrolledError(f"{source}: more than {limits.MAX_IMPORT_TENSORS} arrays; a "
                                "one-layer model has 8")
        dtype, shape = obj.dtype, obj.shape
        if shape is None or dtype.kind != "f" or dtype.itemsize not in (2, 4, 8):
            raise UnrolledError(f"{source}: {name} has dtype {dtype}; a model's weights must "
                                "be floats of 16, 32 or 64 bits")
        count = 1
        for n in shape:
            count *= int(n)
        if len(shape) > 4 or count * dtype.itemsize > limits.MAX_NPZ_MEMBER:
            raise UnrolledError(f"{source}: {name} declares shape {shape}, beyond the limits")
        shapes[name] = tuple(int(n) for n in shape)
        return None

    h5.visititems(visit)
    return shapes


def open_keras(path: str | os.PathLike, what: str = "weights file") -> KerasFile:
    """The checked archive at ``path``; call ``close()`` when done (or read all at once)."""
    import h5py

    source = f"{what} {path}"
    read_size(path, limits.MAX_WEIGHTS_FILE, what)
    if not zipfile.is_zipfile(path):
        raise UnrolledError(f"{source} is not a .keras file (not a zip archive)")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > limits.MAX_NPZ_MEMBERS:
                raise UnrolledError(f"{source}: {len(infos)} members (at most "
                                    f"{limits.MAX_NPZ_MEMBERS})")
            if len({i.filename for i in infos}) != len(infos):
                raise UnrolledError(f"{source}: two members share a name")
            config_bytes = _member(zf, CONFIG, limits.MAX_KERAS_CONFIG, source)
            weights = _member(zf, WEIGHTS, limits.MAX_NPZ_MEMBER, source)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, NotImplementedError) as err:
        raise UnrolledError(f"{source} is not a valid .keras archive ({err})") from None
    try:
        text = config_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise UnrolledError(f"{source}: {CONFIG} is not UTF-8") from None
    config = parse_json(text, f"{source}: {CONFIG}")
    if not isinstance(config, dict):
        raise UnrolledError(f"{source}: {CONFIG} must be a JSON object")
    if not weights.startswith(HDF5_MAGIC):
        raise UnrolledError(f"{source}: {WEIGHTS} is not an HDF5 file")
    try:
        h5 = h5py.File(io.BytesIO(weights), "r")
    except (OSError, ValueError, RuntimeError) as err:
        raise UnrolledError(f"{source}: {WEIGHTS} cannot be opened ({err})") from None
    try:
        shapes = _datasets(h5, source)
    except UnrolledError:
        h5.close()
        raise
    except (OSError, ValueError, RuntimeError, KeyError) as err:
        h5.close()
        raise UnrolledError(f"{source}: {WEIGHTS} cannot be read ({err})") from None
    return KerasFile(source, config, shapes, h5)
