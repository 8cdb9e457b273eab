"""The cell interface: what a recurrent cell declares, and the parameters it owns.

A cell is data plus one step each way (as Keras' ``layers.RNN(cell)`` and flax's cells): its
name, its parameters and their shapes, its states (h; or h and the LSTM's cell state, which
are also the paths an error travels back along), its gates, its initialisation, one step
forward and one step backward. Everything that walks through time (``rnn.engine``: forward,
BPTT, the errors by source; truncation, gradcheck, training, sampling) is written once
against it. Arrays are 0-based: index ``t`` holds time step t + 1 of the equations.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType, SimpleNamespace

import numpy as np

from rnn.cells.registry import get_cell
from rnn.errors import UnrolledError


@dataclass(frozen=True)
class Part:
    """A per-step array a cell records, beside h and the errors every cell has.

    ``blocks`` is True for a (T, G, H) array of gate blocks (written per gate name), False for
    a (T, H) array. ``backward`` parts are errors, filled by the backward pass.
    """

    name: str
    blocks: bool = False
    backward: bool = False


@dataclass(frozen=True)
class Sum:
    """How a drawn value is written with the numbers put in: ``terms`` add up to the recorded
    ``total`` (a part, or the value itself), and ``fn`` of the total is the value.

    A term is factors joined by `` * ``, each a gate, a state or a recorded part at step t
    (``cell@p``: at t-1), a parameter's entry (``b_ih``: the drawn gate's block; ``P[2]``: its
    block 2) or ``1-z`` / ``tanh(cell)`` of one; or a matrix times a vector, ``W_hh h@p``.
    """

    total: str
    terms: tuple[str, ...]
    fn: str = ""  # "", "tanh", "sigmoid" or "relu"


class Cell:
    """One recurrent cell. Subclasses fill in the declarations and the step methods (four,
    and ``end_backward`` where some errors are left to compute once every step is done)."""

    name: str = ""  # the --cell value, "rnn", "lstm", "gru"
    title: str = ""  # how the README and the screen call it
    article: str = "an"  # "an lstm", "a gru": how a message names one
    called: str = ""  # "a simple RNN", "an LSTM": how a sentence names one
    gates: tuple[str, ...] = ()  # gate blocks in torch's order
    states: tuple[str, ...] = ("h",)  # the states carried step to step: the error paths
    param_names: tuple[str, ...] = ()  # the cell's own parameters, then V and c (the head)
    parts: tuple[Part, ...] = ()  # what it records per step, beside h (and the states)
    columns: tuple[str, ...] = ()  # the document's step keys, in order (see rnn.traces.document)
    layout: str = ""  # the shapes in words, for error messages
    table_states: tuple[tuple[str, str], ...] = ()  # the trace table's columns after h(t)
    table_errors: tuple[tuple[str, str], ...] = ()  # and after the two parts of dL/dh(t)
    recurrent: str = ""  # the parameter that carries h(t-1) into step t ("W", "W_hh")
    keep_gate: str = ""  # the gate scaling what a state keeps from step to step (f, z)
    # gate -> the states it reads beside x(t) and h(t-1) (a peephole), written as a Sum's
    # factors: "cell@p" is cell(t-1), "cell" is cell(t); a chain draws one connection for each
    gate_reads = MappingProxyType({})
    init_options: tuple[str, ...] = ()  # the initialisation options ``init`` takes
    init_defaults = MappingProxyType({})  # their defaults where not 0 (the LSTM's forget bias)
    takes_config: bool = False  # built from an ``RNNConfig`` (sizes, init scale, radius)
    full_errors: bool = False  # its documents may carry the vectors dL(s)/dh(t), when small
    # How the pictures put the cell in words (screen text and captions), so a new cell is
    # drawn and narrated without a scene naming it; {t}, {p} and {n} stand for t, t-1, t+1.
    equations: str = ""  # one step's forward equations, one line
    error_equations: str = "∂L/∂h(t) = from L(t) + from h(t+1)"  # how its errors add up
    anatomy: str = ""  # where an unfolded step's gates and states sit
    step_words: str = ""  # what one forward step does
    first_step_words: str = ""  # what step 1 does, where it differs (no previous state drawn)
    # the gradients as sums over time of each step's contribution (one line)
    gradient_equations: str = "∇θ = Σ_t (the contribution of step t to θ)"
    state_words = MappingProxyType({"h": "h"})  # how a sentence names each state
    # each state's error: its two recorded parts and how a readout labels them
    error_parts = MappingProxyType({"h": (("dL_dh_from_output", "from L({t}): "),
                                          ("dL_dh_from_next", "+ from h({n}): "))})
    carry_words = MappingProxyType({})  # state -> what its error carries back, beside h's
    # parameter -> (from, to) layer of the connections drawn for it when its units are drawn
    # as neurons ("x", "h", "o"; from h to h: one step later), lit up as a step runs through it
    links = MappingProxyType({})
    # its equations in Typst maths for the article's band above neurons, by role: "a", "h",
    # "o" (forward), "dL_dh", "dL_da" (errors), "grad", "update"; none: lines of text instead
    typeset = MappingProxyType({})
    # each gate and state as a sum of recorded terms (the page's tooltips), by its name
    sums = MappingProxyType({})

    # Declarations --------------------------------------------------------------------
    def param_shapes(self, D: int, H: int, K: int) -> dict[str, tuple[int, ...]]:
        """The shape of every parameter for input size D, H hidden units and K outputs."""
        raise NotImplementedError

    def sizes(self, arrays: dict[str, np.ndarray]) -> tuple[int, int, int]:
        """(D, H, K) read off parameter arrays (before their shapes are checked)."""
        raise NotImplementedError

    def init(self, D: int, H: int, K: int, seed: int, **options) -> dict[str, np.ndarray]:
        """Initial parameter arrays, deterministic from ``seed``."""
        raise NotImplementedError

    def init_option(self, name: str, given: float | None = None) -> float:
        """``given``, or else this cell's default for the initialisation option ``name`` (0 for
        an option it does not take): the one default every command and scene starts from."""
        return float(self.init_defaults.get(name, 0.0) if given is None else given)

    # One step each way -----------------------------------------------------------------
    def begin_forward(self, params: Params, X: np.ndarray, rec: dict) -> dict:
        """Allocate the recorded parts in ``rec`` and do the work of all steps at once that
        needs no recurrence (the input part: one matmul); returns the loop's context."""
        raise NotImplementedError

    def step(self, params: Params, ctx: dict, rec: dict, t: int, prev: dict) -> None:
        """Step t forward: from the states ``prev`` (h(t-1), ...) write ``rec[...][t]``,
        the new states included."""
        raise NotImplementedError

    def begin_backward(self, params: Params, rec: dict, state0: dict) -> dict:
        """The local derivatives of every step at once, and the cell's error arrays."""
        raise NotImplementedError

    def back_step(self, params: Params, back: dict, t: int,
                  err: dict) -> tuple[dict, dict]:
        """Step t backward, written once for one loss term and for many at once.

        ``err`` holds, for every state, the error that reached it from outside step t (h's
        from L(t) and step t + 1, another state's from step t + 1): one (H,) vector each for
        one loss term, or (S, H) rows for S loss terms at once. Returns ``(inside, sent)``:
        ``inside`` the errors within step t by the names of the cell's backward parts (every
        other state p's total ``dL_d{p}`` and its part through h, ``dL_d{p}_from_h``; the
        pre-activations'), each (..., H) or (..., G, H); ``sent`` what reaches the states of
        step t - 1, one array per state.
        """
        raise NotImplementedError

    def end_backward(self, params: Params, rec: dict, back: dict) -> None:
        """What is left once every step is done (errors with no recurrence left in them)."""

    def grads(self, trace) -> dict[str, np.ndarray]:
        """Total gradients of every parameter: sums over t of the per-step contributions."""
        raise NotImplementedError

    def factors(self, trace, name: str):
        """Parameter ``name``'s contribution of every step: (left, right) whose outer product
        per step is the contribution, or one (T, n) array for a bias."""
        raise NotImplementedError

    def input_errors(self, trace) -> np.ndarray:
        """(T, D) dL/dx(t), the error reaching each input, from the recorded errors."""
        raise NotImplementedError

    def step_input_errors(self, params: Params, back: dict, t: int, err: dict,
                          inside: dict) -> np.ndarray:
        """(S, D) what reaches x(t) from step t's errors, for (S, H) rows of errors
        (``back_step``'s ``err`` and ``inside``): ``input_errors`` a step at a time. By
        default read from ``inside``, the rows taken as the steps of a trace; a cell that
        makes the errors it needs in ``end_backward`` makes them here for one step."""
        rows = len(err["h"])
        return self.input_errors(SimpleNamespace(params=params, T=rows, **inside))

    def row_norms(self, rows: np.ndarray) -> np.ndarray:
        """(S,) L2 norms of (S, H) error rows, as numpy's ``linalg.norm`` takes them."""
        return np.sqrt(np.add.reduce(rows * rows, axis=1))

    def step_jacobian(self, trace, t: int) -> np.ndarray:
        """d h(t) / d h(t-1), (H, H), for the cells whose state is h alone."""
        raise UnrolledError(f"the {self.title} declares no one-path Jacobian")

    def config_doc(self, trace) -> dict | None:
        """The document's ``config``: what built the parameters."""
        p = trace.params
        return {"input_size": p.input_size, "hidden": p.hidden_size,
                "output_size": p.output_size, "seed": trace.extra.get("seed"),
                "forget_bias": trace.extra.get("forget_bias")}

    def column(self, trace, name: str) -> np.ndarray:
        """A document column that is not a recorded array itself (derived from one)."""
        raise KeyError(name)

    def diagram_values(self, trace, i: int, step: dict) -> dict[str, np.ndarray]:
        """Errors a one-step diagram of this cell shows beside the recorded ones (0-based i)."""
        return {}

    def read_part(self, name: str, columns: dict) -> np.ndarray:
        """A recorded part that is not a document column itself, from the columns read."""
        raise KeyError(name)

    # Derived declarations ---------------------------------------------------------------
    @property
    def shape_prefix(self) -> str:
        return f"{self.name} "
    @property
    def paths(self) -> tuple[str, ...]:
        """The paths an error travels back along: the states."""
        return self.states

    def __repr__(self) -> str:
        return f"<cell {self.name}>"


