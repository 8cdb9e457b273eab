"""ONNX graphs of stacked or bidirectional recurrent operators, or with a head on the last step.

``torch.onnx.export`` of ``nn.LSTM(num_layers=L, bidirectional=True)`` writes one operator per
layer (``direction="bidirectional"``); between two, a ``Transpose`` and a ``Reshape`` lay the
layer's output ``Y`` (T, directions, batch, H) out as the next one's input (T, batch,
directions x H), the forward direction's units first. A head on ``h_n`` reads the operators'
final states ``Y_h`` (directions, batch, H) through a ``Concat`` of every layer's, a ``Slice``
of the last layer's, a ``Gather``, a ``Split`` and a ``Concat`` of its two directions.

Rather than recognise each exporter's moves by pattern, they are followed on labels: every
entry of each operator's ``Y`` and ``Y_h`` gets its own integer (for a nominal number of
steps), and the moves between the operators and the head (Transpose, Reshape, Squeeze,
Unsqueeze, Gather, Slice, Split, Concat, Flatten, Identity) are applied to those labels with
numpy. Only labels move; no weight is computed with, and nothing else is evaluated. Layer
k + 1 must read exactly layer k's every step, both directions side by side; the head must read
exactly the top layer's every step (a loss at every step) or its final states, forward then
backward (one label per sequence, torch's ``h_n``).
"""

from __future__ import annotations

import numpy as np

from rnn.errors import UnrolledError
from rnn.imports.onnx_file import Graph, Node, read_graph
from rnn.imports.onnx_layout import (check_the_rest, embedding_table, layer_arrays, linear_head,
                                     operator_weights, reads_final, recurrent_operators, through)

STEPS = 3  # the nominal number of steps the labels are laid out for: more than one
MOVES = {"Transpose", "Squeeze", "Unsqueeze", "Reshape", "Flatten", "Identity", "Cast",
         "Gather", "Slice", "Split", "Concat"}


def onnx_arrays(path) -> dict:
    """The cell and arrays (torch's layout) of the ONNX model at ``path``, checked: one forward
    operator under a head on every step (``rnn.imports.onnx_layout``), or any other shape."""
    graph = read_graph(path)
    layers = recurrent_operators(graph)
    first = layers[0]
    if len(layers) == 1 and first.attrs.get("direction", "forward") == "forward" and \
            not reads_final(graph, first):
        return layer_arrays(graph, first)
    return stack_arrays(graph, layers)


def stack_arrays(graph: Graph, layers: list[Node]) -> dict:
    """The cell, every layer direction's arrays (``stack``), the head and where it reads."""
    directions = {n.attrs.get("direction", "forward") for n in layers}
    if len(directions) > 1:
        raise UnrolledError(f"{graph.source}: the recurrent operators read the sequence "
                            f"{' and '.join(sorted(directions))}; every layer must read the "
                            "same directions")
    dirs = 2 if directions == {"bidirectional"} else 1
    cells, stack = set(), {}
    for l, node in enumerate(layers):
        cell, own = operator_weights(graph, node)
        cells.add(cell)
        stack.update({(l, d): arrays for d, arrays in enumerate(own)})
    if len(cells) > 1:
        raise UnrolledError(f"{graph.source}: the recurrent operators are different cells "
                            f"({', '.join(sorted(cells))}); every layer must be the same")
    H = stack[(0, 0)]["W_hh"].shape[1]
    seq, final, known = {}, {}, {}
    counter = iter(range(1, 1 << 62))
    for l, node in enumerate(layers):
        H_l = stack[(l, 0)]["W_hh"].shape[1]
        y = np.array([next(counter) for _ in range(STEPS * dirs * H_l)]).reshape(STEPS, dirs,
                                                                                 1, H_l)
        h = np.array([next(counter) for _ in range(dirs * H_l)]).reshape(dirs, 1, H_l)
        c = np.array([next(counter) for _ in range(dirs * H_l)]).reshape(dirs, 1, H_l)
        seq[l] = y.transpose(0, 2, 1, 3).reshape(STEPS, dirs * H_l)  # torch's output
        final[l] = h.reshape(dirs * H_l)  # torch's h_n of the layer: forward, then backward
        if node.attrs.get("layout", 0):  # batch first: Y (B, T, D, H), Y_h (B, D, H)
            y, h, c = y.transpose(2, 0, 1, 3), h.transpose(1, 0, 2), c.transpose(1, 0, 2)
        known.update({name: value for name, value in zip(node.outputs, (y, h, c)) if name})
    labels = follow(graph, known)
    for l, node in enumerate(layers[1:], start=1):
        x = labels.get(node.inputs[0])
        if x is None or not _same(x, seq[l - 1]):
            raise UnrolledError(f"{graph.source}: {node.op} {node.name!r} does not read every "
                                f"step of the {layers[l - 1].op} below it (both directions side "
                                "by side); only a stack of layers is read")
    top = len(layers) - 1
    node, reads = _head_node(graph, labels, seq, final, top)
    if reads == "every" and any(reads_final(graph, n) for n in layers):
        raise UnrolledError(f"{graph.source}: the final states Y_h or Y_c are read besides a "
                            "head on every step's output Y; a head reads every step or the "
                            "last step, not both")
    V, c, head_nodes = linear_head(graph, node, dirs * H)
    check_the_rest(graph, {*map(id, layers), *map(id, head_nodes)})
    return {"cell": cells.pop(), "stack": stack, "bidirectional": dirs == 2, "V": V, "c": c,
            "embedding": embedding_table(graph, layers[0]), "reads": reads}


