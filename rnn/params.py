"""The parameters U, W, V, b, c, shared by every time step, and their initialisation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnn.config import RNNConfig
from rnn.errors import UnrolledError

PARAM_NAMES = ("U", "W", "V", "b", "c")


@dataclass
class Params:
    """Parameters in the shapes of the equations; they do not depend on time."""

    U: np.ndarray  # (H, D) input -> hidden
    W: np.ndarray  # (H, H) hidden(t-1) -> hidden(t), the recurrent connection
    V: np.ndarray  # (K, H) hidden -> output
    b: np.ndarray  # (H,) hidden bias
    c: np.ndarray  # (K,) output bias

    def __post_init__(self) -> None:
        for name in PARAM_NAMES:
            setattr(self, name, np.asarray(getattr(self, name), dtype=np.float64))
        H, D = self.U.shape if self.U.ndim == 2 else (-1, -1)
        K = self.V.shape[0] if self.V.ndim == 2 else -1
        want = {"U": (H, D), "W": (H, H), "V": (K, H), "b": (H,), "c": (K,)}
        for name, shape in want.items():
            if getattr(self, name).shape != shape or min(shape) <= 0:
                raise UnrolledError(
                    f"parameter {name} has shape {getattr(self, name).shape}, expected {shape} "
                    "(U is (H, D), W (H, H), V (K, H), b (H,), c (K,))"
                )

    @property
    def hidden_size(self) -> int:
        return self.W.shape[0]

    @property
    def input_size(self) -> int:
        return self.U.shape[1]

    @property
    def output_size(self) -> int:
        return self.V.shape[0]

    def as_dict(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in PARAM_NAMES}

    def copy(self) -> Params:
        return Params(**{k: v.copy() for k, v in self.as_dict().items()})


def spectral_radius(W: np.ndarray) -> float:
    """Largest absolute eigenvalue of W."""
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def largest_singular_value(W: np.ndarray) -> float:
    return float(np.linalg.norm(W, ord=2))


def with_spectral_radius(W: np.ndarray, radius: float) -> np.ndarray:
    """W rescaled so that its spectral radius is ``radius`` (for vanishing/exploding demos)."""
    if not radius > 0:
        raise UnrolledError(f"radius must be positive, got {radius}")
    current = spectral_radius(W)
    if current == 0:
        raise UnrolledError("W has spectral radius 0 and cannot be rescaled")
    return W * (radius / current)


def init_params(config: RNNConfig) -> Params:
    """Deterministic initialisation from ``config.seed``: same config, same bytes."""
    rng = np.random.default_rng(config.seed)
    D, H, K, s = config.input_size, config.hidden, config.output_size, config.init_scale
    with np.errstate(over="ignore"):
        U = rng.standard_normal((H, D)) * s
        W = rng.standard_normal((H, H)) * s
        V = rng.standard_normal((K, H)) * s
    if not all(np.all(np.isfinite(m)) for m in (U, W, V)):
        raise UnrolledError(f"init_scale {s:g} overflows float64; choose a smaller one")
    if config.radius is not None:
        W = with_spectral_radius(W, config.radius)
    return Params(U=U, W=W, V=V, b=np.zeros(H), c=np.zeros(K))
