"""Networks of every shape: stacked layers, both directions, a loss at every step or one label.

Goodfellow et al., *Deep Learning*: deep recurrent networks (section 10.5, figure 10.13),
bidirectional RNNs (10.3) and a single output at the end of the sequence (10.2, figure 10.5).
Written once over the cell interface and the engine's one-layer loops, in torch's conventions
(``nn.LSTM(num_layers=L, bidirectional=True)`` followed by a linear head):

- layer l + 1 reads, at step t, the output of layer l at step t;
- the backward direction reads the sequence from its end; a layer's output at step t is both
  directions' h(t) side by side, the forward direction's first;
- one label per sequence is read from the last layer's final states (torch's ``h_n``): the
  forward direction's after step T, the backward direction's after step 1.

The error at a hidden state has the parts that reach it: from the output (the top layer's), or
from the layer above (every lower layer), and from the next step of its own direction.

Parameters are named as torch names them: ``W_ih_l0``, ``W_ih_l0_reverse``, ``W_ih_l1``, ...,
then the head ``V`` (K, directions x H) and ``c``. Every array of a network trace is in
sequence order: index t is position t + 1 of the sequence for both directions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from rnn.cells import Cell, Params, get_cell
from rnn.engine import backward_layer, forward_layer, output_errors, softmax_and_loss
from rnn.errors import UnrolledError
from rnn.limits import MAX_LAYERS
from rnn.trace import Trace

TASKS = ("every", "last")  # a loss at every step (next character), or one label per sequence
DIRECTION_NAMES = ("forward", "backward")
HEAD = ("V", "c")


def suffix(layer: int, direction: int) -> str:
    """torch's name ending for a layer's direction: ``_l0``, ``_l0_reverse``."""
    return f"_l{layer}" + ("_reverse" if direction else "")


@dataclass(frozen=True)
class Shape:
    """How many layers, which directions, and where the losses are."""

    layers: int = 1
    bidirectional: bool = False
    task: str = "every"

    def __post_init__(self) -> None:
        if not (isinstance(self.layers, int) and 1 <= self.layers <= MAX_LAYERS):
            raise UnrolledError(f"num_layers must be 1 to {MAX_LAYERS}, got {self.layers}")
        if self.task not in TASKS:
            raise UnrolledError(f"the task must be one of {', '.join(TASKS)}, got {self.task!r}")

    @property
    def directions(self) -> tuple[int, ...]:
        return (0, 1) if self.bidirectional else (0,)

    @property
    def slots(self) -> tuple[tuple[int, int], ...]:
        """Every (layer, direction), bottom layer first, forward before backward."""
        return tuple((l, d) for l in range(self.layers) for d in self.directions)

    @property
    def plain(self) -> bool:
        """One layer, one direction, a loss at every step: the shape of ``rnn.engine.run``."""
        return self.layers == 1 and not self.bidirectional and self.task == "every"

    def words(self) -> str:
        """The shape as a sentence names it: "2-layer bidirectional", "one label"."""
        bits = [f"{self.layers}-layer"] if self.layers > 1 else []
        bits += ["bidirectional"] if self.bidirectional else []
        return " ".join(bits)


def cell_names(spec: Cell) -> tuple[str, ...]:
    """The cell's own parameters: every name it declares but the head's."""
    return tuple(n for n in spec.param_names if n not in HEAD)


class NetworkParams:
    """Every layer's and direction's cell parameters, and the head, by torch's names.

    ``layer(l, d)`` is one layer's direction as the cell's ``Params``; it shares its arrays
    with the network, and its head is empty (one zero output): a layer's h goes to the layer
    above or to the network's head, never to an output of its own.
    """

    def __init__(self, cell: str | Cell, shape: Shape, arrays: dict[str, np.ndarray]) -> None:
        spec = cell if isinstance(cell, Cell) else get_cell(cell)
        self.spec, self.shape = spec, shape
        want = [n + suffix(l, d) for l, d in shape.slots for n in cell_names(spec)] + list(HEAD)
        missing = [n for n in want if n not in arrays]
        unknown = [n for n in arrays if n not in want]
        if missing or unknown:
            raise UnrolledError(f"a {shape.words() or '1-layer'} {spec.name} network's "
                                f"parameters: missing {', '.join(missing) or 'none'}; unknown "
                                f"{', '.join(unknown) or 'none'}")
        self._arrays = {n: np.asarray(arrays[n], dtype=np.float64) for n in want}
        self._layers = {}
        H = None
        for l, d in shape.slots:
            own = {n: self._arrays[n + suffix(l, d)] for n in cell_names(spec)}
            _, h, _ = spec.sizes({**own, "V": np.zeros((1, 1)), "c": np.zeros(1)})
            if h <= 0:
                raise UnrolledError(f"layer {l}{suffix(l, d)}: {spec.layout}")
            try:
                layer = Params(spec, **own, V=np.zeros((1, h)), c=np.zeros(1))
            except UnrolledError as err:  # named as the network names it: W_hh_l1
                message = str(err)
                for n in cell_names(spec):
                    message = message.replace(f"parameter {n} ", f"parameter "
                                              f"{n}{suffix(l, d)} ")
                raise UnrolledError(message) from None
            H = h if H is None else H
            if h != H:
                raise UnrolledError(f"every layer must have {H} hidden units; {suffix(l, d)[1:]} "
                                    f"has {h}")
            if l > 0 and layer.input_size != len(shape.directions) * H:
                raise UnrolledError(f"layer {l} reads {layer.input_size} inputs; the layer "
                                    f"below gives {len(shape.directions) * H}")
            self._layers[(l, d)] = layer
        V, c = self._arrays["V"], self._arrays["c"]
        width = len(shape.directions) * H
        if V.ndim != 2 or V.shape[1] != width or V.shape[0] == 0 or c.shape != (V.shape[0],):
            raise UnrolledError(f"the head V must be (K, {width}) and c (K,), got {V.shape} and "
                                f"{c.shape}")

    def layer(self, l: int, d: int = 0) -> Params:
        return self._layers[(l, d)]

    def __getattr__(self, name: str) -> np.ndarray:
        arrays = self.__dict__.get("_arrays", {})
        if name in arrays:
            return arrays[name]
        raise AttributeError(f"the network has no parameter {name!r}")

    @property
    def kind(self) -> str:
        return self.spec.name

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._arrays)

    @property
    def input_size(self) -> int:
        return self.layer(0).input_size

    @property
    def hidden_size(self) -> int:
        return self.layer(0).hidden_size

    @property
    def output_size(self) -> int:
        return len(self._arrays["c"])

    def as_dict(self) -> dict[str, np.ndarray]:
        return dict(self._arrays)

    def with_arrays(self, arrays: dict[str, np.ndarray]) -> NetworkParams:
        return NetworkParams(self.spec, self.shape, arrays)

    def copy(self) -> NetworkParams:
        return self.with_arrays({n: a.copy() for n, a in self._arrays.items()})

    def __eq__(self, other) -> bool:
        return (isinstance(other, NetworkParams) and other.spec is self.spec
                and other.shape == self.shape
                and all(np.array_equal(a, other._arrays[n]) for n, a in self._arrays.items()))

    def __repr__(self) -> str:
        return f"NetworkParams({self.spec.name}, {self.shape})"


def slot_seed(seed: int, l: int, d: int) -> int:
    """The seed of one layer's direction: the network's own for the first (so a one-layer
    network starts as the cell alone does), derived from it for the others."""
    if (l, d) == (0, 0):
        return seed
    return int(np.random.SeedSequence([seed, l, d]).generate_state(1)[0])


def init_network(cell: str | Cell, shape: Shape, D: int, H: int, K: int, seed: int,
                 **options) -> NetworkParams:
    """Every layer's direction initialised as the cell initialises itself (its own seed); the
    head is the top layer's directions' output layers side by side, the forward one's c."""
    spec = cell if isinstance(cell, Cell) else get_cell(cell)
    width = len(shape.directions) * H
    arrays, heads = {}, []
    for l, d in shape.slots:
        own = spec.init(D if l == 0 else width, H, K, slot_seed(seed, l, d), **options)
        arrays.update({n + suffix(l, d): own[n] for n in cell_names(spec)})
        if l == shape.layers - 1:
            heads.append(own)
    arrays["V"] = np.hstack([own["V"] for own in heads])
    arrays["c"] = heads[0]["c"]
    return NetworkParams(spec, shape, arrays)


