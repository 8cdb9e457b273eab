"""Reading an ONNX model file's graph and weights with the ``onnx`` package alone.

Nothing in the graph is executed: the file is parsed as a protobuf message, its nodes are put in
an order where each comes after what it reads (a cycle is refused), and its tensors (the
initializers and ``Constant`` nodes' values) are read as numpy arrays after their declared
sizes are checked against their data.

A tensor may be stored as external data: ``location`` names a file relative to the model's own
folder, with an ``offset`` and a ``length``. It is read only from that folder: an absolute path,
a ``..``, or a symlink whose target lies outside the folder is refused, and so is a location
that is not a regular file, before anything is read from it.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rnn import limits
from rnn.errors import UnrolledError
from rnn.files.safe_io import read_size

# ONNX TensorProto data types read as weights or shapes -> (numpy dtype, field of typed data)
DTYPES = {1: ("<f4", "float_data"), 11: ("<f8", "double_data"), 10: ("<f2", "int32_data"),
          7: ("<i8", "int64_data"), 6: ("<i4", "int32_data")}
DTYPE_NAMES = {1: "float", 11: "double", 10: "float16", 7: "int64", 6: "int32"}
# AttributeProto types read: FLOAT, INT, STRING, TENSOR, FLOATS, INTS, STRINGS
READ_ATTRIBUTES = (1, 2, 3, 4, 6, 7, 8)


@dataclass
class Node:
    """One node of the graph: its operator, its inputs and outputs by name, its attributes."""

    op: str
    inputs: list[str]  # "" where an optional input is left out
    outputs: list[str]
    attrs: dict = field(default_factory=dict)  # name -> int, float, str, list or np.ndarray
    name: str = ""


@dataclass
class Graph:
    """A checked graph: nodes in an order where each follows what it reads, and its tensors."""

    nodes: list[Node]
    tensors: dict[str, np.ndarray]  # initializers and Constant values, by name
    inputs: list[str]  # the graph's inputs that are not initializers
    outputs: list[str]
    source: str

    def producer(self, name: str) -> Node | None:
        return next((n for n in self.nodes if name in n.outputs), None)

    def readers(self, name: str) -> list[Node]:
        return [n for n in self.nodes if name in n.inputs]


def read_graph(path: str | os.PathLike) -> Graph:
    """The checked graph of the ONNX file at ``path``, or one clear UnrolledError."""
    path = Path(path)
    source = f"weights file {path}"
    size = read_size(path, limits.MAX_WEIGHTS_FILE, "weights file")
    onnx = _onnx()
    with open(path, "rb") as f:
        data = f.read(size + 1)
    if len(data) != size:
        raise UnrolledError(f"{source} changed while it was read")
    try:
        model = onnx.ModelProto.FromString(data)
    except Exception as err:  # protobuf's DecodeError and its relatives
        raise UnrolledError(f"{source}: not an ONNX model ({type(err).__name__})") from None
    if not model.HasField("graph"):
        raise UnrolledError(f"{source}: not an ONNX model (no graph)")
    g = model.graph
    if len(g.node) > limits.MAX_ONNX_NODES:
        raise UnrolledError(f"{source}: {len(g.node)} nodes (at most {limits.MAX_ONNX_NODES} "
                            "are read; a recurrent character model needs a few dozen)")
    if len(g.initializer) > limits.MAX_ONNX_TENSORS:
        raise UnrolledError(f"{source}: {len(g.initializer)} initializers (at most "
                            f"{limits.MAX_ONNX_TENSORS})")
    folder = path.resolve().parent
    tensors = {t.name: _tensor(t, folder, source) for t in g.initializer}
    nodes = [_node(n, folder, source, tensors) for n in g.node]
    inputs = [i.name for i in g.input if i.name not in tensors]
    return Graph(_ordered(nodes, set(inputs) | set(tensors), source), tensors, inputs,
                 [o.name for o in g.output], source)


def _onnx():
    try:
        import onnx
    except ImportError:
        raise UnrolledError("reading an ONNX file needs the onnx package: "
                            "pip install 'unrolled[onnx]'") from None
    return onnx


def _node(proto, folder: Path, source: str, tensors: dict) -> Node:
    attrs = {}
    for a in proto.attribute:
        if a.type not in READ_ATTRIBUTES:  # graphs, lists of tensors, sparse tensors, types
            raise UnrolledError(f"{source}: node {proto.op_type} {proto.name!r} has attribute "
                                f"{a.name!r} of a kind not read here (a subgraph or a list "
                                "of tensors); only plain layers are read")
        attrs[a.name] = {1: lambda: a.f, 2: lambda: a.i, 3: lambda: a.s.decode("utf-8", "replace"),
                         4: lambda: _tensor(a.t, folder, source), 6: lambda: list(a.floats),
                         7: lambda: list(a.ints),
                         8: lambda: [s.decode("utf-8", "replace") for s in a.strings]}[a.type]()
    node = Node(proto.op_type, list(proto.input), list(proto.output), attrs, proto.name)
    if node.op == "Constant":
        if set(attrs) != {"value"} or len(node.outputs) != 1:
            raise UnrolledError(f"{source}: Constant {proto.name!r} must hold one tensor "
                                "'value'")
        tensors[node.outputs[0]] = attrs["value"]
    return node


def _ordered(nodes: list[Node], known: set[str], source: str) -> list[Node]:
    """``nodes`` with each after the nodes whose outputs it reads (Kahn's order), or refused
    when some of them read each other in a cycle or read what nothing writes."""
    known, done, left = set(known), [], list(nodes)
    while left:
        ready = [n for n in left if all(not i or i in known for i in n.inputs)]
        if not ready:
            names = ", ".join(f"{n.op} {n.name!r}" for n in left[:3])
            raise UnrolledError(f"{source}: the graph has a cycle or reads a value nothing "
                                f"writes ({names})")
        for n in ready:
            known.update(n.outputs)
        done += ready
        left = [n for n in left if n not in ready]
    return done


def _tensor(t, folder: Path, source: str) -> np.ndarray:
    """One TensorProto as a numpy array, its declared size checked against its data."""
    what = f"{source}: tensor {t.name!r}"
    if t.data_type not in DTYPES:
        raise UnrolledError(f"{what} has data type {t.data_type}; weights are float, double or "
                            "float16 (and shapes int64 or int32)")
    dtype, typed = DTYPES[t.data_type]
    dims = list(t.dims)
    if len(dims) > 4 or any(d < 0 for d in dims):
        raise UnrolledError(f"{what} has dims {dims}; expected at most 4 non-negative sizes")
    count = 1
    for d in dims:
        count *= d  # Python integers: a lying shape cannot overflow here
    nbytes = count * np.dtype(dtype).itemsize
    if nbytes > limits.MAX_NPZ_MEMBER:
        raise UnrolledError(f"{what} declares {nbytes} bytes (at most {limits.MAX_NPZ_MEMBER})")
    if t.data_location == 1:  # EXTERNAL
        raw = _external(t, folder, nbytes, what)
    elif t.HasField("raw_data"):
        raw = t.raw_data
    else:
        values = getattr(t, typed)
        if len(values) != count:
            raise UnrolledError(f"{what} declares {count} values but holds {len(values)}")
        if t.data_type == 10:  # float16 travels as its bits in int32_data
            return np.array(values, dtype="<u2").view("<f2").reshape(dims).astype(np.float64)
        return _widened(np.array(values, dtype=dtype).reshape(dims))
    if len(raw) != nbytes:
        raise UnrolledError(f"{what} declares shape {tuple(dims)} of "
                            f"{DTYPE_NAMES[t.data_type]} ({nbytes} bytes) but holds {len(raw)}")
    return _widened(np.frombuffer(raw, dtype=dtype).reshape(dims))


def _widened(a: np.ndarray) -> np.ndarray:
    return a.astype(np.float64) if a.dtype.kind == "f" else a.astype(np.int64)


def _external(t, folder: Path, nbytes: int, what: str) -> bytes:
    """The bytes of a tensor stored beside the model, read only from the model's folder."""
    info = {e.key: e.value for e in t.external_data}
    location = info.get("location", "")
    parts = Path(location).parts
    if not location or Path(location).is_absolute() or ".." in parts or "\\" in location:
        raise UnrolledError(f"{what} is stored in {location!r}: external data is read only "
                            "from a file named relative to the model's folder, without '..'")
    target = folder / location
    resolved = Path(os.path.realpath(target))
    if folder != resolved and folder not in resolved.parents:
        raise UnrolledError(f"{what} is stored in {location!r}, which leads out of the "
                            "model's folder")
    try:
        st = os.stat(resolved)
    except OSError:
        raise UnrolledError(f"{what} is stored in {location!r}, which is missing") from None
    if not stat.S_ISREG(st.st_mode):
        raise UnrolledError(f"{what} is stored in {location!r}, which is not a regular file")
    try:
        offset, length = int(info.get("offset", 0)), int(info.get("length", nbytes))
    except ValueError:
        raise UnrolledError(f"{what}: external offset and length must be integers") from None
    if length != nbytes or offset < 0 or offset + length > st.st_size:
        raise UnrolledError(f"{what} declares {nbytes} bytes at offset {offset} of "
                            f"{location!r} ({st.st_size} bytes; length {length})")
    with open(resolved, "rb") as f:
        f.seek(offset)
        return f.read(length)
