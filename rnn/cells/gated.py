"""What the gated cells (LSTM, GRU) share: torch's parameter layout, draw and gradients.

The gate blocks of W_ih, W_hh, b_ih and b_hh are stacked in torch's order (``gates``), so the
arrays load straight from ``torch.nn.LSTMCell`` / ``GRUCell`` and back, and a block is a view:
``W_hh.reshape(G, H, H)[k]`` is gate k's recurrent matrix.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from rnn.cells.base import Cell, Sum
from rnn.errors import UnrolledError


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-x)); exp overflows to inf for x < -709 and the result is 0, as it should."""
    return 1.0 / (1.0 + np.exp(-x))


class GatedCell(Cell):
    """A cell whose pre-activations are G gate blocks: W_ih x + b_ih and W_hh h + b_hh."""

    param_names = ("W_ih", "W_hh", "b_ih", "b_hh", "V", "c")
    recurrent = "W_hh"
    tanh_gates: tuple[str, ...] = ()  # gates that are tanh of their pre-activation (not sigmoid)
    own_sums = MappingProxyType({})  # the states, and gates written otherwise (the GRU's n)

    @property
    def sums(self):
        """Every gate is its function of pre = W_ih x + b_ih + W_hh h(t-1) + b_hh; then the
        states, and any gate written otherwise (``own_sums``)."""
        gates = {g: Sum("pre", ("b_ih", "b_hh", "W_ih x", "W_hh h@p"),
                        "tanh" if g in self.tanh_gates else "sigmoid") for g in self.gates}
        return {**gates, **self.own_sums}

    @property
    def layout(self) -> str:
        G = len(self.gates)
        return (f"W_ih is ({G}H, D), W_hh ({G}H, H), b_ih and b_hh ({G}H,), V (K, H), "
                "c (K,)")

    def param_shapes(self, D, H, K):
        G = len(self.gates)
        return {"W_ih": (G * H, D), "W_hh": (G * H, H), "b_ih": (G * H,), "b_hh": (G * H,),
                "V": (K, H), "c": (K,)}

    def sizes(self, arrays):
        G = len(self.gates)
        GH, D = arrays["W_ih"].shape if arrays["W_ih"].ndim == 2 else (-1, -1)
        H = GH // G if GH % G == 0 else -1
        K = arrays["V"].shape[0] if arrays["V"].ndim == 2 else -1
        return D, H, K

    def init(self, D, H, K, seed, **options):
        """torch's initialisation: every entry ~ uniform(-1/sqrt(H), 1/sqrt(H)), from ``seed``."""
        if options:
            raise UnrolledError(f"the {self.title} takes no {', '.join(options)}")
        rng = np.random.default_rng(seed)
        G = len(self.gates)
        bound = 1.0 / np.sqrt(H)
        return {
            "W_ih": rng.uniform(-bound, bound, (G * H, D)),
            "W_hh": rng.uniform(-bound, bound, (G * H, H)),
            "b_ih": rng.uniform(-bound, bound, G * H),
            "b_hh": rng.uniform(-bound, bound, G * H),
            "V": rng.uniform(-bound, bound, (K, H)),
            "c": rng.uniform(-bound, bound, K),
        }

    def input_errors(self, trace):
        return trace.dL_dpre.reshape(trace.T, -1) @ trace.params.W_ih  # W_ih^T dL/dpre(t)

    def recurrent_error(self, trace) -> np.ndarray:
        """(T, G, H) the error at W_hh h(t-1) + b_hh."""
        raise NotImplementedError

    def factors(self, trace, name):
        T = trace.T
        dpre = trace.dL_dpre.reshape(T, -1)  # (T, G*H)
        dhh = self.recurrent_error(trace).reshape(T, -1)  # (T, G*H)
        table = {"W_ih": (dpre, trace.X), "W_hh": (dhh, trace.h_prev), "b_ih": dpre,
                 "b_hh": dhh, "V": (trace.dL_do, trace.h), "c": trace.dL_do}
        if name not in table:
            raise KeyError(f"unknown parameter {name!r}; expected one of {self.param_names}")
        return table[name]

    def grads(self, trace):
        # Totals: sums over t of outer products, each one matmul
        T = trace.T
        recurrent = self.recurrent_error(trace)
        dpre = trace.dL_dpre.reshape(T, -1)  # (T, G*H)
        dhh = dpre if recurrent is trace.dL_dpre else recurrent.reshape(T, -1)  # (T, G*H)
        d_bias = dpre.sum(axis=0)  # (G*H,)
        with np.errstate(all="ignore"):
            return {
                "W_ih": dpre.T @ trace.X,  # (G*H, D)
                "W_hh": dhh.T @ trace.h_prev,  # (G*H, H)
                "b_ih": d_bias,
                "b_hh": d_bias.copy() if dhh is dpre else dhh.sum(axis=0),
                "V": trace.dL_do.T @ trace.h,  # (K, H)
                "c": trace.dL_do.sum(axis=0),  # (K,)
            }