def in_own_order(a: np.ndarray, d: int) -> np.ndarray:
    """Sequence order to direction d's reading order, and back (the same flip)."""
    return a if d == 0 else np.ascontiguousarray(a[::-1])


@dataclass
class NetworkTrace:
    """One forward and backward pass of a network of any shape over T steps.

    ``layers[(l, d)]`` is each layer's direction as a ``Trace`` in its own reading order
    (the backward direction's step 1 is the sequence's last position): its X is what it reads,
    its ``dL_dh_from_output`` what reaches h(t) from outside its recurrence (from the head at
    the top, from the layer above below it), and its head is empty. The head's arrays have one
    row per step (``task`` "every") or one row (``task`` "last"; none in a truncated run's
    window before the label: no loss, zero gradients, and ``update`` None).
    """

    params: NetworkParams
    X: np.ndarray  # (T, D) the network's inputs
    targets: np.ndarray  # (T,), (1,) or (0,) target classes
    layers: dict  # (l, d) -> Trace, in the direction's reading order
    features: np.ndarray  # (T or 1, dirs*H) what the head reads
    o: np.ndarray  # (T or 1, K)
    yhat: np.ndarray
    losses: np.ndarray  # (T,), (1,) or (0,)
    dL_do: np.ndarray
    input_errors: np.ndarray  # (T, D) dL/dx(t)
    vocabulary: object = None
    update: object = None
    extra: dict = field(default_factory=dict)
    _forward: tuple | None = field(default=None, repr=False)  # (records, starts): for S passes

    @property
    def spec(self) -> Cell:
        return self.params.spec

    @property
    def shape(self) -> Shape:
        return self.params.shape

    @property
    def kind(self) -> str:
        return self.spec.name

    @property
    def T(self) -> int:
        return len(self.X)

    @property
    def loss(self) -> float:
        return float(self.losses.sum())

    def layer(self, l: int, d: int = 0) -> Trace:
        return self.layers[(l, d)]

    def seq(self, l: int, d: int, name: str) -> np.ndarray:
        """A layer direction's recorded array ``name`` ("h", "dL_dh", a part) in sequence order."""
        tr = self.layers[(l, d)]
        value = tr.h if name == "h" else getattr(tr, name)
        return value if d == 0 else value[::-1]

    def output(self, l: int) -> np.ndarray:
        """(T, dirs*H) layer l's output in sequence order: its directions' h side by side."""
        return np.hstack([self.seq(l, d, "h") for d in self.shape.directions])

    @property
    def state0(self) -> dict:
        """Every layer direction's states before its step 1, by (l, d)."""
        return {slot: tr.state0 for slot, tr in self.layers.items()}

    @cached_property
    def grads(self) -> dict[str, np.ndarray]:
        """Total gradients of L for every parameter (torch's names), then every initial state
        (``h0_l0``, ``cell0_l1_reverse``, ...)."""
        out = {}
        for (l, d), tr in self.layers.items():
            own = tr.spec.grads(tr)
            out.update({n + suffix(l, d): own[n] for n in cell_names(self.spec)})
        with np.errstate(all="ignore"):
            out["V"] = self.dL_do.T @ self.features
            out["c"] = self.dL_do.sum(axis=0)
        for (l, d), tr in self.layers.items():
            out[f"h0{suffix(l, d)}"] = tr.dL_dh0
            out.update({f"{p}0{suffix(l, d)}": e for p, e in tr.start_errors.items()})
        return out

    def error_by_source(self, l: int, d: int = 0, path: str = "h") -> np.ndarray:
        """dL(s)/dh(t) of layer l's direction d (``path``: another state of the cell) for
        every loss term s alone, in sequence order: (S, T, H) indexed [s-1, t-1], S = T for
        a loss at every step (then zero where step t cannot reach L(s)), 1 for one label.
        Each source runs its own backward pass through every layer: S passes, on demand."""
        recs, starts = self._forward
        out = np.empty((len(self.losses), self.T, self.params.hidden_size))
        with np.errstate(all="ignore"):
            for s in range(len(self.losses)):
                alone = np.zeros_like(self.dL_do)
                alone[s] = self.dL_do[s]
                layers, _ = _backward(self.params, recs, starts, alone)
                tr = layers[(l, d)]
                value = tr.dL_dh if path == "h" else getattr(tr, f"dL_d{path}")
                out[s] = in_own_order(value, d)
        return out

    def error_by_source_norms(self, l: int, d: int = 0, path: str = "h") -> np.ndarray:
        """(S, T) norms ||dL(s)/dh(t)|| of ``error_by_source``, sequence order."""
        return self.error_norms()[(l, d, path)]

    def error_norms(self) -> dict:
        """{(l, d, path): (S, T)} the norms of every loss term's error at every layer
        direction's states, sequence order: every term's rows carried through one backward
        pass (``rnn.studies.network_norms``; computed once, then kept)."""
        if "_norms" not in self.__dict__:
            from rnn.studies.network_norms import norms_by_source

            recs, starts = self._forward
            self.__dict__["_norms"] = norms_by_source(self.params, recs, starts, self.dL_do)
        return self.__dict__["_norms"]

    def step_norms(self, l: int, d: int, name: str) -> np.ndarray:
        """(T,) the norm at every step of layer l's direction d's recorded array ``name``
        (``dL_dh_from_next``, ``dL_dh_from_output``...), sequence order: how big what an
        arrow carries is."""
        with np.errstate(all="ignore"):
            return np.linalg.norm(self.seq(l, d, name), axis=1)

    def first_non_finite(self) -> str | None:
        """Where the first NaN or infinity is (a name), or None for a finite trace."""
        for name in ("o", "losses", "input_errors"):
            if not np.all(np.isfinite(getattr(self, name))):
                return name
        for (l, d), tr in self.layers.items():
            where = tr.first_non_finite()
            if where:
                return f"{where} of layer {l} {DIRECTION_NAMES[d]}"
        return None


