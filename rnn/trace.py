"""The Trace: every activation, error and gradient of one pass, the contract with the scenes.

One type for every cell. What every cell has is a field (x, h, o, yhat, the losses, dL/do,
dL/dh and its two recorded parts); what a cell records beside them (the simple RNN's a(t) and
dL/da(t); the LSTM's gates, cell state and its errors; the GRU's gates and hn) is declared by
the cell (``Cell.parts``) and read as an attribute (``trace.a``, ``trace.gates``): a part the
cell does not declare is an AttributeError, never None.

Errors depend on time, parameters do not. Per-step gradient contributions are outer products
of recorded arrays, and the totals are their sums. Arrays are 0-based (index ``t - 1`` holds
time step t of the equations).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from rnn.cells import Cell, Params
from rnn.config import RNNConfig
from rnn.data import Vocabulary

STEP_PREFIX = {"gates": "gate_", "pre": "pre_", "dL_dpre": "dL_dpre_", "dL_dhh": "dL_dhh_"}


@dataclass
class Update:
    """One parameter update, after the gradients of a whole (truncated) pass."""

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
    """One forward and backward pass of any cell over T steps. See the README for its files."""

    params: Params
    h0: np.ndarray  # (H,) the state before step 1
    X: np.ndarray  # (T, D) inputs x(t)
    targets: np.ndarray  # (T,) target class y(t)
    h: np.ndarray  # (T, H) hidden states
    o: np.ndarray  # (T, K) output logits
    yhat: np.ndarray  # (T, K) softmax outputs
    losses: np.ndarray  # (T,) L(t)
    dL_do: np.ndarray  # (T, K)
    dL_dh: np.ndarray  # (T, H) = dL_dh_from_output + dL_dh_from_next
    dL_dh_from_output: np.ndarray  # (T, H) V^T dL/do(t)
    dL_dh_from_next: np.ndarray  # (T, H) what step t+1 sends back to h(t), zero at t = T
    dL_dh0: np.ndarray  # (H,) what step 1 sends back to h0
    parts: dict[str, np.ndarray] = field(default_factory=dict)  # the cell's own, by name
    start: dict[str, np.ndarray] = field(default_factory=dict)  # other states before step 1
    start_errors: dict[str, np.ndarray] = field(default_factory=dict)  # and their errors
    config: RNNConfig | None = None
    vocabulary: Vocabulary | None = None
    update: Update | None = None
    extra: dict = field(default_factory=dict)  # free-form notes (e.g. window bounds)

    def __getattr__(self, name: str):
        # only called when ordinary lookup fails: the cell's declared parts and states
        d = self.__dict__
        if name in d.get("parts", {}):
            return d["parts"][name]
        if name.endswith("0") and name[:-1] in d.get("start", {}):
            return d["start"][name[:-1]]
        if name.startswith("dL_d") and name.endswith("0") and name[4:-1] in d.get(
                "start_errors", {}):
            return d["start_errors"][name[4:-1]]
        spec = d.get("params").spec if "params" in d else None
        raise AttributeError(f"a {spec.name if spec else '?'} trace records no {name!r}")

    # The cell ----------------------------------------------------------------------
    @property
    def spec(self) -> Cell:
        """The cell that made this trace."""
        return self.params.spec

    @property
    def kind(self) -> str:
        return self.spec.name

    @property
    def gate_names(self) -> tuple[str, ...]:
        return self.spec.gates

    def has(self, name: str) -> bool:
        """Whether the cell records ``name`` (a part such as ``"cell"`` or ``"a"``)."""
        return name in self.parts

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
    def state0(self) -> dict[str, np.ndarray]:
        """Every state before step 1: {"h": h0} and the cell's others ({"cell": cell0})."""
        return {"h": self.h0, **self.start}

    def states(self, name: str) -> np.ndarray:
        """(T, H) state ``name`` ("h", or another the cell declares) at every step."""
        return self.h if name == "h" else self.parts[name]

    def previous(self, name: str) -> np.ndarray:
        """(T, H) state ``name`` at t-1 for every t: its start followed by steps 1..T-1."""
        return np.vstack([self.state0[name][None, :], self.states(name)[:-1]])

    @property
    def h_prev(self) -> np.ndarray:
        """(T, H) h(t-1) for every t: h0 followed by h(1..T-1)."""
        return self.previous("h")

    @property
    def cell_prev(self) -> np.ndarray:
        """(T, H) cell(t-1) for every t (the LSTM's cell state)."""
        return self.previous("cell")

    def gate(self, name: str) -> np.ndarray:
        """(T, H) activation of gate ``name`` (a view of ``gates``)."""
        return self.parts["gates"][:, self.gate_names.index(name)]

    def gate_pre(self, name: str) -> np.ndarray:
        """(T, H) pre-activation of gate ``name``."""
        return self.parts["pre"][:, self.gate_names.index(name)]

    def gate_error(self, name: str) -> np.ndarray:
        """(T, H) dL/d(pre-activation) of gate ``name``."""
        return self.parts["dL_dpre"][:, self.gate_names.index(name)]

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
        for part in self.spec.parts:
            value = self.parts[part.name]
            if part.blocks:
                prefix = STEP_PREFIX.get(part.name, part.name + "_")
                out.update({prefix + g: value[i, k] for k, g in enumerate(self.gate_names)})
            else:
                out[part.name] = value[i]
        return out

    # Gradients ---------------------------------------------------------------------
    def contributions(self, name: str) -> np.ndarray:
        """Per-step gradient contributions of a parameter, shape (T, *param.shape).

        Their sum over t is the total gradient ``grads[name]``.
        """
        factors = self.spec.factors(self, name)
        if isinstance(factors, tuple):
            left, right = factors
            return np.einsum("ti,tj->tij", left, right)  # left(t) right(t)^T
        return factors.copy()

    def input_errors(self) -> np.ndarray:
        """(T, D) dL/dx(t), the error reaching each input x(t) (for an embedding, the row it
        read): from the recorded errors, as every gradient contribution."""
        return self.spec.input_errors(self)

    @cached_property
    def grads(self) -> dict[str, np.ndarray]:
        """Total gradients of L for every parameter, then h0 (and the other states' starts)."""
        out = dict(self.spec.grads(self))
        out["h0"] = self.dL_dh0
        out.update({f"{p}0": e for p, e in self.start_errors.items()})
        return out

    # Errors by source --------------------------------------------------------------
    def error_by_source(self, path: str = "h") -> np.ndarray:
        """dL(s)/dh(t) for every s >= t (``path="cell"``: dL(s)/dcell(t)): the error loss
        term L(s) alone sends back, (T, T, H) indexed ``[s-1, t-1]``, NaN where s < t.
        Summed over s it equals dL/dh(t). O(T^2 H) memory: computed on demand, not stored.

        Each source travels back on its own, one vector product a step, so every vector has
        the bits a single backward pass of that loss term gives.
        """
        self._check_path(path)
        spec, params = self.spec, self.params
        T, H = self.h.shape
        back = spec.begin_backward(params, {"h": self.h, **self.parts}, self.state0)
        out = np.full((T, T, H), np.nan)
        with np.errstate(all="ignore"):
            for s in range(T):
                err = {p: np.zeros(H) for p in spec.paths}  # one (H,) vector per path
                err["h"] = self.dL_dh_from_output[s].copy()  # V^T dL(s)/do(s)
                for t in reversed(range(s + 1)):
                    inside, sent = spec.back_step(params, back, t, err)
                    out[s, t] = state_totals(err, inside)[path]
                    err = sent
        return out

    def error_by_source_norms(self, path: str = "h") -> np.ndarray:
        """(T, T) norms ||dL(s)/dh(t)|| (or of the cell state's), ``[s-1, t-1]``, NaN where
        s < t; O(T^2) memory."""
        self._check_path(path)
        return self._norms[path]

    def _check_path(self, path: str) -> None:
        if path not in self.spec.paths:
            raise ValueError(f"the {self.spec.title}'s errors travel along "
                             f"{' and '.join(self.spec.paths)}, not {path}")

    def cell_error_by_source(self) -> np.ndarray:
        return self.error_by_source("cell")

    def cell_error_by_source_norms(self) -> np.ndarray:
        return self.error_by_source_norms("cell")

    @cached_property
    def _norms(self) -> dict[str, np.ndarray]:
        """Every loss term's error norms along every path, all sources at once.

        Row s of a (T, H) block per path holds dL(s)/d(state)(t) for the current t; the
        cell's ``back_step`` carries every live row to t - 1 in one product. Each row is kept
        near norm 1 by a power of two (exact): a vanishing error would otherwise reach
        subnormal numbers, which made the products ten times slower.
        """
        spec, params = self.spec, self.params
        T, H = self.h.shape
        paths = spec.paths
        back = spec.begin_backward(params, {"h": self.h, **self.parts}, self.state0)
        E = {p: np.zeros((T, H)) for p in paths}  # row s: dL(s)/d(path)(t), scaled
        exps = np.zeros(T, dtype=np.int64)  # (T,) the power of two each row is scaled by
        norms = {p: np.full((T, T), np.nan) for p in paths}
        with np.errstate(all="ignore"):
            for t in reversed(range(T)):
                E["h"][t] = self.dL_dh_from_output[t]  # V^T dL(t)/do(t): source t starts here
                rows = {p: E[p][t:] for p in paths}  # views: the rows s >= t
                inside, sent = spec.back_step(params, back, t, rows)
                totals = state_totals(rows, inside)
                biggest = np.zeros(T - t)
                for p in paths:
                    n = spec.row_norms(totals[p])  # (T-t,) scaled norms
                    norms[p][t:, t] = np.ldexp(n, exps[t:])
                    biggest = np.fmax(biggest, n)
                _, e = np.frexp(biggest)  # 0 for a zero or non-finite norm: left as it is
                exps[t:] += e
                if t > 0:  # what reaches step t - 1, scaled as the rows it came from
                    scale = np.ldexp(1.0, -e)[:, None]
                    for p in paths:
                        np.multiply(sent[p], scale, out=E[p][t:])
        return norms

    def jacobian_norms(self) -> np.ndarray:
        """(T, T) spectral norms of dh(s)/dh(t) for s >= t (1 on the diagonal), NaN where s < t,
        for a cell whose state is h alone: the product of its step Jacobians k = t+1..s."""
        T, H = self.h.shape
        out = np.full((T, T), np.nan)
        steps = [self.spec.step_jacobian(self, s) for s in range(T)]
        with np.errstate(all="ignore"):
            for t in range(T):
                J = np.eye(H)
                out[t, t] = 1.0
                for s in range(t + 1, T):
                    J = steps[s] @ J
                    out[s, t] = np.linalg.norm(J, ord=2) if np.all(np.isfinite(J)) else np.inf
        return out

    # Views of long sequences ---------------------------------------------------------
    def input_ids(self) -> np.ndarray:
        """(T,) each step's input character index: the ids recorded by a model whose x(t) is
        an embedding row (``extra["input_ids"]``), else the argmax of the one-hot x(t)."""
        ids = self.extra.get("input_ids")
        return np.asarray(ids) if ids is not None and len(ids) == self.T else self.X.argmax(axis=1)

    def input_chars(self) -> list[str]:
        """The input character of every step, or ``?`` when the trace has no vocabulary."""
        ids = self.input_ids()  # (T,)
        if self.vocabulary is None:
            return ["?"] * self.T
        return [self.vocabulary.chars[int(i)] for i in ids]

    def top_guesses(self, k: int = 3) -> np.ndarray:
        """(T, k) indices of the k most probable next characters of yhat(t), most likely first
        (ties broken by the lower index, so the order is deterministic)."""
        k = min(k, self.yhat.shape[1])
        return np.argsort(-self.yhat, axis=1, kind="stable")[:, :k]

    def layer_names(self) -> tuple[str, ...]:
        """The (T, H) layers a view can draw: h, the cell's other states, each gate."""
        return ("h", *self.start, *(f"gate-{g}" for g in self.gate_names))

    def layer(self, name: str = "h") -> np.ndarray:
        """(T, H) layer ``name`` at every step: "h", another state ("cell"), or "gate-f"."""
        if name == "h":
            return self.h
        if name in self.start:
            return self.parts[name]
        if name.startswith("gate-") and name[5:] in self.gate_names:
            return self.gate(name[5:])
        raise ValueError(f"the {self.spec.title} records no layer {name!r}; its layers: "
                         f"{', '.join(self.layer_names())}")

    @staticmethod
    def layer_label(name: str) -> str:
        """How a layer is written on screen: h(t), cell(t), f(t)."""
        return f"{name.removeprefix('gate-')}(t)"

    def units_by_variance(self, layer: str = "h") -> np.ndarray:
        """(H,) 0-based unit indices, most varied first: ordered by the variance of the layer
        (h(t) by default) over time, descending; ties by the lower index."""
        return np.argsort(-self.layer(layer).var(axis=0), kind="stable")

    def line_positions(self) -> np.ndarray:
        """(T,) position of each input character in its line: 0 after a newline, then 1, 2..."""
        out = np.zeros(self.T)
        pos = 0
        for i, c in enumerate(self.input_chars()):
            out[i] = pos
            pos = 0 if c == "\n" else pos + 1
        return out

    def unit_correlations(self, feature: np.ndarray, layer: str = "h") -> np.ndarray:
        """(H,) Pearson correlation of each unit of the layer (h(t) by default) with
        ``feature`` (T,) over time; 0 for a constant unit or feature."""
        values = self.layer(layer)
        h = values - values.mean(axis=0)  # (T, H)
        f = np.asarray(feature, dtype=np.float64) - np.mean(feature)  # (T,)
        denom = np.sqrt((h * h).sum(axis=0) * (f @ f))  # (H,)
        with np.errstate(all="ignore"):
            r = (f @ h) / denom
        return np.where(denom > 0, r, 0.0)

    # Health ------------------------------------------------------------------------
    def first_non_finite(self) -> str | None:
        """Where the first NaN or infinity sits (e.g. ``'dL_dh at t=3'``), or None."""
        forward = [p.name for p in self.spec.parts if not p.backward]
        backward = [p.name for p in self.spec.parts if p.backward]
        for key in (*forward, "h", "o", "yhat", "losses", "dL_do", "dL_dh", *backward):
            arr = self.parts[key] if key in self.parts else getattr(self, key)
            bad = ~np.isfinite(arr)
            if bad.any():
                t = int(np.argwhere(bad)[0][0]) + 1
                return f"{key} at t={t}"
        for name, g in self.grads.items():
            if not np.all(np.isfinite(g)):
                return f"gradient of {name}"
        return None