class Params:
    """A cell's parameters and its output layer (V, c): named arrays that do not depend on time.

    ``Params(U=..., W=..., V=..., b=..., c=...)`` is the simple RNN's; ``Params("lstm",
    W_ih=..., ...)`` another cell's. Each array is an attribute (``params.W``); shapes are
    checked against the cell's declaration.
    """

    def __init__(self, cell: str | Cell = "rnn", **arrays: np.ndarray) -> None:
        spec = cell if isinstance(cell, Cell) else get_cell(cell)
        object.__setattr__(self, "spec", spec)
        missing = [n for n in spec.param_names if n not in arrays]
        unknown = [n for n in arrays if n not in spec.param_names]
        if missing or unknown:
            raise UnrolledError(f"{spec.name} parameters are {', '.join(spec.param_names)}; "
                                f"missing {missing}, unknown {unknown}")
        values = {n: np.asarray(arrays[n], dtype=np.float64) for n in spec.param_names}
        D, H, K = spec.sizes(values)
        want = spec.param_shapes(D, H, K)
        for name, shape in want.items():
            if values[name].shape != shape or min(shape) <= 0:
                raise UnrolledError(
                    f"{spec.shape_prefix}parameter {name} has shape {values[name].shape}, "
                    f"expected {shape} ({spec.layout})")
        object.__setattr__(self, "_arrays", values)

    def __getattr__(self, name: str) -> np.ndarray:
        arrays = self.__dict__.get("_arrays", {})
        if name in arrays:
            return arrays[name]
        raise AttributeError(f"{self.__dict__.get('spec')} parameters have no {name!r}")

    def __setattr__(self, name: str, value) -> None:
        if name not in self._arrays:
            raise AttributeError(f"{self.spec.name} parameters have no {name!r}")
        self._arrays[name] = np.asarray(value, dtype=np.float64)

    def __eq__(self, other) -> bool:
        return (isinstance(other, Params) and other.spec is self.spec
                and all(np.array_equal(a, other._arrays[n]) for n, a in self._arrays.items()))

    def __repr__(self) -> str:
        shapes = ", ".join(f"{n}{a.shape}" for n, a in self._arrays.items())
        return f"Params({self.spec.name}: {shapes})"

    @property
    def kind(self) -> str:
        return self.spec.name

    @property
    def names(self) -> tuple[str, ...]:
        return self.spec.param_names

    @property
    def gates(self) -> tuple[str, ...]:
        return self.spec.gates

    @property
    def input_size(self) -> int:
        return self.spec.sizes(self._arrays)[0]

    @property
    def hidden_size(self) -> int:
        return self.spec.sizes(self._arrays)[1]

    @property
    def output_size(self) -> int:
        return self.spec.sizes(self._arrays)[2]

    def block(self, name: str, gate: str) -> np.ndarray:
        """Gate ``gate``'s block of a stacked parameter, as a view (writes go through)."""
        k, H = self.gates.index(gate), self.hidden_size
        return self._arrays[name][k * H:(k + 1) * H]

    def as_dict(self) -> dict[str, np.ndarray]:
        return dict(self._arrays)

    def copy(self) -> Params:
        return Params(self.spec, **{k: v.copy() for k, v in self._arrays.items()})

    def with_arrays(self, arrays: dict[str, np.ndarray]) -> Params:
        """The same cell's parameters holding ``arrays`` (an update's result)."""
        return Params(self.spec, **arrays)
