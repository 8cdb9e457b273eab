"""An ONNX graph's recurrent operators in torch's layout (``rnn.imports.model``), and the graph
of one forward operator under a head on every step (``rnn.imports.onnx_stack`` reads stacks,
both directions and heads on the last step, with the operators' weights read here).

The graph may hold an embedding (``Gather`` on an initializer), a recurrent operator
(``LSTM``, ``GRU`` or ``RNN``) and a linear head (``MatMul`` then ``Add``, or ``Gemm``), with the
reshapes an exporter puts between them. The conversions:

- ONNX stacks the LSTM's gates i, o, f, c and the GRU's z, r, h; the engine takes torch's i, f, g,
  o and r, z, n. ``W`` is (dirs, G*H, D), ``R`` (dirs, G*H, H), both torch's (G*H, .) per
  direction; ``B`` (dirs, 2*G*H) holds the input biases ``Wb`` then the recurrent ones ``Rb``.
- A GRU with ``linear_before_reset = 1`` is torch's (cell ``gru``); with 0, the operator's
  default, its reset gate acts before the recurrent product (Cho et al.; cell ``cho-gru``).
- An LSTM's peephole weights ``P`` (dirs, 3H), in ONNX's order i, o, f, make it the peephole
  LSTM (``rnn.cells.peephole``, whose ``P`` is one direction's row as it is); zero ones are the
  plain LSTM's.
- The default activations (sigmoid and tanh; tanh for ``RNN``, or ``Relu`` for the ReLU RNN)
  are the engine's. The head's ``MatMul`` weight is (H, K): the engine's V is its transpose.

Anything the engine does not compute is refused in one line that names it: other activations,
``clip``, ``input_forget``, a ``sequence_lens`` input, an initial state that is not zero, a
``reverse`` direction alone (torch has no such layer), more than 4 recurrent operators, and any
operator outside those above.
"""

from __future__ import annotations

import numpy as np

from rnn.errors import UnrolledError
from rnn.imports.layers import classes, find_layer
from rnn.imports.onnx_file import Graph, Node
from rnn.network import MAX_LAYERS

# What an exporter puts between the layers: they move or relabel values, never compute them
PASS_OPS = {"Transpose", "Squeeze", "Unsqueeze", "Reshape", "Identity", "Flatten", "Cast",
            "Expand"}
# What builds the shapes those read, or a zero initial state
SHAPE_OPS = {"Shape", "Gather", "Concat", "Slice", "ConstantOfShape", "Constant"}
RECURRENT = classes("onnx")  # LSTM, GRU, RNN: the operators of the table (rnn.imports.layers)
# The activations an operator computes when it names none (the ONNX operators' specification)
DEFAULT_ACTIVATIONS = {"LSTM": ("Sigmoid", "Tanh", "Tanh"), "GRU": ("Sigmoid", "Tanh"),
                       "RNN": ("Tanh",)}
# torch's gate blocks, as indices of ONNX's blocks
TORCH_ORDER = {"LSTM": [0, 2, 3, 1], "GRU": [1, 0, 2], "RNN": [0]}
HEAD_OPS = {"MatMul", "Add", "Gemm"}
AFTER_HEAD = {"Softmax", "LogSoftmax"}


def layer_arrays(graph: Graph, layer: Node) -> dict:
    """The cell and arrays (torch's layout) of a graph of one forward operator, its head on
    every step's output Y (the others: ``rnn.imports.onnx_stack``)."""
    cell, [own] = operator_weights(graph, layer)
    embedding = embedding_table(graph, layer)
    V, c, head_nodes = _head(graph, layer, own["W_hh"].shape[1])
    check_the_rest(graph, {id(layer), *map(id, head_nodes)})
    extra = {k: a for k, a in own.items() if k not in ("W_ih", "W_hh", "b_ih", "b_hh")}
    return {"cell": cell, **{k: own[k] for k in ("W_ih", "W_hh", "b_ih", "b_hh")}, "V": V,
            "c": c, "embedding": embedding, "extra": extra}


def check_the_rest(graph: Graph, used: set[int]) -> None:
    """Every node not read as a layer or the head only moves values or builds shapes."""
    for node in graph.nodes:
        allowed = PASS_OPS | SHAPE_OPS | AFTER_HEAD | {"Split"}  # Split: of h_n's directions
        if id(node) not in used and node.op not in allowed:
            raise UnrolledError(f"{graph.source}: operator {node.op} ({node.name!r}) is not "
                                "read; a model is an embedding (Gather), LSTM, GRU or RNN "
                                "operators and a linear head (MatMul + Add, or Gemm)")


