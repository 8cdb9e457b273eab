"""A three-layer densely connected network (DCL): forward pass and backprop, recorded.

The network the article reviews before RNNs, for one example x with class target y::

    z1 = W1 x + b1        h1 = act(z1)          act = sigmoid or tanh
    z2 = W2 h1 + b2       yhat = softmax(z2)    L = -log yhat[y]

Backprop sends the errors of every neuron of a layer to each neuron of the layer below::

    dL/dz2 = yhat - onehot(y)      dL/dh1 = W2^T dL/dz2      dL/dz1 = act'(z1) * dL/dh1

and each weight's gradient is an outer product of an error and an activation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnn.engine import softmax_and_loss
from rnn.errors import UnrolledError

ACTIVATIONS = ("sigmoid", "tanh")
DENSE_PARAM_NAMES = ("W1", "b1", "W2", "b2")


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
