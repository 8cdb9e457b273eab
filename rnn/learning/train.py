"""Training on a text, the min-char-rnn loop: windows of K characters, one update per window.

The same loop trains every registered cell (``TrainConfig.cell``): every state the cell
declares (h, the LSTM's cell state...) is carried from window to window.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rnn.cells import CELLS, Params, get_cell
from rnn.config import RNNConfig
from rnn.data import Vocabulary, one_hot
from rnn.engine import run
from rnn.errors import UnrolledError
from rnn.learning.optim import Optimizer
from rnn.learning.truncated import final_states
from rnn.limits import MAX_VOCAB, Diverged, check_range
from rnn.network import NetworkParams, NetworkTrace, Shape, init_network, run_network
from rnn.params import init_cell_params, init_params


@dataclass(frozen=True)
class TrainConfig:
    """Defaults are min-char-rnn's: hidden 100, windows of 25, Adagrad lr 0.1, clip 5."""

    hidden: int = 100  # H
    window: int = 25  # K, steps per truncated-BPTT window
    iterations: int = 2000  # windows to train on (parameter updates)
    method: str = "adagrad"  # "adagrad" or "sgd"
    lr: float = 0.1
    clip: float | None = 5.0  # None for no clipping
    clip_mode: str = "value"  # "value" (element-wise) or "norm" (global norm)
    seed: int = 0  # initialisation and sampling
    init_scale: float = 0.01  # simple RNN only; the gated cells are drawn as torch draws them
    cell: str = "rnn"  # any registered cell: "rnn", "lstm", "gru", "peephole"...
    forget_bias: float | None = None  # added to a forget gate's bias at initialisation (LSTMs)
    num_layers: int = 1  # stacked layers (rnn.network); every layer's states are carried
    sample_every: int = 500  # iterations between samples; 0 for none
    sample_length: int = 200  # characters per sample

    def __post_init__(self):
        """A forget bias not given is the cell's default (``rnn.cells.lstm.FORGET_BIAS``), so a
        checkpoint records the bias it was initialised with."""
        if self.forget_bias is None and self.cell in CELLS:
            object.__setattr__(self, "forget_bias", CELLS[self.cell].init_option("forget_bias"))


@dataclass
class TrainResult:
    params: Params
    vocabulary: Vocabulary
    smooth_loss: float
    iterations: int
    losses: list[float]  # loss of each window, in order


def sample(params: Params, state: dict, seed_index: int, n: int, rng: np.random.Generator):
    """Draw ``n`` character indices from the model of any cell, starting after ``seed_index``
    from the states ``state``, by name (every state the cell declares).

    Each step is a one-step pass of the recording engine (its backward pass is not used):
    the cell's equations live in one place.
    """
    idx, out = seed_index, []
    for _ in range(n):
        x = np.zeros((1, params.input_size))
        x[0, idx] = 1.0
        step = _run(params, x, np.zeros(1, dtype=np.int64), state)
        state = _final(step)
        idx = int(rng.choice(params.output_size, p=step.yhat[0]))
        out.append(idx)
    return out


def train(
    text: str,
    cfg: TrainConfig,
    on_progress: Callable[[int, float], None] | None = None,
    on_sample: Callable[[int, str], None] | None = None,
) -> TrainResult:
    """Train a fresh model on ``text``.

    Raises UnrolledError for bad settings, and its subclass Diverged if the run overflows.
    """
    if len(text) < cfg.window + 1:
        raise UnrolledError(
            f"the text has {len(text)} characters; "
            f"training needs more than the window ({cfg.window})"
        )
    for name in ("hidden", "window", "iterations", "seed", "init_scale", "lr", "sample_every",
                 "forget_bias"):
        check_range(name, getattr(cfg, name))
    spec = get_cell(cfg.cell)
    if cfg.clip is not None:
        check_range("clip", cfg.clip)
    vocabulary = Vocabulary.from_text(text)
    if len(vocabulary) > MAX_VOCAB:
        raise UnrolledError(f"the text has {len(vocabulary)} distinct characters; "
                            f"at most {MAX_VOCAB} are accepted")
    data = vocabulary.encode(text)
    V = len(vocabulary)
    check_range("num_layers", cfg.num_layers)
    if cfg.num_layers > 1:  # a stack: each layer initialised as the cell alone is
        options = ({"init_scale": cfg.init_scale} if spec.takes_config else
                   {"forget_bias": cfg.forget_bias} if "forget_bias" in spec.init_options
                   else {})
        params = init_network(spec, Shape(cfg.num_layers), V, cfg.hidden, V, cfg.seed,
                              **options)
    elif spec.takes_config:
        params = init_params(RNNConfig(V, cfg.hidden, V, cfg.seed, cfg.init_scale), cfg.cell)
    else:
        params = init_cell_params(cfg.cell, V, cfg.hidden, V, cfg.seed,
                                  forget_bias=cfg.forget_bias)
    opt = Optimizer(cfg.method, cfg.lr, cfg.clip, cfg.clip_mode)
    rng = np.random.default_rng(cfg.seed)
    smooth = -math.log(1.0 / V) * cfg.window  # the loss of a uniform guess
    losses = []
    def fresh() -> dict:
        one = {name: np.zeros(cfg.hidden) for name in spec.states}
        if cfg.num_layers > 1:
            return {slot: dict(one) for slot in params.shape.slots}
        return one

    p, state = 0, fresh()
    for n in range(cfg.iterations):
        if p + cfg.window + 1 > len(data):
            # back to the start of the text with fresh states
            p, state = 0, fresh()
        inputs, targets = data[p : p + cfg.window], data[p + 1 : p + cfg.window + 1]
        trace = _run(params, one_hot(inputs, V), targets, state)
        loss = trace.loss
        bad = trace.first_non_finite()
        if bad:
            raise Diverged(
                f"training diverged at iteration {n + 1}: {bad} is not finite "
                "(exploding gradients); lower --lr or set --clip"
            )
        params = opt.step(params, trace.grads).params_after
        if not all(np.all(np.isfinite(v)) for v in params.as_dict().values()):
            raise Diverged(f"training diverged at iteration {n + 1}: the updated parameters "
                           "overflow; lower --lr or set --clip")
        state = _final(trace)
        p += cfg.window
        losses.append(loss)
        smooth = smooth * 0.999 + loss * 0.001
        if on_progress:
            on_progress(n + 1, smooth)
        if on_sample and cfg.sample_every and (n + 1) % cfg.sample_every == 0:
            drawn = sample(params, state, inputs[0], cfg.sample_length, rng)
            on_sample(n + 1, vocabulary.decode(drawn))
    return TrainResult(params, vocabulary, smooth, cfg.iterations, losses)


def _run(params, X, y, state):
    """One pass of a one-layer model (``rnn.engine.run``) or a stack (``run_network``)."""
    if isinstance(params, NetworkParams):
        return run_network(params, X, y, state)
    return run(params, X, y, state)


def _final(trace) -> dict:
    """Every state after the last step: by name, or {(layer, direction): by name}."""
    if isinstance(trace, NetworkTrace):
        return {slot: final_states(tr) for slot, tr in trace.layers.items()}
    return final_states(trace)