def check_network_inputs(params: NetworkParams, X, y) -> tuple[np.ndarray, np.ndarray]:
    """Inputs (T, D) and targets ((T,) for a loss at every step, (1,) for one label, (0,) for
    ``y`` None: no label) as the network needs them, or one clear UnrolledError."""
    X = np.asarray(X, dtype=np.float64)
    D, K = params.input_size, params.output_size
    if X.ndim != 2 or X.shape[1] != D or len(X) == 0:
        raise UnrolledError(f"inputs must have shape (T, {D}) with T >= 1, got {X.shape}")
    if y is None:  # a window before the label's (truncated BPTT): forward only, no loss
        if params.shape.task != "last":
            raise UnrolledError("targets can be left out only for one label per sequence "
                                "(a window before the label); a loss at every step needs them")
        return X, np.zeros(0, np.int64)
    y = np.atleast_1d(np.asarray(y))
    n = len(X) if params.shape.task == "every" else 1
    if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer):
        raise UnrolledError(f"targets must be {n} integer{'s' * (n > 1)}, got shape {y.shape} "
                            f"{y.dtype}")
    if y.min() < 0 or y.max() >= K:
        raise UnrolledError(f"targets must lie in 0..{K - 1}")
    return X, y.astype(np.int64)


def _starts(params: NetworkParams, state0) -> dict:
    """Every layer direction's states before step 1 (zeros where ``state0`` gives none)."""
    H, given = params.hidden_size, state0 or {}
    out = {}
    for slot in params.shape.slots:
        mine = dict(given.get(slot, {}))
        out[slot] = {}
        for p in params.spec.states:
            value = np.asarray(mine.pop(p, np.zeros(H)), dtype=np.float64)
            if value.shape != (H,):
                raise UnrolledError(f"{p}0{suffix(*slot)} must have shape ({H},)")
            out[slot][p] = value
        if mine:
            raise UnrolledError(f"{', '.join(mine)} are not states of the {params.spec.title}")
    return out


