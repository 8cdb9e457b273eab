"""Parameters of the gated cells (LSTM, GRU) in torch's layout, their initialisation and checks.

The gate blocks of W_ih, W_hh, b_ih and b_hh are stacked in torch's order (``GATES``), so the
arrays load straight from ``torch.nn.LSTMCell`` / ``GRUCell`` and back, and a block is a view:
``W_hh.reshape(G, H, H)[k]`` is gate k's recurrent matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnn.bptt import check_inputs
from rnn.errors import UnrolledError

GATES = {"lstm": ("i", "f", "g", "o"), "gru": ("r", "z", "n")}  # torch's block order
GATED_PARAM_NAMES = ("W_ih", "W_hh", "b_ih", "b_hh", "V", "c")


@dataclass
class GatedParams:
    """Parameters of an LSTM or GRU cell and its output layer; they do not depend on time."""

    kind: str  # "lstm" or "gru"
    W_ih: np.ndarray  # (G*H, D) input -> gates, blocks in the order GATES[kind]
    W_hh: np.ndarray  # (G*H, H) h(t-1) -> gates
    b_ih: np.ndarray  # (G*H,) input-side biases
    b_hh: np.ndarray  # (G*H,) recurrent-side biases (kept apart: the GRU's n block needs it)
    V: np.ndarray  # (K, H) hidden -> output
    c: np.ndarray  # (K,) output bias

    def __post_init__(self) -> None:
        if self.kind not in GATES:
            raise UnrolledError(f"cell must be one of {', '.join(GATES)}, got {self.kind!r}")
        for name in GATED_PARAM_NAMES:
            setattr(self, name, np.asarray(getattr(self, name), dtype=np.float64))
        G = len(GATES[self.kind])
        GH, D = self.W_ih.shape if self.W_ih.ndim == 2 else (-1, -1)
        H = GH // G if GH % G == 0 else -1
        K = self.V.shape[0] if self.V.ndim == 2 else -1
        want = {
            "W_ih": (G * H, D), "W_hh": (G * H, H), "b_ih": (G * H,), "b_hh": (G * H,),
            "V": (K, H), "c": (K,),
        }
        for name, shape in want.items():
            if getattr(self, name).shape != shape or min(shape) <= 0:
                raise UnrolledError(
                    f"{self.kind} parameter {name} has shape {getattr(self, name).shape}, "
                    f"expected {shape} (W_ih is ({G}H, D), W_hh ({G}H, H), b_ih and b_hh "
                    f"({G}H,), V (K, H), c (K,))"
                )

    @property
    def gates(self) -> tuple[str, ...]:
        """Gate names in block order: ('i', 'f', 'g', 'o') or ('r', 'z', 'n')."""
        return GATES[self.kind]

    @property
    def names(self) -> tuple[str, ...]:
        return GATED_PARAM_NAMES

    @property
    def hidden_size(self) -> int:
        return self.W_hh.shape[1]

    @property
    def input_size(self) -> int:
        return self.W_ih.shape[1]

    @property
    def output_size(self) -> int:
        return self.V.shape[0]

    def block(self, name: str, gate: str) -> np.ndarray:
        """Gate ``gate``'s block of W_ih, W_hh, b_ih or b_hh, as a view (writes go through)."""
        k, H = self.gates.index(gate), self.hidden_size
        return getattr(self, name)[k * H:(k + 1) * H]

    def as_dict(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in GATED_PARAM_NAMES}

    def copy(self) -> GatedParams:
        return GatedParams(self.kind, **{k: v.copy() for k, v in self.as_dict().items()})


def init_gated_params(
    kind: str, input_size: int, hidden: int, output_size: int, seed: int,
    forget_bias: float = 0.0,
) -> GatedParams:
    """torch's initialisation: every entry ~ uniform(-1/sqrt(H), 1/sqrt(H)), from ``seed``.

    ``forget_bias`` is added to the forget gate's b_hh block (LSTM only): 1.0 keeps the
    forget gate near sigmoid(1) = 0.73 at the start, so errors fade slower (Jozefowicz 2015).
    """
    if kind not in GATES:
        raise UnrolledError(f"cell must be one of {', '.join(GATES)}, got {kind!r}")
    for name, n in (("input_size", input_size), ("hidden", hidden), ("output_size", output_size)):
        if n <= 0:
            raise UnrolledError(f"{name} must be a positive integer, got {n}")
    if forget_bias != 0.0 and kind != "lstm":
        raise UnrolledError("forget_bias applies to the LSTM only (the GRU has no forget gate)")
    rng = np.random.default_rng(seed)
    G, D, H, K = len(GATES[kind]), input_size, hidden, output_size
    bound = 1.0 / np.sqrt(H)
    params = GatedParams(
        kind,
        W_ih=rng.uniform(-bound, bound, (G * H, D)),
        W_hh=rng.uniform(-bound, bound, (G * H, H)),
        b_ih=rng.uniform(-bound, bound, G * H),
        b_hh=rng.uniform(-bound, bound, G * H),
        V=rng.uniform(-bound, bound, (K, H)),
        c=rng.uniform(-bound, bound, K),
    )
    if kind == "lstm":
        params.block("b_hh", "f")[:] += forget_bias
    return params


def check_gated_inputs(params: GatedParams, X, y, h0, cell0):
    """Inputs as float64/int64 arrays of the right shapes, or one clear UnrolledError."""
    X, y, h0 = check_inputs(params, X, y, h0)
    H = params.hidden_size
    if params.kind == "lstm":
        cell0 = np.zeros(H) if cell0 is None else np.asarray(cell0, dtype=np.float64)
        if cell0.shape != (H,):
            raise UnrolledError(f"cell0 must have shape ({H},), got {cell0.shape}")
    elif cell0 is not None:
        raise UnrolledError("cell0 is the LSTM's initial cell state; the GRU has none")
    return X, y, h0, cell0