def _head_node(graph: Graph, labels: dict, seq: dict, final: dict, top: int):
    """The product (MatMul or Gemm) that reads the top layer's every step or final states."""
    found = []
    for node in graph.nodes:
        value = labels.get(node.inputs[0]) if node.op in ("MatMul", "Gemm") else None
        if value is None:
            continue
        for l in seq:
            for reads, expected in (("every", seq[l]), ("last", final[l])):
                if _same(value, expected):
                    if l != top:
                        raise UnrolledError(f"{graph.source}: the head {node.op} "
                                            f"{node.name!r} reads layer {l + 1} of "
                                            f"{top + 1}; only a head on the top layer is read")
                    found.append((node, reads))
        if not found or found[-1][0] is not node:
            raise UnrolledError(f"{graph.source}: {node.op} {node.name!r} reads the recurrent "
                                "states in another arrangement than every step's output, or "
                                "the final states forward then backward (torch's h_n)")
    if len(found) != 1:
        raise UnrolledError(f"{graph.source}: {len(found)} linear heads read the recurrent "
                            "layers; one head is read")
    return found[0]


def _same(value: np.ndarray, expected: np.ndarray) -> bool:
    """The same labels in the same order; axes of size one (a batch of one) aside."""
    return value.size == expected.size and np.array_equal(value.reshape(-1),
                                                          expected.reshape(-1))


def follow(graph: Graph, known: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The labels of every value the moves make from ``known`` (in the graph's order)."""
    labels = dict(known)
    for node in graph.nodes:
        if node.op not in MOVES or not node.inputs or node.inputs[0] not in labels:
            continue
        moved = _move(graph, node, labels)
        if moved is not None:
            labels.update({name: value for name, value in zip(node.outputs, moved) if name})
    return labels


def _const(graph: Graph, node: Node, i: int):
    name = node.inputs[i] if len(node.inputs) > i else ""
    return graph.tensors.get(through(graph, name)) if name else None


def _move(graph: Graph, node: Node, labels: dict) -> list[np.ndarray] | None:
    """``node``'s outputs as labels, or None where its arguments are not constants."""
    a = labels[node.inputs[0]]
    op, attrs = node.op, node.attrs
    if op in ("Identity", "Cast"):
        return [a]
    if op == "Transpose":
        return [a.transpose(attrs.get("perm", list(reversed(range(a.ndim)))))]
    if op in ("Squeeze", "Unsqueeze"):
        axes = _const(graph, node, 1)
        axes = attrs.get("axes") if axes is None else axes.reshape(-1).tolist()
        if op == "Squeeze":
            return [np.squeeze(a, axis=None if axes is None else tuple(int(x) for x in axes))]
        if axes is None:
            return None
        rank = a.ndim + len(axes)
        for axis in sorted(int(x) % rank for x in axes):
            a = np.expand_dims(a, axis)
        return [a]
    if op == "Flatten":
        axis = attrs.get("axis", 1) % max(a.ndim, 1)
        return [a.reshape(int(np.prod(a.shape[:axis])), -1)]
    if op == "Reshape":
        shape = _const(graph, node, 1)
        if shape is None:
            return None
        dims = [a.shape[i] if n == 0 and not attrs.get("allowzero", 0) else int(n)
                for i, n in enumerate(shape.reshape(-1).tolist())]
        return [a.reshape(dims)] if _fits(a, dims) else None
    if op == "Gather":
        index = _const(graph, node, 1)
        if index is None or not np.issubdtype(index.dtype, np.integer):
            return None
        axis = attrs.get("axis", 0) % a.ndim
        return [np.take(a, index.astype(np.int64) % a.shape[axis], axis=axis)]
    if op == "Slice":
        starts, ends, axes, steps = (_const(graph, node, i) for i in (1, 2, 3, 4))
        if starts is None or ends is None:
            return None
        axes = range(len(starts)) if axes is None else axes.reshape(-1).tolist()
        steps = [1] * len(starts) if steps is None else steps.reshape(-1).tolist()
        cut = [slice(None)] * a.ndim
        for axis, b, e, step in zip(axes, starts.reshape(-1), ends.reshape(-1), steps):
            cut[int(axis) % a.ndim] = slice(int(b), int(e), int(step))
        return [a[tuple(cut)]]
    if op == "Concat":
        if not all(i in labels for i in node.inputs):
            return None
        return [np.concatenate([labels[i] for i in node.inputs], axis=attrs.get("axis", 0))]
    if op == "Split":
        axis = attrs.get("axis", 0) % a.ndim
        sizes = _const(graph, node, 1)
        sizes = attrs.get("split") if sizes is None else sizes.reshape(-1).tolist()
        if sizes is None:
            sizes = [a.shape[axis] // len(node.outputs)] * len(node.outputs)
        return np.split(a, np.cumsum([int(n) for n in sizes])[:-1], axis=axis)
    return None


def _fits(a: np.ndarray, dims: list[int]) -> bool:
    known = [n for n in dims if n != -1]
    if any(n < 0 for n in known) or dims.count(-1) > 1:
        return False
    size = int(np.prod(known)) if known else 1
    return a.size == size if -1 not in dims else size > 0 and a.size % size == 0