def reads_final(graph: Graph, layer: Node) -> bool:
    """True when something reads the operator's final states Y_h or Y_c."""
    return any(graph.readers(o) for o in layer.outputs[1:] if o)


def recurrent_operators(graph: Graph) -> list[Node]:
    """The recurrent operators, in the graph's order, each checked on its own."""
    found = [n for n in graph.nodes if n.op in RECURRENT]
    if not found:
        raise UnrolledError(f"{graph.source}: no recurrent operator (LSTM, GRU, RNN)")
    if len(found) > MAX_LAYERS:
        raise UnrolledError(f"{graph.source}: {len(found)} recurrent operators; at most "
                            f"{MAX_LAYERS} layers can be drawn")
    for node in found:
        what = f"{graph.source}: {node.op} {node.name!r}"
        refused = {"clip": "clip", "activation_alpha": "activation_alpha",
                   "activation_beta": "activation_beta"}
        for key, name in refused.items():
            if key in node.attrs:
                raise UnrolledError(f"{what} sets {name}; the engine computes without it")
        if node.attrs.get("input_forget", 0):
            raise UnrolledError(f"{what} sets input_forget (coupled input and forget gates); "
                                "the engine's LSTM has separate gates")
        direction = node.attrs.get("direction", "forward")
        if direction not in ("forward", "bidirectional"):  # torch has no layer read backward
            raise UnrolledError(f"{what} reads the sequence {direction}; only forward and "
                                "bidirectional layers are read")
        if node.attrs.get("layout", 0) not in (0, 1):
            raise UnrolledError(f"{what} has layout {node.attrs['layout']}; expected 0 or 1")
    return found


def _input(node: Node, i: int) -> str:
    return node.inputs[i] if len(node.inputs) > i else ""


def operator_weights(graph: Graph, node: Node) -> tuple[str, list[dict[str, np.ndarray]]]:
    """The cell, and each direction's arrays in torch's layout (W_ih, W_hh, b_ih, b_hh, P)."""
    what = f"{graph.source}: {node.op} {node.name!r}"
    acts = node.attrs.get("activations")
    acts = DEFAULT_ACTIVATIONS[node.op] if acts is None else tuple(acts)
    if node.attrs.get("direction", "forward") == "bidirectional" and \
            len(acts) == 2 * len(DEFAULT_ACTIVATIONS[node.op]):  # each direction's own list
        half = len(acts) // 2
        if acts[:half] != acts[half:]:
            raise UnrolledError(f"{what}: its directions compute with different activations "
                                f"{acts}; both must be the same cell")
        acts = acts[:half]
    P = _tensor_input(graph, node, 7) if node.op == "LSTM" and _input(node, 7) else None
    if node.op == "LSTM" and _input(node, 7) and P is None:
        raise UnrolledError(f"{what}: the peephole weights P must be an initializer")
    settings = {"activations": acts}
    if node.op == "LSTM":  # zero peepholes are the plain LSTM's
        settings["peepholes"] = P is not None and bool(np.any(P))
    if node.op == "GRU":  # 1: r after the product with R_h (torch's); 0: before it (Cho's)
        settings["linear_before_reset"] = node.attrs.get("linear_before_reset", 0)
    try:  # the cell by the table's line for the operator, never by its number of gates
        layer = find_layer("onnx", node.op, settings)
    except UnrolledError as err:
        raise UnrolledError(f"{what}: {err}") from None
    cell, G = layer.cell, layer.blocks
    dirs = 2 if node.attrs.get("direction", "forward") == "bidirectional" else 1
    W, R, B = (_tensor_input(graph, node, i) for i in (1, 2, 3))
    if W is None or R is None:
        raise UnrolledError(f"{what}: W and R must be initializers")
    if W.ndim != 3 or R.ndim != 3 or W.shape[0] != dirs or R.shape[0] != dirs:
        raise UnrolledError(f"{what}: W {W.shape} and R {R.shape} must be ({dirs}, {G}*H, .)")
    H = R.shape[2]
    if W.shape[1] != G * H or R.shape[1] != G * H:
        raise UnrolledError(f"{what}: W {W.shape} and R {R.shape} do not hold {G} gates of "
                            f"{H} units")
    if node.attrs.get("hidden_size", H) != H:
        raise UnrolledError(f"{what}: hidden_size {node.attrs['hidden_size']} but R has {H} "
                            "units")
    if B is None:
        B = np.zeros((dirs, 2 * G * H))
    if B.shape != (dirs, 2 * G * H):
        raise UnrolledError(f"{what}: B has shape {B.shape}; expected ({dirs}, {2 * G * H})")
    if _input(node, 4):
        raise UnrolledError(f"{what} reads sequence_lens; every sequence is read whole")
    for i, state in ((5, "initial_h"), (6, "initial_c")):
        if _input(node, i) and not _is_zero(graph, _input(node, i)):
            raise UnrolledError(f"{what}: {state} is not zero; the engine starts from zero "
                                "states")
    if cell == "peephole" and P.shape != (dirs, 3 * H):
        raise UnrolledError(f"{what}: P has shape {P.shape}; expected ({dirs}, {3 * H})")
    order = TORCH_ORDER[node.op]

    def torch(a: np.ndarray) -> np.ndarray:  # (G*H, ...) from ONNX's block order
        return np.concatenate([a[k * H:(k + 1) * H] for k in order])

    out = []
    for d in range(dirs):  # ONNX's direction 0 is forward, 1 the reverse: torch's _reverse
        own = {"W_ih": torch(W[d]), "W_hh": torch(R[d]), "b_ih": torch(B[d, :G * H]),
               "b_hh": torch(B[d, G * H:])}
        if cell == "peephole":  # the cell's P is one direction's row, in ONNX's order i, o, f
            own["P"] = P[d].copy()
        out.append(own)
    return cell, out


