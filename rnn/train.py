"""Training on a text, the min-char-rnn loop: windows of K characters, one renewal per window.

The same loop trains the simple RNN, the LSTM and the GRU (``TrainConfig.cell``): the state
carried from window to window is h, and for the LSTM the cell state too.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rnn.cells import run_cell
from rnn.config import RNNConfig
from rnn.data import Vocabulary, one_hot
from rnn.errors import UnrolledError
from rnn.gated_params import GatedParams, init_gated_params
from rnn.limits import MAX_VOCAB, Diverged, check_range
from rnn.optim import Optimizer
from rnn.params import Params, init_params


@dataclass(frozen=True)
class TrainConfig:
    """Defaults are min-char-rnn's: hidden 100, windows of 25, Adagrad lr 0.1, clip 5."""

    hidden: int = 100  # H
    window: int = 25  # K, steps per truncated-BPTT window
    iterations: int = 2000  # windows to train on (parameter renewals)
    method: str = "adagrad"  # "adagrad" or "sgd"
    lr: float = 0.1
    clip: float | None = 5.0  # None for no clipping
    clip_mode: str = "value"  # "value" (element-wise) or "norm" (global norm)
    seed: int = 0  # initialisation and sampling
    init_scale: float = 0.01  # simple RNN only; the gated cells are drawn as torch draws them
    cell: str = "rnn"  # "rnn", "lstm" or "gru"
    forget_bias: float = 0.0  # LSTM: added to the forget gate's bias at initialisation
    sample_every: int = 500  # iterations between samples; 0 for none
    sample_length: int = 200  # characters per sample


@dataclass
class TrainResult:
    params: Params | GatedParams
    vocabulary: Vocabulary
    smooth_loss: float
    iterations: int
    losses: list[float]  # loss of each window, in order


def sample_gated(params: GatedParams, h: np.ndarray, cell: np.ndarray | None, seed_index: int,
                 n: int, rng: np.random.Generator):
    """Draw ``n`` character indices from an LSTM or GRU, starting after ``seed_index``.

    Each step is a one-step pass of the recording engine (its backward pass is not used):
    the cell's equations live in one place.
    """
    idx, out = seed_index, []
    for _ in range(n):
        x = np.zeros((1, params.input_size))
        x[0, idx] = 1.0
        step = run_cell(params.kind, params, x, np.zeros(1, dtype=np.int64), h, cell)
        h, cell = step.h[0], None if step.cell is None else step.cell[0]
        idx = int(rng.choice(params.output_size, p=step.yhat[0]))
        out.append(idx)
    return out


def sample(params: Params, h: np.ndarray, seed_index: int, n: int, rng: np.random.Generator):
    """Draw ``n`` character indices from the model, starting after ``seed_index``."""
    x = np.zeros(params.input_size)
    x[seed_index] = 1.0
    out = []
    for _ in range(n):
        h = np.tanh(params.U @ x + params.W @ h + params.b)
        o = params.V @ h + params.c
        p = np.exp(o - o.max())
        p /= p.sum()
        idx = int(rng.choice(len(p), p=p))
        x = np.zeros(params.input_size)
        x[idx] = 1.0
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
    if cfg.cell not in ("rnn", "lstm", "gru"):
        raise UnrolledError(f"cell must be one of rnn, lstm, gru, got {cfg.cell!r}")
    if cfg.clip is not None:
        check_range("clip", cfg.clip)
    vocabulary = Vocabulary.from_text(text)
    if len(vocabulary) > MAX_VOCAB:
        raise UnrolledError(f"the text has {len(vocabulary)} distinct characters; "
                            f"at most {MAX_VOCAB} are accepted")
    data = vocabulary.encode(text)
    V = len(vocabulary)
    if cfg.cell == "rnn":
        params = init_params(RNNConfig(V, cfg.hidden, V, cfg.seed, cfg.init_scale))
    else:
        params = init_gated_params(cfg.cell, V, cfg.hidden, V, cfg.seed, cfg.forget_bias)
    opt = Optimizer(cfg.method, cfg.lr, cfg.clip, cfg.clip_mode)
    rng = np.random.default_rng(cfg.seed)
    smooth = -math.log(1.0 / V) * cfg.window  # the loss of a uniform guess
    losses = []
    fresh_cell = np.zeros(cfg.hidden) if cfg.cell == "lstm" else None
    p, h, cell = 0, np.zeros(cfg.hidden), fresh_cell
    for n in range(cfg.iterations):
        if p + cfg.window + 1 > len(data):
            # back to the start of the text with a fresh state
            p, h, cell = 0, np.zeros(cfg.hidden), fresh_cell
        inputs, targets = data[p : p + cfg.window], data[p + 1 : p + cfg.window + 1]
        trace = run_cell(cfg.cell, params, one_hot(inputs, V), targets, h, cell)
        loss = trace.loss
        bad = trace.first_non_finite()
        if bad:
            raise Diverged(
                f"training diverged at iteration {n + 1}: {bad} is not finite "
                "(exploding gradients); lower --lr or set --clip"
            )
        params = opt.step(params, trace.grads).params_after
        if not all(np.all(np.isfinite(v)) for v in params.as_dict().values()):
            raise Diverged(f"training diverged at iteration {n + 1}: the renewed parameters "
                           "overflow; lower --lr or set --clip")
        h = trace.h[-1]
        cell = None if cfg.cell != "lstm" else trace.cell[-1]
        p += cfg.window
        losses.append(loss)
        smooth = smooth * 0.999 + loss * 0.001
        if on_progress:
            on_progress(n + 1, smooth)
        if on_sample and cfg.sample_every and (n + 1) % cfg.sample_every == 0:
            if cfg.cell == "rnn":
                drawn = sample(params, h, inputs[0], cfg.sample_length, rng)
            else:
                drawn = sample_gated(params, h, cell, inputs[0], cfg.sample_length, rng)
            on_sample(n + 1, vocabulary.decode(drawn))
    return TrainResult(params, vocabulary, smooth, cfg.iterations, losses)
