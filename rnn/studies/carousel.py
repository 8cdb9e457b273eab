"""The constant error carousel, measured: one long-dependency task, a simple RNN and an LSTM.

The first input is a symbol to recall (``a`` or ``b``), then noise, then a query ``?``; the
target is a blank ``.`` at every step but the last, whose target is the first symbol. Only
the last loss term L(T) depends on x(1), so the error it sends back to step 1 is what either
network would learn the dependency from.

Both networks get the same sizes, seed and task, and both are initialised as torch does
(every entry uniform in +-1/sqrt(H)); the LSTM's forget-gate bias gets ``forget_bias`` on top
(1 by default, after Jozefowicz et al. 2015). Along the LSTM's cell path the error of L(T) is
multiplied by f(t+1) at every step back; the simple RNN's by the Jacobian diag(1 - h^2) W.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnn.cells import Params
from rnn.cells.lstm import FORGET_BIAS
from rnn.config import RNNConfig
from rnn.data import Vocabulary, one_hot
from rnn.engine import run
from rnn.errors import UnrolledError
from rnn.params import init_cell_params
from rnn.trace import Trace

RECALL = "ab"  # the first input, to be recalled at the end
NOISE = "wxyz"  # what fills the steps in between
QUERY, BLANK = "?", "."  # the last input; the target of every step but the last
VOCABULARY = Vocabulary(tuple(RECALL + NOISE + QUERY + BLANK))
MIN_STEPS, MAX_STEPS = 50, 200  # a long dependency; at most what a chain can draw
PROFILES = ("rnn_error", "lstm_error", "lstm_cell_error", "forget_product", "rnn_jacobian")


def carousel_task(steps: int, seed: int) -> tuple[str, str]:
    """Inputs and targets of the task, as strings of ``steps`` characters each."""
    if isinstance(steps, bool) or not isinstance(steps, int) or not MIN_STEPS <= steps <= MAX_STEPS:
        raise UnrolledError(f"steps must be an integer in {MIN_STEPS}..{MAX_STEPS}, got {steps}")
    rng = np.random.default_rng((seed, 1))  # apart from the weights' draws of the same seed
    first = RECALL[int(rng.integers(len(RECALL)))]
    noise = "".join(NOISE[int(k)] for k in rng.integers(len(NOISE), size=steps - 2))
    return first + noise + QUERY, BLANK * (steps - 1) + first


def torch_like_rnn_params(D: int, H: int, K: int, seed: int) -> Params:
    """Simple-RNN parameters drawn as torch's ``nn.RNN`` and ``nn.Linear`` do: uniform +-1/sqrt(H).

    The same bound as the LSTM's, so the two start from weights of the same size.
    """
    rng = np.random.default_rng(seed)
    bound = 1.0 / np.sqrt(H)
    return Params(U=rng.uniform(-bound, bound, (H, D)), W=rng.uniform(-bound, bound, (H, H)),
                  V=rng.uniform(-bound, bound, (K, H)), b=rng.uniform(-bound, bound, H),
                  c=rng.uniform(-bound, bound, K))


@dataclass
class Carousel:
    """Both traces of the task and what the scene plots, every array indexed by t - 1."""

    steps: int  # T
    hidden: int  # H, the same for both networks
    seed: int
    forget_bias: float
    inputs: str  # x(1..T) as characters
    targets: str  # y(1..T)
    rnn: Trace
    lstm: Trace
    rnn_error: np.ndarray  # (T,) ||dL(T)/dh(t)||, simple RNN
    lstm_error: np.ndarray  # (T,) ||dL(T)/dh(t)||, LSTM
    lstm_cell_error: np.ndarray  # (T,) ||dL(T)/dcell(t)||, LSTM
    forget_product: np.ndarray  # (T,) mean over units of f(t+1) * ... * f(T); 1 at t = T
    rnn_jacobian: np.ndarray  # (T,) spectral norm of dh(T)/dh(t); 1 at t = T

    def profile(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(distance T - t, log10 of ``name``) for t = T, T-1, ..., 1 (-inf for an exact 0)."""
        if name not in PROFILES:
            raise UnrolledError(f"unknown profile {name!r}; known: {', '.join(PROFILES)}")
        values = getattr(self, name)[::-1]  # t = T .. 1
        with np.errstate(divide="ignore"):
            return np.arange(self.steps, dtype=float), np.log10(values)


def forget_products(forget: np.ndarray) -> np.ndarray:
    """(T,) mean over units of prod_{k=t+1..T} f(k), from the recorded gates ``forget`` (T, H)."""
    T, H = forget.shape
    running = np.ones((T, H))  # row t-1: f(t+1) * ... * f(T); the empty product at t = T
    for t in reversed(range(T - 1)):
        running[t] = running[t + 1] * forget[t + 1]
    return running.mean(axis=1)


def run_carousel(steps: int = 60, hidden: int = 8, seed: int = 0,
                 forget_bias: float = FORGET_BIAS) -> Carousel:
    """Run the task through a simple RNN and an LSTM of the same sizes and seed.

    Parameters
    ----------
    steps : T, the length of the dependency, in ``MIN_STEPS..MAX_STEPS``.
    hidden : H, units of either network.
    seed : draws the task and both networks' weights.
    forget_bias : added to the LSTM's forget-gate bias (the cell's default, 1; 0 is torch's).
    """
    if isinstance(hidden, bool) or not isinstance(hidden, int) or hidden < 1:
        raise UnrolledError(f"hidden must be a positive integer, got {hidden}")
    if isinstance(forget_bias, bool) or not isinstance(forget_bias, (int, float)) \
            or not np.isfinite(forget_bias):
        raise UnrolledError(f"forget_bias must be a finite number, got {forget_bias}")
    inputs, targets = carousel_task(steps, seed)
    D = len(VOCABULARY)
    X = one_hot(VOCABULARY.encode(inputs), D)  # (T, D)
    y = VOCABULARY.encode(targets)  # (T,)

    rnn = run(torch_like_rnn_params(D, hidden, D, seed), X, y)
    rnn.config = RNNConfig(input_size=D, hidden=hidden, output_size=D, seed=seed)
    lstm = run(init_cell_params("lstm", D, hidden, D, seed, forget_bias=float(forget_bias)), X, y)
    for trace in (rnn, lstm):
        trace.vocabulary = VOCABULARY
        trace.extra.update(text=inputs, targets=targets)

    T = steps
    return Carousel(
        steps=T, hidden=hidden, seed=seed, forget_bias=float(forget_bias),
        inputs=inputs, targets=targets, rnn=rnn, lstm=lstm,
        rnn_error=rnn.error_by_source_norms()[T - 1],
        lstm_error=lstm.error_by_source_norms()[T - 1],
        lstm_cell_error=lstm.cell_error_by_source_norms()[T - 1],
        forget_product=forget_products(lstm.gate("f")),
        rnn_jacobian=rnn.jacobian_norms()[T - 1],
    )
