"""The options that choose a model and its renewal, shared by the commands that build a Trace."""

from __future__ import annotations

import dataclasses
import functools
import sys
from pathlib import Path

import click
import numpy as np

from commands.common import InputError, ranged
from rnn import DEFAULT_TEXT, Optimizer, text_model
from rnn.limits import MAX_TEXT, MAX_VOCAB


@dataclasses.dataclass(frozen=True)
class ModelOptions:
    """The model options of one command, and which of them the user typed."""

    text: str
    hidden: int
    seed: int
    init_scale: float | None  # None: rnn.config.default_init_scale(hidden)
    vocab: str | None
    weights: Path | None
    radius: float | None
    given: frozenset[str]  # options set on the command line (not defaults)

    def build(self):
        """A TextModel; bad choices become one-line errors."""
        from rnn.data import Vocabulary

        if not self.text:
            raise InputError("--text is empty; give at least two characters")
        if len(self.text) > MAX_TEXT:
            raise InputError(f"--text has {len(self.text)} characters; at most {MAX_TEXT}")
        if self.vocab is not None and len(self.vocab) > MAX_VOCAB:
            raise InputError(f"--vocab has {len(self.vocab)} characters; at most {MAX_VOCAB}")
        vocabulary = Vocabulary(tuple(self.vocab)) if self.vocab else None
        return text_model(self.text, self.hidden, self.seed, self.init_scale, self.radius,
                          self.weights, vocabulary)


MODEL_KEYS = ("text", "hidden", "seed", "init_scale", "vocab", "weights", "radius")


def model_options(f):
    """The options that choose a model and its data, passed to ``f`` as one ``ModelOptions``."""
    options = [
        click.option("--text", default=DEFAULT_TEXT, show_default=True,
                     help="Text to learn: inputs are its characters, targets the next ones."),
        click.option("--hidden", type=ranged("hidden"), default=3, show_default=True,
                     help="Hidden units H."),
        click.option("--seed", type=ranged("seed"), default=0, show_default=True,
                     help="Seed of the weight initialisation (0 to 2**32 - 1)."),
        click.option("--init-scale", type=ranged("init_scale"), default=None,
                     show_default="min(0.5, 1/sqrt(H))",
                     help="Standard deviation of the initial weights (the default keeps W's "
                          "spectral radius near 1 at any H)."),
        click.option("--vocab", default=None,
                     help="Vocabulary as a string of characters (default: the text's own)."),
        click.option("--weights", type=click.Path(path_type=Path), default=None,
                     help="Checkpoint (.npz from `unrolled train`) to take the weights from."),
        click.option("--radius", type=ranged("radius"), default=None,
                     help="Rescale W to this spectral radius (e.g. 0.5 vanishes, 1.8 explodes)."),
    ]

    @functools.wraps(f)
    def wrapper(**kwargs):
        ctx = click.get_current_context()
        given = frozenset(k for k in MODEL_KEYS if ctx.get_parameter_source(k)
                          == click.core.ParameterSource.COMMANDLINE)
        model = ModelOptions(**{k: kwargs.pop(k) for k in MODEL_KEYS}, given=given)
        return f(model=model, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def update_options(f):
    """How the parameters are renewed after a (truncated) pass."""
    options = [
        click.option("--window", type=ranged("window"), default=None,
                     help="Truncated BPTT: windows of this many steps, one renewal per window."),
        click.option("--optimizer", type=click.Choice(["sgd", "adagrad"]), default="sgd",
                     show_default=True, help="Parameter renewal rule."),
        click.option("--lr", type=ranged("lr"), default=0.1, show_default=True,
                     help="Learning rate (finite, positive)."),
        click.option("--clip", type=ranged("clip"), default=None,
                     help="Clipping threshold (none by default)."),
        click.option("--clip-mode", type=click.Choice(["value", "norm"]), default="value",
                     show_default=True,
                     help="value: clip each entry; norm: rescale when the global norm exceeds it."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def cell_options(f):
    """``--cell`` and the LSTM's ``--forget-bias``, passed to ``f`` as ``cell`` and
    ``forget_bias`` (None when not given)."""
    options = [
        click.option("--cell", type=click.Choice(["rnn", "lstm", "gru"]), default="rnn",
                     show_default=True,
                     help="The recurrent cell: simple RNN, LSTM or GRU (torch's layout)."),
        click.option("--forget-bias", type=ranged("forget_bias"), default=None,
                     help="LSTM: added to the forget gate's bias at initialisation (default 0; "
                          "1 keeps errors longer, Jozefowicz et al. 2015)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def build_model(model: ModelOptions, cell: str = "rnn", forget_bias: float | None = None):
    """A TextModel (simple RNN) or a GatedTextModel; options that do not apply to the cell
    are refused with one line."""
    if forget_bias is not None and cell != "lstm":
        raise InputError(f"--forget-bias applies to --cell lstm, not {cell}")
    if cell == "rnn":
        return model.build()
    from rnn.data import Vocabulary
    from rnn.gated_model import gated_text_model

    for key, flag in (("radius", "--radius"), ("init_scale", "--init-scale")):
        if key in model.given:
            raise InputError(f"{flag} applies to the simple RNN; the {cell} is initialised as "
                             "torch does")
    if forget_bias is not None and model.weights is not None:
        raise InputError("--forget-bias sets the initialisation; with --weights the "
                         "checkpoint's weights are used")
    if not model.text:
        raise InputError("--text is empty; give at least two characters")
    if len(model.text) > MAX_TEXT:
        raise InputError(f"--text has {len(model.text)} characters; at most {MAX_TEXT}")
    if model.vocab is not None and len(model.vocab) > MAX_VOCAB:
        raise InputError(f"--vocab has {len(model.vocab)} characters; at most {MAX_VOCAB}")
    vocabulary = Vocabulary(tuple(model.vocab)) if model.vocab else None
    return gated_text_model(model.text, cell, model.hidden, model.seed, forget_bias or 0.0,
                            weights=model.weights, vocabulary=vocabulary)


def build_traces(model: ModelOptions, window, optimizer, lr, clip, clip_mode,
                 as_json: bool = False, cell: str = "rnn", forget_bias: float | None = None,
                 full_errors: bool = False):
    """A trace (full BPTT) or a list of window traces (truncated), with their renewals.

    With ``as_json``, the memory of writing the JSON counts in the size check too, and with
    ``full_errors`` the simple RNN's T x T x H error vectors.
    """
    text_model = build_model(model, cell, forget_bias)
    if cell == "rnn":
        text_model.check_size(window, as_json, full_errors)
    else:
        text_model.check_size(window, as_json)
    opt = Optimizer(optimizer, lr, clip, clip_mode)
    return text_model.windows(window, opt) if window else text_model.trace(opt)


def report_non_finite(traces) -> None:
    """Exploding values are recorded as they are, then reported as one line with exit status 1."""
    for i, trace in enumerate(traces if isinstance(traces, list) else [traces]):
        where = trace.first_non_finite()
        if not where and trace.update is not None:
            after = trace.update.params_after
            where = next((f"renewed parameter {n}" for n, v in after.as_dict().items()
                          if not np.all(np.isfinite(v))), None)
        if where:
            click.echo(
                f"Error: non-finite values (overflow or NaN) in {where}"
                f"{f' of window {i + 1}' if isinstance(traces, list) else ''}: "
                "exploding activations or gradients; try a smaller --init-scale or --lr, or --clip",
                err=True,
            )
            sys.exit(1)
