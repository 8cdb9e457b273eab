"""What every recorded pass has, simple or gated: sizes, losses, and views of long sequences.

``rnn.trace.Trace`` and ``rnn.gated_trace.GatedTrace`` both record X, h, yhat, the per-step
losses, h0, grads and a vocabulary; the views here read only those, so each scene built on them
(the activations heatmap, the text coloured by a unit) can draw either kind of cell.
"""

from __future__ import annotations

import numpy as np


class Recorded:
    """Views shared by the traces. A subclass names its per-step arrays in ``CHECKED``."""

    CHECKED: tuple[str, ...] = ()  # arrays ``first_non_finite`` scans, in this order

    # Sizes and losses --------------------------------------------------------------
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

    # Views of long sequences ---------------------------------------------------------
    def input_ids(self) -> np.ndarray:
        """(T,) each step's input character index: the ids recorded by a model whose x(t) is
        an embedding row (``extra["input_ids"]``), else the argmax of the one-hot x(t)."""
        ids = self.extra.get("input_ids")
        return np.asarray(ids) if ids is not None and len(ids) == self.T else self.X.argmax(axis=1)

    def input_chars(self) -> list[str]:
        """The input character of every step (the argmax of its one-hot x(t)), or ``?`` when
        the trace has no vocabulary."""
        ids = self.input_ids()  # (T,)
        if self.vocabulary is None:
            return ["?"] * self.T
        return [self.vocabulary.chars[int(i)] for i in ids]

    def top_guesses(self, k: int = 3) -> np.ndarray:
        """(T, k) indices of the k most probable next characters of yhat(t), most likely first
        (ties broken by the lower index, so the order is deterministic)."""
        k = min(k, self.yhat.shape[1])
        return np.argsort(-self.yhat, axis=1, kind="stable")[:, :k]

    def units_by_variance(self) -> np.ndarray:
        """(H,) 0-based unit indices, most varied first: ordered by the variance of h(t) over
        time, descending; ties by the lower index."""
        return np.argsort(-self.h.var(axis=0), kind="stable")

    def line_positions(self) -> np.ndarray:
        """(T,) position of each input character in its line: 0 after a newline, then 1, 2..."""
        out = np.zeros(self.T)
        pos = 0
        for i, c in enumerate(self.input_chars()):
            out[i] = pos
            pos = 0 if c == "\n" else pos + 1
        return out

    def unit_correlations(self, feature: np.ndarray) -> np.ndarray:
        """(H,) Pearson correlation of each unit's h(t) with ``feature`` (T,) over time; 0 for
        a constant unit or feature."""
        h = self.h - self.h.mean(axis=0)  # (T, H)
        f = np.asarray(feature, dtype=np.float64) - np.mean(feature)  # (T,)
        denom = np.sqrt((h * h).sum(axis=0) * (f @ f))  # (H,)
        with np.errstate(all="ignore"):
            r = (f @ h) / denom
        return np.where(denom > 0, r, 0.0)

    # Health ------------------------------------------------------------------------
    def first_non_finite(self) -> str | None:
        """Where the first NaN or infinity sits (e.g. ``'dL_dh at t=3'``), or None."""
        for key in self.CHECKED:
            arr = getattr(self, key)
            if arr is None:  # an array the other cell has (the GRU records no cell state)
                continue
            bad = ~np.isfinite(arr)
            if bad.any():
                t = int(np.argwhere(bad)[0][0]) + 1
                return f"{key} at t={t}"
        for name, g in self.grads.items():
            if not np.all(np.isfinite(g)):
                return f"gradient of {name}"
        return None