def _layer_trace(params: Params, X, rec, state0, from_above, back, from_next, sent) -> Trace:
    """A layer direction's record as a Trace with an empty head (see ``NetworkTrace``)."""
    spec, T = params.spec, len(X)
    others = [p for p in spec.states if p != "h"]
    parts = {p.name: (back if p.backward else rec)[p.name] for p in spec.parts}
    return Trace(
        params=params, h0=state0["h"], X=X, targets=np.zeros(T, np.int64), h=rec["h"],
        o=np.zeros((T, 1)), yhat=np.ones((T, 1)), losses=np.zeros(T), dL_do=np.zeros((T, 1)),
        dL_dh=back["dL_dh"], dL_dh_from_output=from_above, dL_dh_from_next=from_next,
        dL_dh0=sent["h"], parts=parts, start={p: state0[p] for p in others},
        start_errors={p: sent[p] for p in others})


def run_network(params: NetworkParams, X, y, state0: dict | None = None) -> NetworkTrace:
    """Forward and full BPTT through every layer and direction; everything recorded.

    ``y``: (T,) targets for a loss at every step, or the one label of the sequence; None
    for one label per sequence is no label at all (a truncated run's window before the last):
    the head reads nothing, so there is no loss, and every error and gradient is zero.
    ``state0``: {(l, d): {"h": ..., ...}}, every layer direction's states before its step 1
    (zeros where not given).
    """
    X, y = check_network_inputs(params, X, y)
    shape, H, T = params.shape, params.hidden_size, len(X)
    starts = _starts(params, state0)
    V, c = params.V, params.c
    recs = {}
    with np.errstate(all="ignore"):  # overflow is recorded as it is, and reported
        inputs = X
        for l in range(shape.layers):  # forward, layer by layer, each direction on its own
            for d in shape.directions:
                Xd = in_own_order(inputs, d)
                recs[(l, d)] = (Xd, forward_layer(params.layer(l, d), Xd, starts[(l, d)]))
            inputs = np.hstack([in_own_order(recs[(l, d)][1]["h"], d) for d in shape.directions])
        top = shape.layers - 1
        if shape.task == "every":
            features = inputs
        else:  # h_n: each direction's state after its own last step
            features = np.hstack([recs[(top, d)][1]["h"][-1] for d in shape.directions])[None]
            features = features[:len(y)]  # no label: no row for the head to read
        o = features @ V.T + c
        yhat, losses = softmax_and_loss(o, y)
        dL_do = output_errors(yhat, y)
        layers, below = _backward(params, recs, starts, dL_do)
    trace = NetworkTrace(params=params, X=X, targets=y, layers=dict(sorted(layers.items())),
                         features=features, o=o, yhat=yhat, losses=losses, dL_do=dL_do,
                         input_errors=below, _forward=(recs, starts))
    return trace


