"""The parameter update: SGD and Adagrad, with element-wise or gradient-norm clipping.

The update iterates over the parameters' own names, so every cell's parameters go through the
same optimiser (the initial states' gradients are never applied).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rnn.cells import Params
from rnn.errors import UnrolledError
from rnn.trace import Update

CLIP_MODES = ("value", "norm")
METHODS = ("sgd", "adagrad")


def global_norm(grads: dict[str, np.ndarray], names=None) -> float:
    """L2 norm of the gradients of ``names`` taken together."""
    names = tuple(grads) if names is None else names
    with np.errstate(all="ignore"):
        return float(np.sqrt(sum(float(np.sum(grads[n] * grads[n])) for n in names)))


def clip_gradients(
    grads: dict[str, np.ndarray], clip: float | None, mode: str = "value", names=None
) -> dict[str, np.ndarray]:
    """Clipped copies of the parameter gradients.

    ``value``: every entry into [-clip, clip] (min-char-rnn). ``norm``: if the global norm
    exceeds clip, scale all gradients by clip / norm (Pascanu et al. 2013).
    """
    names = tuple(grads) if names is None else names
    if mode not in CLIP_MODES:
        raise UnrolledError(f"clip mode must be one of {CLIP_MODES}, got {mode!r}")
    if clip is None:
        return {n: grads[n].copy() for n in names}
    if not clip > 0:
        raise UnrolledError(f"clip threshold must be positive, got {clip}")
    if mode == "value":
        return {n: np.clip(grads[n], -clip, clip) for n in names}
    norm = global_norm(grads, names)
    scale = clip / norm if norm > clip else 1.0
    return {n: grads[n] * scale for n in names}


@dataclass
class Optimizer:
    """SGD or Adagrad over the shared parameters; Adagrad's memory persists across steps."""

    method: str = "sgd"
    lr: float = 0.1
    clip: float | None = None
    clip_mode: str = "value"
    eps: float = 1e-8
    memory: dict[str, np.ndarray] = field(default_factory=dict)  # Adagrad's sum of squares

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise UnrolledError(f"optimizer must be one of {METHODS}, got {self.method!r}")
        if not self.lr > 0:
            raise UnrolledError(f"learning rate must be positive, got {self.lr}")
        if self.clip is not None and not self.clip > 0:
            raise UnrolledError(f"clip threshold must be positive, got {self.clip}")
        if self.clip_mode not in CLIP_MODES:
            raise UnrolledError(f"clip mode must be one of {CLIP_MODES}, got {self.clip_mode!r}")

    def step(self, params: Params, grads: dict[str, np.ndarray]) -> Update:
        """Update the parameters once from a whole pass's gradients; ``params`` (a cell's, or a
        network's ``rnn.network.NetworkParams``) is not modified."""
        names = tuple(params.as_dict())
        applied = clip_gradients(grads, self.clip, self.clip_mode, names)
        new = {}
        with np.errstate(all="ignore"):
            for n in names:
                p, g = getattr(params, n), applied[n]
                if self.method == "sgd":
                    new[n] = p - self.lr * g
                else:
                    mem = self.memory.setdefault(n, np.zeros_like(p))
                    mem += g * g
                    new[n] = p - self.lr * g / np.sqrt(mem + self.eps)
        return Update(
            method=self.method,
            lr=self.lr,
            clip=self.clip,
            clip_mode=self.clip_mode,
            grad_norm=global_norm(grads, names),
            grad_norm_clipped=global_norm(applied, names),
            grads_applied=applied,
            params_after=params.with_arrays(new),
        )
