"""The simple RNN of Goodfellow et al., *Deep Learning*, section 10.2, as a cell::

    a(t) = b + W h(t-1) + U x(t)        h(t) = tanh(a(t))
    o(t) = c + V h(t)                   yhat(t) = softmax(o(t))

Backward, with dL/dh(t) the sum of its two recorded parts::

    dL/dh(t) = V^T dL/do(t) + W^T dL/da(t+1)        dL/da(t) = tanh'(a(t)) * dL/dh(t)

``SimpleRNN(relu)`` is the same cell with h(t) = max(a(t), 0), as torch's
``nn.RNN(nonlinearity="relu")``.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from rnn.cells.base import Cell, Part, Sum
from rnn.errors import UnrolledError
from rnn.spectral import with_spectral_radius


class SimpleRNN(Cell):
    """h(t) = tanh(b + W h(t-1) + U x(t)); with ``relu=True``, max(., 0) instead of tanh."""

    states = ("h",)
    param_names = ("U", "W", "V", "b", "c")
    recurrent = "W"
    table_states = ()
    table_errors = (("dL/da(t)", "dL_da"),)
    parts = (Part("a"), Part("dL_da", backward=True))
    columns = ("x", "a", "h", "o", "yhat", "loss", "dL_do", "dL_dh", "dL_dh_from_output",
               "dL_dh_from_next", "dL_da")
    layout = "U is (H, D), W (H, H), V (K, H), b (H,), c (K,)"
    init_options = ("init_scale", "radius")
    takes_config = True
    full_errors = True
    equations = "a(t) = b + W h(t−1) + U x(t)      h(t) = tanh(a(t))      o(t) = c + V h(t)"
    links = MappingProxyType({"U": ("x", "h"), "W": ("h", "h"), "V": ("h", "o")})
    # Goodfellow et al., section 10.2, in Typst maths; {{ ... : name }} names a term the
    # scenes colour (a parameter of ``links``, or a part of the sum)
    typeset = MappingProxyType({
        "a": "{{ a(t) : lhs }} = {{ b : b }} + {{ W h(t-1) : W }} + {{ U x(t) : U }}",
        "h": "{{ h(t) : lhs }} = tanh({{ a(t) : a }})",
        "o": "{{ o(t) : lhs }} = {{ c : c }} + {{ V h(t) : V }}",
        "dL_dh": ("{{ (partial L)/(partial h(t)) : lhs }} = "
                  "{{ V^T (partial L)/(partial o(t)) : out }} + "
                  "{{ W^T [(1 - h(t+1)^2) dot.o (partial L)/(partial h(t+1))] : next }}"),
        "dL_da": ("{{ (partial L)/(partial a(t)) : lhs }} = "
                  "(1 - h(t)^2) dot.o {{ (partial L)/(partial h(t)) : term }}"),
        "grad": "{{ nabla_W L : lhs }} = sum_t {{ (partial L)/(partial a(t)) h(t-1)^T : term }}",
        "update": "{{ W : lhs }} <- W - {{ eta : lr }} {{ nabla_W L : grad }}",
    })
    # with ReLU, h(t) = max(a(t), 0) and its derivative is 1 where a(t) > 0
    RELU_TYPESET = MappingProxyType({
        "h": "{{ h(t) : lhs }} = max({{ a(t) : a }}, 0)",
        "dL_dh": ("{{ (partial L)/(partial h(t)) : lhs }} = "
                  "{{ V^T (partial L)/(partial o(t)) : out }} + "
                  "{{ W^T [bold(1)_(a(t+1) > 0) dot.o (partial L)/(partial h(t+1))] : next }}"),
        "dL_da": ("{{ (partial L)/(partial a(t)) : lhs }} = "
                  "bold(1)_(a(t) > 0) dot.o {{ (partial L)/(partial h(t)) : term }}"),
    })
    anatomy = ("the same small network copied once per time step, inputs at the bottom, "
               "hidden units in the middle, outputs on top")
    step_words = "the input and the previous hidden state, through U and W, give h({t})"
    first_step_words = "the input, through U, gives h({t})"
    gradient_equations = ("∇U = Σ_t ∂L/∂a(t) x(t)ᵀ      ∇W = Σ_t ∂L/∂a(t) h(t−1)ᵀ      "
                          "∇b = Σ_t ∂L/∂a(t)      ∇V = Σ_t ∂L/∂o(t) h(t)ᵀ      "
                          "∇c = Σ_t ∂L/∂o(t)")

    def __init__(self, relu: bool = False, name: str | None = None) -> None:
        self.relu = relu
        self.name = name or ("rnn-relu" if relu else "rnn")
        self.title = "simple RNN (ReLU)" if relu else "simple RNN"
        self.called = f"a {self.title}"
        if relu:
            self.typeset = MappingProxyType({**self.typeset, **self.RELU_TYPESET})
            self.equations = self.equations.replace("tanh(a(t))", "max(a(t), 0)")

    @property
    def shape_prefix(self) -> str:
        return "" if self.name == "rnn" else f"{self.name} "

    @property
    def sums(self):
        return {"h": Sum("a", ("b", "W h@p", "U x"), "relu" if self.relu else "tanh")}

    # Declarations --------------------------------------------------------------------
    def param_shapes(self, D, H, K):
        return {"U": (H, D), "W": (H, H), "V": (K, H), "b": (H,), "c": (K,)}

    def sizes(self, arrays):
        H, D = arrays["U"].shape if arrays["U"].ndim == 2 else (-1, -1)
        K = arrays["V"].shape[0] if arrays["V"].ndim == 2 else -1
        return D, H, K

    def init(self, D, H, K, seed, init_scale=0.5, radius=None, **options):
        """Weights ~ N(0, init_scale^2) from ``seed``, biases zero; W rescaled to spectral
        radius ``radius`` if given."""
        if options:
            raise UnrolledError(f"the {self.title} takes no {', '.join(options)}")
        rng = np.random.default_rng(seed)
        with np.errstate(over="ignore"):
            U = rng.standard_normal((H, D)) * init_scale
            W = rng.standard_normal((H, H)) * init_scale
            V = rng.standard_normal((K, H)) * init_scale
        if not all(np.all(np.isfinite(m)) for m in (U, W, V)):
            raise UnrolledError(f"init_scale {init_scale:g} overflows float64; choose a smaller one")
        if radius is not None:
            W = with_spectral_radius(W, radius)
        return {"U": U, "W": W, "V": V, "b": np.zeros(H), "c": np.zeros(K)}

    def activation(self, a: np.ndarray) -> np.ndarray:
        return np.maximum(a, 0.0) if self.relu else np.tanh(a)

    def slope(self, a: np.ndarray, h: np.ndarray) -> np.ndarray:
        """dh/da: 1 - h^2 for tanh, 1 where a > 0 for ReLU."""
        return (a > 0).astype(np.float64) if self.relu else 1.0 - h * h

    # Forward ---------------------------------------------------------------------------
    def begin_forward(self, params, X, rec):
        T, H = len(X), params.hidden_size
        rec["a"] = np.empty((T, H))
        return {"Ux": X @ params.U.T}  # (T, H), U x(t) for every t

    def step(self, params, ctx, rec, t, prev):
        a = rec["a"]
        a[t] = params.b + params.W @ prev["h"] + ctx["Ux"][t]
        rec["h"][t] = self.activation(a[t])

    # Backward --------------------------------------------------------------------------
    def begin_backward(self, params, rec, state0):
        return {"dh_da": self.slope(rec["a"], rec["h"])}

    def back_step(self, params, back, t, err):
        dL_da = err["h"] * back["dh_da"][t]  # (..., H)
        return {"dL_da": dL_da}, {"h": dL_da @ params.W}  # W^T dL/da(t), one row per term

    def input_errors(self, trace):
        return trace.dL_da @ trace.params.U  # U^T dL/da(t) for every t

    def row_norms(self, rows):
        # einsum, as the documents written so far took these norms: their bits stay the same
        return np.sqrt(np.einsum("sh,sh->s", rows, rows))

    def step_jacobian(self, trace, t):
        dh_da = self.slope(trace.a[t], trace.h[t])  # (H,)
        return dh_da[:, None] * trace.params.W  # diag(dh/da(t)) W

    # Gradients -------------------------------------------------------------------------
    def factors(self, trace, name):
        table = {"W": (trace.dL_da, trace.h_prev), "U": (trace.dL_da, trace.X),
                 "V": (trace.dL_do, trace.h), "b": trace.dL_da, "c": trace.dL_do}
        if name not in table:
            raise KeyError(f"unknown parameter {name!r}; expected one of {self.param_names}")
        return table[name]

    def grads(self, trace):
        # Each matrix is summed step by step, in the order ``contributions(name).sum(axis=0)``
        # adds, so the total equals the sum of the drawn contributions bit for bit, while
        # holding one matrix rather than T of them (1000 steps x 256 units: 2 MB, not 520 MB).
        out = {}
        with np.errstate(all="ignore"):
            for name in ("W", "U", "V"):
                left, right = self.factors(trace, name)
                total = np.outer(left[0], right[0])
                for t in range(1, trace.T):
                    total += np.outer(left[t], right[t])
                out[name] = total
            out["b"] = trace.dL_da.sum(axis=0)
            out["c"] = trace.dL_do.sum(axis=0)
        return {name: out[name] for name in self.param_names}

    def config_doc(self, trace):
        return trace.config.to_dict() if trace.config else None
