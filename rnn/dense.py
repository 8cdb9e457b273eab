"""A three-layer densely connected network (DCL): forward pass and backprop, recorded.

The network the article reviews before RNNs, for one example x with class target y::

    z1 = W1 x + b1        h1 = act(z1)          act = sigmoid or tanh
    z2 = W2 h1 + b2       yhat = softmax(z2)    L = -log yhat[y]

Backprop sends the errors of every neuron of a layer to each neuron of the layer below::

    dL/dz2 = yhat - onehot(y)      dL/dh1 = W2^T dL/dz2      dL/dz1 = act'(z1) * dL/dh1

and each weight's gradient is an outer product of an error and an activation.
The JSON form (``unrolled.dense-trace`` version 1) follows the conventions of ``rnn.trace_json``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np

from rnn.atomic import write_text_atomic
from rnn.engine import softmax_and_loss
from rnn.errors import UnrolledError
from rnn.trace_json import Reader, encode_array, encode_number

FORMAT = "unrolled.dense-trace"
VERSION = 1
ACTIVATIONS = ("sigmoid", "tanh")
DENSE_PARAM_NAMES = ("W1", "b1", "W2", "b2")
# Recorded per-neuron vectors, in the order of the pass; each is (D,), (H,) or (K,)
VECTOR_KEYS = ("x", "z1", "h1", "dh1_dz1", "z2", "yhat", "dL_dz2", "dL_dh1", "dL_dz1")


@dataclass(frozen=True)
class DenseConfig:
    """Sizes, activation and initialisation of the three-layer network."""

    input_size: int = 4  # D, neurons in the input layer
    hidden: int = 3  # H, neurons in the hidden layer
    output_size: int = 3  # K, classes (neurons in the softmax output layer)
    activation: str = "sigmoid"  # hidden activation, "sigmoid" or "tanh"
    seed: int = 0  # seeds every random draw: weights and the default input
    init_scale: float = 1.0  # weights ~ N(0, init_scale^2); biases start at zero

    def __post_init__(self) -> None:
        for name in ("input_size", "hidden", "output_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise UnrolledError(f"{name} must be a positive integer, got {value!r}")
        if self.activation not in ACTIVATIONS:
            raise UnrolledError(
                f"activation must be one of {', '.join(ACTIVATIONS)}, got {self.activation!r}"
            )
        if not self.init_scale > 0:
            raise UnrolledError(f"init_scale must be positive, got {self.init_scale}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> DenseConfig:
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise UnrolledError(f"unknown config keys: {', '.join(sorted(unknown))}")
        return cls(**data)


@dataclass
class DenseParams:
    """Weights and biases of the two connections (input -> hidden, hidden -> output)."""

    W1: np.ndarray  # (H, D)
    b1: np.ndarray  # (H,)
    W2: np.ndarray  # (K, H)
    b2: np.ndarray  # (K,)

    def __post_init__(self) -> None:
        for name in DENSE_PARAM_NAMES:
            setattr(self, name, np.asarray(getattr(self, name), dtype=np.float64))
        H, D = self.W1.shape if self.W1.ndim == 2 else (-1, -1)
        K = self.W2.shape[0] if self.W2.ndim == 2 else -1
        want = {"W1": (H, D), "b1": (H,), "W2": (K, H), "b2": (K,)}
        for name, shape in want.items():
            if getattr(self, name).shape != shape or min(shape) <= 0:
                raise UnrolledError(
                    f"parameter {name} has shape {getattr(self, name).shape}, expected {shape} "
                    "(W1 is (H, D), b1 (H,), W2 (K, H), b2 (K,))"
                )

    @property
    def sizes(self) -> tuple[int, int, int]:
        """(D, H, K)."""
        return self.W1.shape[1], self.W1.shape[0], self.W2.shape[0]

    def as_dict(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in DENSE_PARAM_NAMES}

    def copy(self) -> DenseParams:
        return DenseParams(**{k: v.copy() for k, v in self.as_dict().items()})


@dataclass
class DenseTrace:
    """One forward pass and backprop of one example: every activation, error and gradient."""

    params: DenseParams
    activation: str  # "sigmoid" or "tanh"
    x: np.ndarray  # (D,) input
    target: int  # the class y, in 0..K-1
    z1: np.ndarray  # (H,) W1 x + b1
    h1: np.ndarray  # (H,) act(z1)
    dh1_dz1: np.ndarray  # (H,) act'(z1), from h1: h1 (1 - h1) or 1 - h1^2
    z2: np.ndarray  # (K,) W2 h1 + b2, the logits
    yhat: np.ndarray  # (K,) softmax(z2)
    loss: float  # -log yhat[target]
    dL_dz2: np.ndarray  # (K,) yhat - onehot(target)
    dL_dh1: np.ndarray  # (H,) W2^T dL/dz2: all output errors converge on each hidden neuron
    dL_dz1: np.ndarray  # (H,) act'(z1) * dL/dh1
    grads: dict[str, np.ndarray]  # W1 (H, D), b1 (H,), W2 (K, H), b2 (K,)
    config: DenseConfig | None = None
    extra: dict = field(default_factory=dict)  # free-form notes

    @property
    def sizes(self) -> tuple[int, int, int]:
        """(D, H, K)."""
        return self.params.sizes

    def error_contributions(self) -> np.ndarray:
        """(K, H) the terms W2[k, j] dL/dz2[k] that output k sends back to hidden neuron j.

        Summed over k (axis 0) they give dL/dh1: the red arrows converging on each neuron.
        """
        return self.params.W2 * self.dL_dz2[:, None]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-z)), written with tanh so that no exp overflows for large |z|."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def init_dense(config: DenseConfig) -> DenseParams:
    """Deterministic initialisation from ``config.seed``: same config, same bytes."""
    rng = np.random.default_rng(config.seed)
    D, H, K, s = config.input_size, config.hidden, config.output_size, config.init_scale
    W1 = rng.standard_normal((H, D)) * s
    W2 = rng.standard_normal((K, H)) * s
    return DenseParams(W1=W1, b1=np.zeros(H), W2=W2, b2=np.zeros(K))


def default_input(config: DenseConfig) -> np.ndarray:
    """(D,) a deterministic example input in [0, 1), drawn from its own stream of the seed."""
    # A separate stream, so that changing the sizes of the weights does not change x
    return np.random.default_rng([config.seed, 1]).random(config.input_size)


def run_dense(params: DenseParams, x, target: int, activation: str = "sigmoid") -> DenseTrace:
    """Forward pass and backprop for one example, every intermediate value recorded.

    Parameters
    ----------
    params : the weights and biases.
    x : (D,) the input.
    target : the class, in ``range(K)``.
    activation : ``"sigmoid"`` or ``"tanh"`` for the hidden layer.
    """
    D, _, K = params.sizes
    x = np.asarray(x, dtype=np.float64)
    if x.shape != (D,):
        raise UnrolledError(f"input must have shape ({D},), got {x.shape}")
    if isinstance(target, bool) or not isinstance(target, (int, np.integer)) or not 0 <= target < K:
        raise UnrolledError(f"target must be an integer in 0..{K - 1}, got {target!r}")
    if activation not in ACTIVATIONS:
        raise UnrolledError(
            f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}"
        )
    target = int(target)

    with np.errstate(all="ignore"):  # overflow is recorded as it is, not hidden
        # Forward: input -> hidden -> output
        z1 = params.W1 @ x + params.b1  # (H,)
        if activation == "sigmoid":
            h1 = sigmoid(z1)
            dh1_dz1 = h1 * (1.0 - h1)  # sigmoid' = s (1 - s)
        else:
            h1 = np.tanh(z1)
            dh1_dz1 = 1.0 - h1 * h1  # tanh' = 1 - tanh^2
        z2 = params.W2 @ h1 + params.b2  # (K,)
        yhat, losses = softmax_and_loss(z2[None, :], np.array([target]))
        yhat = yhat[0]  # (K,)

        # Backward: output errors, then every output error converges on each hidden neuron
        dL_dz2 = yhat.copy()
        dL_dz2[target] -= 1.0  # (K,) yhat - onehot(y)
        dL_dh1 = params.W2.T @ dL_dz2  # (H,)
        dL_dz1 = dh1_dz1 * dL_dh1  # (H,)

        # Gradients of the weights: error of the neuron above times activation below
        grads = {
            "W1": np.outer(dL_dz1, x),  # (H, D)
            "b1": dL_dz1.copy(),
            "W2": np.outer(dL_dz2, h1),  # (K, H)
            "b2": dL_dz2.copy(),
        }
    return DenseTrace(
        params=params, activation=activation, x=x, target=target,
        z1=z1, h1=h1, dh1_dz1=dh1_dz1, z2=z2, yhat=yhat, loss=float(losses[0]),
        dL_dz2=dL_dz2, dL_dh1=dL_dh1, dL_dz1=dL_dz1, grads=grads,
    )


def dense_trace(config: DenseConfig, x=None, target: int = 0) -> DenseTrace:
    """The trace of the network built from ``config`` on ``x`` (``default_input`` if omitted)."""
    x = default_input(config) if x is None else x
    trace = run_dense(init_dense(config), x, target, config.activation)
    trace.config = config
    return trace


# JSON ----------------------------------------------------------------------------------
def dumps(trace: DenseTrace) -> str:
    """A DenseTrace as a JSON document; same trace, same bytes."""
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "config": trace.config.to_dict() if trace.config else None,
        "activation": trace.activation,
        "target": trace.target,
        "params": {n: encode_array(getattr(trace.params, n)) for n in DENSE_PARAM_NAMES},
    }
    doc.update({k: encode_array(getattr(trace, k)) for k in VECTOR_KEYS})
    doc["loss"] = encode_number(trace.loss)
    doc["grads"] = {n: encode_array(trace.grads[n]) for n in DENSE_PARAM_NAMES}
    if trace.extra:
        doc["extra"] = trace.extra
    return json.dumps(doc, indent=1, allow_nan=False) + "\n"


def save(path: str | Path, trace: DenseTrace) -> None:
    """Write ``dumps(trace)`` atomically: never a half-written file."""
    write_text_atomic(path, dumps(trace))


def loads(text: str, source: str = "dense trace") -> DenseTrace:
    """Parse and validate a DenseTrace document; one clear UnrolledError if anything is wrong."""
    r = Reader(source)
    doc = r.document(text, FORMAT, VERSION, "dense trace")

    # Sizes come from x, b1 and b2; every other array is checked against them
    raw = r.get(doc, "params")
    sizes = []
    for key, value in (("x", r.get(doc, "x")), ("params.b1", r.get(raw, "b1", "params.")),
                       ("params.b2", r.get(raw, "b2", "params."))):
        if not isinstance(value, list) or not value:
            r.fail(f"{key!r} must be a non-empty list")
        sizes.append(len(value))
    D, H, K = sizes
    shapes = {"W1": (H, D), "b1": (H,), "W2": (K, H), "b2": (K,)}
    params = DenseParams(**{n: r.array(r.get(raw, n, "params."), s, f"params.{n}")
                            for n, s in shapes.items()})
    sizes_of = {"x": D, "z1": H, "h1": H, "dh1_dz1": H, "z2": K, "yhat": K,
                "dL_dz2": K, "dL_dh1": H, "dL_dz1": H}
    vectors = {k: r.array(r.get(doc, k), (n,), k) for k, n in sizes_of.items()}
    graw = r.get(doc, "grads")
    grads = {n: r.array(r.get(graw, n, "grads."), s, f"grads.{n}") for n, s in shapes.items()}

    activation = r.get(doc, "activation")
    if activation not in ACTIVATIONS:
        r.fail(f"'activation' must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
    target = r.get(doc, "target")
    if isinstance(target, bool) or not isinstance(target, int) or not 0 <= target < K:
        r.fail(f"'target' must be an integer in 0..{K - 1}")
    config = None
    if doc.get("config") is not None:
        try:
            config = DenseConfig.from_dict(doc["config"])
        except (UnrolledError, TypeError) as err:
            r.fail(f"bad config: {err}")
        if (config.input_size, config.hidden, config.output_size) != (D, H, K):
            r.fail(f"config sizes {(config.input_size, config.hidden, config.output_size)} "
                   f"do not match the arrays {(D, H, K)}")
        if config.activation != activation:
            r.fail(f"config activation {config.activation!r} differs from {activation!r}")
    extra = doc.get("extra", {})
    if not isinstance(extra, dict):
        r.fail("'extra' must be an object")
    return DenseTrace(
        params=params, activation=activation, target=target,
        loss=float(r.array(r.get(doc, "loss"), (), "loss")),
        grads=grads, config=config, extra=extra, **vectors,
    )


def load(path: str | Path) -> DenseTrace:
    """Read and validate a dense trace file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise UnrolledError(f"cannot read dense trace file {path}: {err}") from None
    return loads(text, source=str(path))
