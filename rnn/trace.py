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
from rnn.recorded import Recorded

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
class Trace(Recorded):
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

    CHECKED = ("a", "h", "o", "yhat", "losses", "dL_do", "dL_dh", "dL_da")

    # Views -------------------------------------------------------------------------
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
        """Total gradients of L for U, W, V, b, c (sums of the contributions) and h0.

        Each matrix is summed step by step, in the order ``contributions(name).sum(axis=0)``
        adds, so the total equals the sum of the drawn contributions bit for bit, while holding
        one matrix rather than T of them (1000 steps x 256 units: 2 MB, not 520 MB).
        """
        factors = {"W": (self.dL_da, self.h_prev), "U": (self.dL_da, self.X),
                   "V": (self.dL_do, self.h)}
        out = {}
        with np.errstate(all="ignore"):
            for name, (left, right) in factors.items():
                total = np.outer(left[0], right[0])
                for t in range(1, self.T):
                    total += np.outer(left[t], right[t])
                out[name] = total
            out["b"] = self.dL_da.sum(axis=0)
            out["c"] = self.dL_do.sum(axis=0)
        out = {name: out[name] for name in PARAM_NAMES}
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
        """(T, T) norms ||dL(s)/dh(t)|| of ``error_by_source()``, indexed ``[s-1, t-1]``, NaN
        where s < t.

        All sources travel back together: row s of a (T, H) block holds dL(s)/dh(t) at the
        current t, and one matrix product per step carries every live row to t - 1. That is
        O(T^2 H) memory less than the vectors (O(T H + T^2)) and T products instead of T^2.
        """
        T, H = self.h.shape
        out = np.full((T, T), np.nan)
        dh_da = 1.0 - self.h * self.h  # (T, H)
        W = self.params.W
        block = np.zeros((T, H))  # row s: dL(s)/dh(t) / 2^exps[s] for the current t, s >= t
        # Each row is kept near norm 1 by a power of two (exact): a vanishing error would
        # otherwise reach subnormal numbers, which made the products ten times slower.
        exps = np.zeros(T, dtype=np.int64)  # (T,)
        with np.errstate(all="ignore"):
            for t in reversed(range(T)):
                if t + 1 < T:
                    # rows s > t: dL(s)/dh(t) = W^T [(1 - h(t+1)^2) * dL(s)/dh(t+1)], as rows
                    block[t + 1:] = (block[t + 1:] * dh_da[t + 1]) @ W  # (T-t-1, H)
                block[t] = self.dL_dh_from_output[t]  # V^T dL(t)/do(t): source t starts here
                live = block[t:]  # a view: the rows s >= t
                norm = np.sqrt(np.einsum("sh,sh->s", live, live))  # (T-t,) scaled norms
                out[t:, t] = np.ldexp(norm, exps[t:])
                _, e = np.frexp(norm)  # 0 for a zero or non-finite norm: left as it is
                live *= np.ldexp(1.0, -e)[:, None]
                exps[t:] += e
        return out

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