def state_totals(err: dict, inside: dict) -> dict:
    """The whole error at every state of one step: h's is what reached it from outside the
    step (``err``); another state's, ``dL_d{p}``, is among the cell's own (``inside``)."""
    return {p: v if p == "h" else inside[f"dL_d{p}"] for p, v in err.items()}


def cell_step(trace: Trace, t: int) -> dict:
    """Everything a one-step cell diagram shows at step ``t`` (1-based), read from ``trace``.

    Beside ``trace.step(t)``: ``gates`` and ``gate_errors`` by name, ``h_prev`` and what goes
    back to h(t-1) (``to_h_prev``); for every other state (the LSTM's cell) its value at
    t - 1 (``cell_prev``) and what goes back to it (``to_cell_prev`` = dL/dcell(t) * f(t));
    and what the cell adds of its own (the GRU's ``direct`` = z(t) * dL/dh(t), the part of
    that error which skips the gates). ``error_scale`` is the largest error magnitude shown,
    for one colour scale across the step.
    """
    step = trace.step(t)  # checks 1 <= t <= T
    i = t - 1
    out = dict(step)
    out["h_prev"] = trace.h_prev[i]
    out["gates"] = {name: step[f"gate_{name}"] for name in trace.gate_names}
    out["gate_errors"] = {name: step[f"dL_dpre_{name}"] for name in trace.gate_names}
    out["to_h_prev"] = trace.dL_dh_from_next[i - 1] if t > 1 else trace.dL_dh0
    shown = [step["dL_dh"], step["dL_dh_from_output"], step["dL_dh_from_next"],
             out["to_h_prev"], *out["gate_errors"].values()]
    for p in trace.start:
        out[f"{p}_prev"] = trace.previous(p)[i]
        sent = trace.parts[f"dL_d{p}_from_next"]
        out[f"to_{p}_prev"] = sent[i - 1] if t > 1 else trace.start_errors[p]
        shown += [step[f"dL_d{p}"], step[f"dL_d{p}_from_h"], step[f"dL_d{p}_from_next"],
                  out[f"to_{p}_prev"]]
    own = trace.spec.diagram_values(trace, i, step)
    out.update(own)
    shown += list(own.values())
    finite = np.abs(np.concatenate(shown))
    finite = finite[np.isfinite(finite)]
    out["error_scale"] = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    if trace.vocabulary is not None:
        out["x_char"] = trace.vocabulary.chars[int(trace.input_ids()[i])]
        out["target_char"] = trace.vocabulary.chars[step["target"]]
    return out
