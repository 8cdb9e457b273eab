"""Reading what users hand us, with bounds: regular files only, capped sizes, safe parsing.

Every input file (a saved Trace, a checkpoint, a text to train on, a lecture file) goes through
here: the file is checked with ``stat`` before it is opened (a device, FIFO or folder is refused
without reading), at most its cap is read, JSON is pre-scanned for nesting and digit runs before
``json.loads``, and each ``.npz`` member's header is checked before any of its data is read.
"""

from __future__ import annotations

import json
import os
import re
import stat
import zipfile
from pathlib import Path

import numpy as np
from numpy.lib import format as npy_format

from rnn import limits
from rnn.errors import UnrolledError

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_bytes(path: str | os.PathLike, limit: int, what: str) -> bytes:
    """The bytes of regular file ``path`` (at most ``limit``); one UnrolledError otherwise."""
    path = Path(path)
    read_size(path, limit, what)
    try:
        # O_NONBLOCK: if the path was swapped for a FIFO since the stat, opening cannot hang
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise UnrolledError(f"{what} {path}: cannot read ({err.strerror})") from None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise UnrolledError(f"{what} {path} is not a regular file")
        data = f.read(limit + 1)
    if len(data) > limit:
        raise UnrolledError(f"{what} {path} has more than {limit} bytes")
    return data


def read_text(path: str | os.PathLike, limit: int, what: str) -> str:
    """``read_bytes`` decoded as UTF-8."""
    data = read_bytes(path, limit, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise UnrolledError(f"{what} {path} is not UTF-8 text ({err.reason} at byte "
                            f"{err.start})") from None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON (write it as the string \"{name}\")")


def parse_json(text: str, source: str):
    """``json.loads`` after checking nesting depth and digit runs, so it cannot blow up."""
    bare = _STRING.sub('""', text)  # brackets and digits inside strings do not count
    chars = np.frombuffer(bare.encode("utf-8", "replace"), dtype=np.uint8)
    opens = (chars == ord("[")) | (chars == ord("{"))
    brackets = opens | (chars == ord("]")) | (chars == ord("}"))
    depth = np.cumsum(np.where(opens[brackets], 1, -1), dtype=np.int32)  # brackets only
    if depth.size and int(depth.max()) > limits.MAX_JSON_DEPTH:
        raise UnrolledError(f"{source}: JSON nested deeper than {limits.MAX_JSON_DEPTH} levels")
    if re.search(rf"\d{{{limits.MAX_JSON_DIGITS + 1}}}", bare):
        raise UnrolledError(f"{source}: a JSON number has more than {limits.MAX_JSON_DIGITS} "
                            "digits")
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as err:
        raise UnrolledError(f"{source}: not valid JSON ({err.msg} at line {err.lineno}); "
                            "is the file truncated?") from None
    except (ValueError, RecursionError) as err:
        raise UnrolledError(f"{source}: not valid JSON ({err})") from None


# .npz -----------------------------------------------------------------------------------
def _member_header(zf: zipfile.ZipFile, info: zipfile.ZipInfo, source: str):
    """Shape and dtype of one ``.npy`` member, read from its header alone."""
    name = info.filename
    if not name.endswith(".npy"):
        raise UnrolledError(f"{source}: member {name!r} is not a .npy array")
    if info.file_size > limits.MAX_NPZ_MEMBER:
        raise UnrolledError(f"{source}: member {name!r} declares {info.file_size} bytes "
                            f"(at most {limits.MAX_NPZ_MEMBER})")
    if info.file_size > limits.MAX_NPZ_RATIO * max(info.compress_size, 1) + 4096:
        raise UnrolledError(f"{source}: member {name!r} expands {info.file_size} bytes from "
                            f"{info.compress_size} (a zip bomb?)")
    with zf.open(info) as f:
        try:
            version = npy_format.read_magic(f)
            if version == (1, 0):
                shape, _fortran, dtype = npy_format.read_array_header_1_0(f)
            elif version == (2, 0):
                shape, _fortran, dtype = npy_format.read_array_header_2_0(f)
            else:
                raise ValueError(f"unsupported .npy version {version}")
        except (ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
            raise UnrolledError(f"{source}: member {name!r} has a bad header ({err})") from None
    if dtype.hasobject:
        raise UnrolledError(f"{source}: member {name!r} holds Python objects (pickled data); "
                            "refused")
    count = 1
    for n in shape:
        count *= int(n)
    if count * dtype.itemsize > info.file_size:
        raise UnrolledError(f"{source}: member {name!r} declares shape {shape}, more than the "
                            "file holds")
    return shape, dtype


def load_npz(path: str | os.PathLike, what: str, allowed, limit: int = limits.MAX_WEIGHTS_FILE,
             max_members: int = limits.MAX_NPZ_MEMBERS,
             only: tuple[str, ...] | None = None) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` whose headers pass ``allowed(name, shape, dtype)``.

    ``allowed`` returns None if the member is acceptable or a reason to refuse it; it sees
    every header before any array data is read. ``only``: read the data of these members
    alone (every header is checked all the same).
    """
    source = f"{what} {path}"
    read_size(path, limit, what)
    if not zipfile.is_zipfile(path):
        kind = "checkpoint" if what == "weights file" else what
        raise UnrolledError(f"{source} is not a valid {kind}: not an .npz archive")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > max_members:
                raise UnrolledError(f"{source}: {len(infos)} members (at most {max_members})")
            if len({info.filename for info in infos}) != len(infos):
                raise UnrolledError(f"{source}: two members share a name")
            for info in infos:
                shape, dtype = _member_header(zf, info, source)
                reason = allowed(info.filename[:-4], shape, dtype)
                if reason:
                    raise UnrolledError(f"{source}: {info.filename[:-4]} {reason}")
            arrays = {}
            for info in infos:
                if only is not None and info.filename[:-4] not in only:
                    continue
                with zf.open(info) as f:
                    arrays[info.filename[:-4]] = npy_format.read_array(f, allow_pickle=False)
            return arrays
    except UnrolledError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, NotImplementedError) as err:
        raise UnrolledError(f"{source} is not a valid .npz archive ({err})") from None


def read_size(path: str | os.PathLike, limit: int, what: str) -> int:
    """The size of regular file ``path``, refused if it is not one or exceeds ``limit``."""
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise UnrolledError(f"{what} {path}: file not found") from None
    except OSError as err:
        raise UnrolledError(f"{what} {path}: cannot read ({err.strerror})") from None
    if not stat.S_ISREG(st.st_mode):
        raise UnrolledError(f"{what} {path} is {_kind(st.st_mode)}, not a regular file")
    if st.st_size > limit:
        raise UnrolledError(f"{what} {path} has {st.st_size} bytes; at most {limit} are read")
    return st.st_size