def _tensor_input(graph: Graph, node: Node, i: int) -> np.ndarray | None:
    name = _input(node, i)
    return graph.tensors.get(through(graph, name)) if name else None


def through(graph: Graph, name: str) -> str:
    """``name`` traced back through the nodes that only move values."""
    producer = graph.producer(name)
    while producer is not None and producer.op in PASS_OPS:
        name = producer.inputs[0]
        producer = graph.producer(name)
    return name


def _is_zero(graph: Graph, name: str) -> bool:
    """True for a value that is all zeros by construction: a zero tensor, or a
    ConstantOfShape of zero (an exporter's initial state), moved by reshapes."""
    name = through(graph, name)
    if name in graph.tensors:
        return not np.any(graph.tensors[name])
    producer = graph.producer(name)
    if producer is not None and producer.op == "ConstantOfShape":
        value = producer.attrs.get("value")
        return value is None or not np.any(value)
    return False


def embedding_table(graph: Graph, layer: Node) -> np.ndarray | None:
    name = through(graph, layer.inputs[0])
    if name in graph.inputs:
        return None  # one-hot rows fed as they are
    producer = graph.producer(name)
    if producer is not None and producer.op == "Gather":
        table = graph.tensors.get(through(graph, producer.inputs[0]))
        if table is not None and table.ndim == 2 and producer.attrs.get("axis", 0) == 0 \
                and through(graph, producer.inputs[1]) in graph.inputs:
            return table
    raise UnrolledError(f"{graph.source}: the recurrent layer's input X is neither a graph "
                        "input nor an embedding (Gather of an initializer by the input)")


def _head(graph: Graph, layer: Node, H: int):
    """(V (K, H), c (K,), the head's nodes) of the linear layer that reads every step's h."""
    if len(layer.outputs) > 1 and any(graph.readers(o) for o in layer.outputs[1:] if o):
        raise UnrolledError(f"{graph.source}: the head reads the last step's state (Y_h or "
                            "Y_c); only a head on every step's output Y is read")
    layout = layer.attrs.get("layout", 0)
    node = _after(graph, layer.outputs[0], ["B", "T", "D", "H"] if layout else ["T", "D", "B", "H"])
    if node is None or node.op not in ("MatMul", "Gemm"):
        raise UnrolledError(f"{graph.source}: the recurrent layer's output Y does not reach a "
                            "linear head (MatMul + Add, or Gemm)")
    return linear_head(graph, node, H)


def linear_head(graph: Graph, node: Node, H: int):
    """(V (K, H), c (K,), its nodes) of the head whose product is ``node`` (H: its inputs)."""
    weight = graph.tensors.get(through(graph, node.inputs[1]))
    if node.op == "Gemm":
        if node.attrs.get("transA", 0) or node.attrs.get("alpha", 1.0) != 1.0 or \
                node.attrs.get("beta", 1.0) != 1.0:
            raise UnrolledError(f"{graph.source}: Gemm {node.name!r} scales or transposes its "
                                "input; a linear head is read with alpha = beta = 1")
        V = None if weight is None else weight if node.attrs.get("transB", 0) else weight.T
        bias = _tensor_input(graph, node, 2)
        nodes = [node]
    else:
        V = None if weight is None else weight.T
        add = _after(graph, node.outputs[0])
        bias = None
        nodes = [node]
        if add is not None and add.op == "Add":
            other = [i for i in add.inputs if through(graph, i) in graph.tensors]
            bias = graph.tensors[through(graph, other[0])] if len(other) == 1 else None
            if bias is None:
                raise UnrolledError(f"{graph.source}: Add {add.name!r} after the head adds no "
                                    "bias initializer")
            nodes.append(add)
    if V is None or V.ndim != 2 or V.shape[1] != H:
        raise UnrolledError(f"{graph.source}: the head's weight must be an initializer of "
                            f"{H} rows (one per unit it reads)")
    c = np.zeros(V.shape[0]) if bias is None else np.asarray(bias, np.float64).reshape(-1)
    if c.shape != (V.shape[0],):
        raise UnrolledError(f"{graph.source}: the head's bias has {c.size} entries for "
                            f"{V.shape[0]} outputs")
    return np.ascontiguousarray(V), c, nodes