def _backward(params: NetworkParams, recs: dict, starts: dict, dL_do: np.ndarray):
    """BPTT through every layer and direction from the head's errors ``dL_do``: each layer
    direction's record (a Trace), and the error at the network's inputs (sequence order)."""
    shape, H = params.shape, params.hidden_size
    T = len(next(iter(recs.values()))[0])
    to_features = dL_do @ params.V  # (T or 1, dirs*H)
    above = {}
    for d in shape.directions:  # the head's error at each top h, in its own order
        part = to_features[:, d * H:(d + 1) * H]
        if shape.task == "every":
            above[d] = in_own_order(part, d)
        else:
            above[d] = np.zeros((T, H))
            above[d][-1] = part.sum(axis=0)  # the one row, or nothing without a label
    layers = {}
    for l in reversed(range(shape.layers)):
        below = None  # the error at this layer's inputs, in sequence order
        for d in shape.directions:
            p, (Xd, rec) = params.layer(l, d), recs[(l, d)]
            back, from_next, sent = backward_layer(p, rec, starts[(l, d)], above[d])
            tr = _layer_trace(p, Xd, rec, starts[(l, d)], above[d], back, from_next, sent)
            layers[(l, d)] = tr
            reached = in_own_order(p.spec.input_errors(tr), d)
            below = reached if below is None else below + reached
        above = {d: in_own_order(below[:, d * H:(d + 1) * H], d) for d in shape.directions}
    return layers, below
