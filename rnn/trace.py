"""The Trace: every activation, error and gradient of one pass, the contract with the scenes.

Errors depend on time, parameters do not. A Trace stores per-step activations and errors;
per-step gradient contributions are outer products of them, and the totals are their sums.
Arrays are 0-based (index ``t - 1`` holds time step t of the equations).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from rnn.config import RNNConfig
from rnn.data import Vocabulary
from rnn.params import PARAM_NAMES, Params

STEP_KEYS = (
    "x", "a", "h", "o", "yhat", "loss",
    "dL_do", "dL_dh", "dL_dh_from_output", "dL_dh_from_next", "dL_da",
)


@dataclass
class Update:
    """One renewal of the parameters, after the gradients of a whole (truncated) pass."""

    method: str  # "sgd" or "adagrad"
    lr: float
    clip: float | None  # threshold, or None for no clipping
    clip_mode: str  # "value" (element-wise, min-char-rnn) or "norm" (Pascanu et al. 2013)
    grad_norm: float  # global L2 norm of the gradients before clipping
    grad_norm_clipped: float  # and after
    grads_applied: dict[str, np.ndarray]  # the gradients the step used, after clipping
    params_after: Params


@dataclass
class Trace:
    """One forward and backward pass over T steps. See the README for the JSON form."""

    params: Params
    h0: np.ndarray  # (H,) the state before step 1
    X: np.ndarray  # (T, D) inputs x(t)
    targets: np.ndarray  # (T,) target class y(t)
    a: np.ndarray  # (T, H) pre-activations
    h: np.ndarray  # (T, H) hidden states
    o: np.ndarray  # (T, K) output logits
    yhat: np.ndarray  # (T, K) softmax outputs
    losses: np.ndarray  # (T,) L(t)
    dL_do: np.ndarray  # (T, K)
    dL_dh: np.ndarray  # (T, H) = dL_dh_from_output + dL_dh_from_next
    dL_dh_from_output: np.ndarray  # (T, H) V^T dL/do(t)
    dL_dh_from_next: np.ndarray  # (T, H) W^T [(1 - h(t+1)^2) * dL/dh(t+1)], zero at t = T
    dL_da: np.ndarray  # (T, H)
    dL_dh0: np.ndarray  # (H,)
    config: RNNConfig | None = None
    vocabulary: Vocabulary | None = None
    update: Update | None = None
    extra: dict = field(default_factory=dict)  # free-form notes (e.g. window bounds)

    # Sizes and views -------------------------------------------------------------
    @property
    def T(self) -> int:
        return len(self.X)

    @property
    def loss(self) -> float:
        return float(self.losses.sum())

    @property
    def cumulative_losses(self) -> np.ndarray:
        """(T,) running loss L(1) + ... + L(t) for every t; the last entry is ``loss``."""
        return np.cumsum(self.losses)

    @property
    def h_prev(self) -> np.ndarray:
        """(T, H) h(t-1) for every t: h0 followed by h(1..T-1)."""
        return np.vstack([self.h0[None, :], self.h[:-1]])

    def step(self, t: int) -> dict:
        """The recorded values of time step ``t`` (1-based, as in the equations)."""
        if not 1 <= t <= self.T:
            raise IndexError(f"time step {t} outside 1..{self.T}")
        i = t - 1
        return {
            "t": t, "x": self.X[i], "a": self.a[i], "h": self.h[i], "o": self.o[i],
            "yhat": self.yhat[i], "loss": float(self.losses[i]), "target": int(self.targets[i]),
            "dL_do": self.dL_do[i], "dL_dh": self.dL_dh[i],
            "dL_dh_from_output": self.dL_dh_from_output[i],
            "dL_dh_from_next": self.dL_dh_from_next[i], "dL_da": self.dL_da[i],
        }

    # Gradients ---------------------------------------------------------------------
    def contributions(self, name: str) -> np.ndarray:
        """Per-step gradient contributions of a parameter, shape (T, *param.shape).

        Their sum over t (``.sum(axis=0)``) is the total gradient ``grads[name]``, exactly.
        """
        if name == "W":
            return np.einsum("ti,tj->tij", self.dL_da, self.h_prev)  # dL/da(t) h(t-1)^T
        if name == "U":
            return np.einsum("ti,tj->tij", self.dL_da, self.X)  # dL/da(t) x(t)^T
        if name == "V":
            return np.einsum("ti,tj->tij", self.dL_do, self.h)  # dL/do(t) h(t)^T
        if name == "b":
            return self.dL_da.copy()
        if name == "c":
            return self.dL_do.copy()
        raise KeyError(f"unknown parameter {name!r}; expected one of {PARAM_NAMES}")

    @cached_property
    def grads(self) -> dict[str, np.ndarray]:
        """Total gradients of L for U, W, V, b, c (sums of the contributions) and h0."""
        with np.errstate(all="ignore"):
            out = {name: self.contributions(name).sum(axis=0) for name in PARAM_NAMES}
        out["h0"] = self.dL_dh0
        return out

    def error_by_source(self) -> np.ndarray:
        """dL(s)/dh(t) for every s >= t: the error loss term L(s) alone sends back to h(t).

        Returns an array (T, T, H) indexed ``[s-1, t-1]``, NaN where s < t. Summed over s it
        equals dL/dh(t). O(T^2 H^2): computed on demand, not stored.
        """
        T, H = self.h.shape
        out = np.full((T, T, H), np.nan)
        dh_da = 1.0 - self.h * self.h
        W = self.params.W
        with np.errstate(all="ignore"):
            for s in range(T):
                out[s, s] = self.dL_dh_from_output[s]  # V^T dL(s)/do(s)
                for t in reversed(range(s)):
                    out[s, t] = W.T @ (dh_da[t + 1] * out[s, t + 1])
        return out

    def error_by_source_norms(self) -> np.ndarray:
        """(T, T) L2 norms of ``error_by_source()``, NaN where s < t."""
        return np.linalg.norm(self.error_by_source(), axis=2)

    def jacobian_norms(self) -> np.ndarray:
        """(T, T) spectral norms of dh(s)/dh(t) for s >= t (1 on the diagonal), NaN where s < t.

        dh(s)/dh(t) is the product of the factors diag(1 - h(k)^2) W for k = t+1..s.
        """
        T, H = self.h.shape
        out = np.full((T, T), np.nan)
        dh_da = 1.0 - self.h * self.h
        W = self.params.W
        with np.errstate(all="ignore"):
            for t in range(T):
                J = np.eye(H)
                out[t, t] = 1.0
                for s in range(t + 1, T):
                    J = (dh_da[s][:, None] * W) @ J
                    out[s, t] = np.linalg.norm(J, ord=2) if np.all(np.isfinite(J)) else np.inf
        return out

    # Health ------------------------------------------------------------------------
    def first_non_finite(self) -> str | None:
        """Where the first NaN or infinity sits (e.g. ``'dL_dh at t=3'``), or None."""
        for key in ("a", "h", "o", "yhat", "losses", "dL_do", "dL_dh", "dL_da"):
            arr = getattr(self, key)
            bad = ~np.isfinite(arr)
            if bad.any():
                t = int(np.argwhere(bad)[0][0]) + 1
                return f"{key} at t={t}"
        for name, g in self.grads.items():
            if not np.all(np.isfinite(g)):
                return f"gradient of {name}"
        return None