def _after(graph: Graph, name: str, axes: list[str] | None = None) -> Node | None:
    """The one node that reads ``name``, past the nodes that only move values.

    With ``axes`` (the labels of ``name``'s axes: "T" time, "D" direction, "B" batch, "H" the
    units, "1" an added axis), each move is followed: a ``Gather`` may drop a direction, batch or
    added axis (index 0), never time, and the units must stay the last axis, where the head's
    product reads them. Without, the moves are passed as they are.
    """
    while True:
        readers = [n for n in graph.readers(name) if n.op != "Shape"]
        if len(readers) != 1:
            return None
        node = readers[0]
        if node.op not in PASS_OPS and not (axes is not None and node.op == "Gather"):
            if axes is not None and (not axes or axes[-1] != "H" or "T" not in axes):
                raise UnrolledError(f"{graph.source}: the reshapes before the head leave the "
                                    f"axes {axes}; the head must read every step's units")
            return node
        if axes is not None:
            axes = _moved(graph, node, axes)
        name = node.outputs[0]


def _moved(graph: Graph, node: Node, axes: list[str]) -> list[str]:
    """The axis labels after ``node`` moves a value labelled ``axes``."""
    const = [graph.tensors.get(through(graph, i)) if i else None for i in node.inputs]
    rank = len(axes)

    def norm(a: int) -> int:
        return a + rank if a < 0 else a

    if node.op == "Transpose":
        perm = node.attrs.get("perm", list(reversed(range(rank))))
        return [axes[p] for p in perm]
    if node.op == "Squeeze":
        given = node.attrs.get("axes") if len(const) < 2 or const[1] is None else const[1]
        drop = {norm(int(a)) for a in given} if given is not None else {
            i for i, a in enumerate(axes) if a in ("D", "B", "1")}
        return [a for i, a in enumerate(axes) if i not in drop]
    if node.op == "Unsqueeze":
        given = node.attrs.get("axes") if len(const) < 2 or const[1] is None else const[1]
        out = list(axes)
        for a in sorted(int(a) + (rank + len(given) if int(a) < 0 else 0) for a in given):
            out.insert(a, "1")
        return out
    if node.op == "Gather":
        index = const[1] if len(const) > 1 else None
        axis = norm(node.attrs.get("axis", 0))
        if index is None or index.size != 1 or axis >= rank:
            raise UnrolledError(f"{graph.source}: Gather {node.name!r} picks from the recurrent "
                                "output by a value that is not a constant")
        if axes[axis] == "T":
            raise UnrolledError(f"{graph.source}: Gather {node.name!r} reads one step of the "
                                "recurrent output; only a head on every step is read")
        if int(index.reshape(-1)[0]) != 0:
            raise UnrolledError(f"{graph.source}: Gather {node.name!r} picks entry "
                                f"{int(index.reshape(-1)[0])} of a {axes[axis]} axis of size 1")
        return [a for i, a in enumerate(axes) if i != axis] if index.ndim == 0 else list(axes)
    if node.op in ("Reshape", "Flatten"):
        # the units must stay whole and last: the rows before them are steps (with a batch
        # and a direction of one)
        shape = const[1] if node.op == "Reshape" and len(const) > 1 else None
        last = None if shape is None else int(shape.reshape(-1)[-1])
        keeps = (node.op == "Flatten" and norm(node.attrs.get("axis", 1)) == rank - 1) or (
            shape is not None and last == _units(graph, node) and axes[-1] == "H")
        if not keeps:
            raise UnrolledError(f"{graph.source}: {node.op} {node.name!r} before the head does "
                                "not keep each step's units whole")
        return ["T"] * ((2 if node.op == "Flatten" else shape.size) - 1) + ["H"]
    return list(axes)  # Identity, Cast, Expand


def _units(graph: Graph, node: Node) -> int | None:
    """H, read from the recurrent operator's R (its hidden_size attribute is optional)."""
    layers = [n for n in graph.nodes if n.op in RECURRENT]
    R = _tensor_input(graph, layers[0], 2) if layers else None
    return int(R.shape[2]) if R is not None and R.ndim == 3 else None
