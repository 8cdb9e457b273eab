"""From user-level choices (a text, sizes, a seed, a checkpoint) to a model and its data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnn.checkpoint import load_checkpoint
from rnn.config import RNNConfig
from rnn.data import Vocabulary, char_sequence
from rnn.errors import UnrolledError
from rnn.limits import MAX_VOCAB, check_range, check_text, check_trace_size
from rnn.optim import Optimizer
from rnn.params import Params, init_params, with_spectral_radius
from rnn.trace import Trace
from rnn.truncated import run_truncated, run_update

DEFAULT_TEXT = "hello"  # the classic next-character example


@dataclass
class TextModel:
    """A model and the next-character data of one text."""

    config: RNNConfig
    params: Params
    vocabulary: Vocabulary
    text: str
    X: np.ndarray  # (T, D) one-hot inputs
    y: np.ndarray  # (T,) target indices

    def trace(self, optimizer: Optimizer | None = None, h0: np.ndarray | None = None) -> Trace:
        """One full BPTT pass and one renewal of the parameters (SGD lr 0.1 by default)."""
        self.check_size()
        trace = run_update(self.params, self.X, self.y, h0, optimizer or Optimizer())
        return self._label(trace)

    def windows(self, window: int, optimizer: Optimizer | None = None) -> list[Trace]:
        """Truncated BPTT over windows of ``window`` steps, one renewal per window."""
        self.check_size(window)
        traces = run_truncated(self.params, self.X, self.y, window, optimizer or Optimizer())
        return [self._label(t) for t in traces]

    def check_size(self, window: int | None = None, as_json: bool = False,
                   full_errors: bool = False) -> None:
        """Refuse, before allocating, a run that would need more memory than the limit
        (``full_errors``: the T x T x H error vectors are built to be written)."""
        T, D = self.X.shape
        check_trace_size(T, self.params.hidden_size, self.params.output_size, D, window,
                         as_json, full_errors=full_errors)

    def _label(self, trace: Trace) -> Trace:
        trace.config, trace.vocabulary = self.config, self.vocabulary
        trace.extra["text"] = self.text
        return trace


def text_model(
    text: str = DEFAULT_TEXT,
    hidden: int = 3,
    seed: int = 0,
    init_scale: float | None = None,
    radius: float | None = None,
    weights: str | Path | None = None,
    vocabulary: Vocabulary | None = None,
) -> TextModel:
    """Build a deterministic model for ``text``; with ``weights``, sizes come from the checkpoint.

    Sizes beyond ``rnn.limits`` are refused before anything is allocated. ``init_scale`` None
    is ``rnn.config.default_init_scale(hidden)``.
    """
    check_text(text)
    check_range("seed", seed)  # init_scale is free: tests overflow on purpose with it
    if radius is not None:
        check_range("radius", radius)
    if vocabulary is not None and len(vocabulary) > MAX_VOCAB:
        raise UnrolledError(f"a vocabulary of {len(vocabulary)}; at most {MAX_VOCAB} characters")
    if weights is not None:
        params, vocabulary, _meta = load_checkpoint(weights)
        if radius is not None:
            params.W = with_spectral_radius(params.W, radius)
        config = RNNConfig(
            input_size=params.input_size, hidden=params.hidden_size,
            output_size=params.output_size, seed=seed, init_scale=init_scale, radius=radius,
        )
        vocabulary, X, y = char_sequence(text, vocabulary)
        return TextModel(config, params, vocabulary, text, X, y)
    check_range("hidden", hidden)
    vocabulary, X, y = char_sequence(text, vocabulary)
    if len(vocabulary) > MAX_VOCAB:
        raise UnrolledError(f"the text has {len(vocabulary)} distinct characters; "
                            f"at most {MAX_VOCAB} are accepted")
    config = RNNConfig(
        input_size=len(vocabulary), hidden=hidden, output_size=len(vocabulary),
        seed=seed, init_scale=init_scale, radius=radius,
    )
    return TextModel(config, init_params(config), vocabulary, text, X, y)
