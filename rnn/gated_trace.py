"""The GatedTrace: every activation, error and gradient of one LSTM or GRU pass.

The gated cells' counterpart of ``rnn.trace.Trace``, with the same conventions: arrays are
0-based (index ``t - 1`` holds time step t), errors are stored per step and split by path,
gradients are sums of per-step outer products. Gate arrays are (T, G, H) with the blocks in
torch's order (``rnn.gated_params.GATES``); ``gate("f")`` is the forget gate's (T, H) view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from rnn.config import RNNConfig
from rnn.data import Vocabulary
from rnn.gated_params import GATED_PARAM_NAMES, GatedParams
from rnn.recorded import Recorded
from rnn.trace import Update


@dataclass
class GatedTrace(Recorded):
    """One forward and backward pass of an LSTM or GRU over T steps."""

    params: GatedParams
    h0: np.ndarray  # (H,) the state before step 1
    cell0: np.ndarray | None  # (H,) the LSTM's cell state before step 1; None for the GRU
    X: np.ndarray  # (T, D) inputs x(t)
    targets: np.ndarray  # (T,) target class y(t)
    pre: np.ndarray  # (T, G, H) gate pre-activations (the GRU's n: W_in x + b_in + r * hn)
    gates: np.ndarray  # (T, G, H) gate activations, sigmoid or tanh of ``pre``
    hn: np.ndarray | None  # (T, H) GRU only: W_hn h(t-1) + b_hn, the part r multiplies
    cell: np.ndarray | None  # (T, H) LSTM only: cell states
    h: np.ndarray  # (T, H) hidden states
    o: np.ndarray  # (T, K) output logits
    yhat: np.ndarray  # (T, K) softmax outputs
    losses: np.ndarray  # (T,) L(t)
    dL_do: np.ndarray  # (T, K)
    dL_dh: np.ndarray  # (T, H) = dL_dh_from_output + dL_dh_from_next
    dL_dh_from_output: np.ndarray  # (T, H) V^T dL/do(t)
    dL_dh_from_next: np.ndarray  # (T, H) what step t+1 sends back to h(t), zero at t = T
    dL_dcell: np.ndarray | None  # (T, H) LSTM: = dL_dcell_from_h + dL_dcell_from_next
    dL_dcell_from_h: np.ndarray | None  # (T, H) dL/dh(t) * og(t) * (1 - tanh(cell(t))^2)
    dL_dcell_from_next: np.ndarray | None  # (T, H) dL/dcell(t+1) * f(t+1), zero at t = T
    dL_dpre: np.ndarray  # (T, G, H) errors at the gate pre-activations
    dL_dhh: np.ndarray  # (T, G, H) errors at W_hh h(t-1) + b_hh: dL_dpre but r * dL/dn for GRU
    dL_dh0: np.ndarray  # (H,)
    dL_dcell0: np.ndarray | None  # (H,) LSTM only
    grads: dict[str, np.ndarray]  # totals for W_ih, W_hh, b_ih, b_hh, V, c, h0 (and cell0)
    config: RNNConfig | None = None
    vocabulary: Vocabulary | None = None
    update: Update | None = None  # the renewal after this pass (trace, truncated windows)
    extra: dict = field(default_factory=dict)  # free-form notes

    CHECKED = ("pre", "gates", "cell", "h", "o", "yhat", "losses", "dL_do", "dL_dh", "dL_dcell",
               "dL_dpre")

    # Sizes and views -------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.params.kind

    @property
    def gate_names(self) -> tuple[str, ...]:
        return self.params.gates

    @property
    def cell_prev(self) -> np.ndarray | None:
        """(T, H) cell(t-1) for every t (LSTM), or None."""
        if self.cell is None:
            return None
        return np.vstack([self.cell0[None, :], self.cell[:-1]])

    def gate(self, name: str) -> np.ndarray:
        """(T, H) activation of gate ``name`` (a view of ``gates``)."""
        return self.gates[:, self.gate_names.index(name)]

    def gate_pre(self, name: str) -> np.ndarray:
        """(T, H) pre-activation of gate ``name``."""
        return self.pre[:, self.gate_names.index(name)]

    def gate_error(self, name: str) -> np.ndarray:
        """(T, H) dL/d(pre-activation) of gate ``name``."""
        return self.dL_dpre[:, self.gate_names.index(name)]

    def step(self, t: int) -> dict:
        """The recorded values of time step ``t`` (1-based, as in the equations)."""
        if not 1 <= t <= self.T:
            raise IndexError(f"time step {t} outside 1..{self.T}")
        i = t - 1
        out = {
            "t": t, "x": self.X[i], "h": self.h[i], "o": self.o[i], "yhat": self.yhat[i],
            "loss": float(self.losses[i]), "target": int(self.targets[i]),
            "dL_do": self.dL_do[i], "dL_dh": self.dL_dh[i],
            "dL_dh_from_output": self.dL_dh_from_output[i],
            "dL_dh_from_next": self.dL_dh_from_next[i],
        }
        for k, name in enumerate(self.gate_names):
            out[f"pre_{name}"], out[f"gate_{name}"] = self.pre[i, k], self.gates[i, k]
            out[f"dL_dpre_{name}"] = self.dL_dpre[i, k]
        if self.cell is not None:
            out.update(cell=self.cell[i], dL_dcell=self.dL_dcell[i],
                       dL_dcell_from_h=self.dL_dcell_from_h[i],
                       dL_dcell_from_next=self.dL_dcell_from_next[i])
        if self.hn is not None:
            out["hn"] = self.hn[i]
        return out

    # Gradients ---------------------------------------------------------------------
    def contributions(self, name: str) -> np.ndarray:
        """Per-step gradient contributions of a parameter, shape (T, *param.shape).

        Their sum over t is the total ``grads[name]`` (up to rounding).
        """
        T = self.T
        dpre = self.dL_dpre.reshape(T, -1)  # (T, G*H)
        dhh = self.dL_dhh.reshape(T, -1)  # (T, G*H)
        if name == "W_ih":
            return np.einsum("ti,tj->tij", dpre, self.X)  # dL/dpre(t) x(t)^T
        if name == "W_hh":
            return np.einsum("ti,tj->tij", dhh, self.h_prev)  # dL/dhh(t) h(t-1)^T
        if name == "b_ih":
            return dpre.copy()
        if name == "b_hh":
            return dhh.copy()
        if name == "V":
            return np.einsum("ti,tj->tij", self.dL_do, self.h)  # dL/do(t) h(t)^T
        if name == "c":
            return self.dL_do.copy()
        raise KeyError(f"unknown parameter {name!r}; expected one of {GATED_PARAM_NAMES}")

    # Errors by source --------------------------------------------------------------
    def error_by_source(self) -> np.ndarray:
        """dL(s)/dh(t): the error loss term L(s) alone sends back to h(t), for s >= t.

        Returns (T, T, H) indexed ``[s-1, t-1]``, NaN where t > s; summed over s it is dL/dh(t).
        """
        return self._by_source[0]

    def error_by_source_norms(self) -> np.ndarray:
        """(T, T) ``[s-1, t-1]`` = ||dL(s)/dh(t)||, NaN where t > s."""
        return np.linalg.norm(self.error_by_source(), axis=2)

    def cell_error_by_source(self) -> np.ndarray:
        """LSTM: dL(s)/dcell(t), (T, T, H) indexed ``[s-1, t-1]``, NaN where t > s."""
        if self.cell is None:
            raise ValueError("the GRU has no cell state; cell errors exist for the LSTM only")
        return self._by_source[1]

    def cell_error_by_source_norms(self) -> np.ndarray:
        """LSTM: (T, T) ``[s-1, t-1]`` = ||dL(s)/dcell(t)||, NaN where t > s."""
        return np.linalg.norm(self.cell_error_by_source(), axis=2)

    @cached_property
    def _by_source(self) -> tuple[np.ndarray, np.ndarray | None]:
        # All sources at once: rows of a block are the sources s, carried back together with
        # one matrix product per step; row s joins at step s through its own output.
        T, H = self.h.shape
        h_err = np.full((T, T, H), np.nan)
        with np.errstate(all="ignore"):
            if self.kind == "lstm":
                c_err = np.full((T, T, H), np.nan)
                self._lstm_by_source(h_err, c_err)
                return h_err, c_err
            self._gru_by_source(h_err)
        return h_err, None

    def _lstm_by_source(self, h_err: np.ndarray, c_err: np.ndarray) -> None:
        T, H = self.h.shape
        i, f, g, og = (self.gates[:, k] for k in range(4))  # (T, H) each
        tc = np.tanh(self.cell)  # (T, H)
        dcell_dh = og * (1.0 - tc * tc)  # (T, H) dcell(t) gets dL/dh(t) times this
        through_cell = np.stack(  # (T, 3, H) d cell(t) / d pre of i, f, g
            [g * i * (1.0 - i), self.cell_prev * f * (1.0 - f), i * (1.0 - g * g)], axis=1
        )
        through_h = tc * og * (1.0 - og)  # (T, H) d h(t) / d pre of o
        W_hh = self.params.W_hh  # (4H, H)
        Eh = np.zeros((T, H))  # row s: dL(s)/dh(t)
        Ec = np.zeros((T, H))  # row s: dL(s)/dcell(t); holds cell(t+1)'s part until step t adds h's
        for t in reversed(range(T)):
            # source s = t enters through its own output
            Eh[t] = self.dL_dh_from_output[t]
            # through h(t) into cell(t), added to what cell(t+1) sent back
            Ec[t:] += Eh[t:] * dcell_dh[t]
            h_err[t:, t], c_err[t:, t] = Eh[t:], Ec[t:]
            # gate errors, then back to h(t-1) through W_hh and to cell(t-1) through f(t)
            S = T - t
            dpre = np.empty((S, 4, H))
            dpre[:, :3] = Ec[t:, None, :] * through_cell[t]
            dpre[:, 3] = Eh[t:] * through_h[t]
            Eh[t:] = dpre.reshape(S, 4 * H) @ W_hh
            Ec[t:] *= f[t]

    def _gru_by_source(self, h_err: np.ndarray) -> None:
        T, H = self.h.shape
        r, z, n = (self.gates[:, k] for k in range(3))  # (T, H) each
        dn_pre = (1.0 - z) * (1.0 - n * n)  # (T, H) d pre_n per unit of dL/dh(t)
        to_hh = np.stack(  # (T, 3, H) d (W_hh h(t-1) + b_hh) blocks per unit of dL/dh(t)
            [dn_pre * self.hn * r * (1.0 - r), (self.h_prev - n) * z * (1.0 - z), dn_pre * r],
            axis=1,
        )
        W_hh = self.params.W_hh  # (3H, H)
        Eh = np.zeros((T, H))  # row s: dL(s)/dh(t)
        for t in reversed(range(T)):
            # source s = t enters through its own output
            Eh[t] = self.dL_dh_from_output[t]
            h_err[t:, t] = Eh[t:]
            # back to h(t-1): through the gates and W_hh, and directly through z(t)
            S = T - t
            dhh = (Eh[t:, None, :] * to_hh[t]).reshape(S, 3 * H)  # (S, 3H)
            Eh[t:] = dhh @ W_hh + Eh[t:] * z[t]
