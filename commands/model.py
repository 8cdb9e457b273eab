"""The options that choose a model and its update, shared by the commands that build a Trace."""

from __future__ import annotations

import dataclasses
import functools
import sys
from pathlib import Path

import click
import numpy as np

from commands.common import InputError, ranged
from rnn import DEFAULT_TEXT, Optimizer, get_cell
from rnn.cells import CELLS, cell_names
from rnn.limits import MAX_TEXT, MAX_VOCAB
from rnn.spec import ModelSpec


MODEL_KEYS = ("text", "hidden", "seed", "init_scale", "vocab", "weights", "radius", "parts",
              "num_layers", "bidirectional", "label", "classes")


def model_options(f):
    """The options that choose a model and its data, passed to ``f`` as one ``ModelSpec`` (the
    lecture files' too); ``given`` holds the options typed on the command line."""
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
                     help="Checkpoint (.npz from `unrolled train`) to take the weights from, or "
                          "a model trained in PyTorch (.safetensors) or Keras (.keras)."),
        click.option("--radius", type=ranged("radius"), default=None,
                     help="Rescale W to this spectral radius (e.g. 0.5 vanishes, 1.8 explodes)."),
        click.option("--parts", default=None,
                     help="A .safetensors file's parts when ambiguous: "
                          "recurrent=PREFIX,embedding=PREFIX,head=PREFIX."),
        click.option("--layers", "old_parts", default=None, hidden=True,
                     help="The old spelling of --parts."),
        click.option("--num-layers", type=ranged("num_layers"), default=1, show_default=True,
                     help="Stacked recurrent layers (torch's num_layers): layer l+1 reads "
                          "layer l's h(t)."),
        click.option("--bidirectional", is_flag=True, default=False,
                     help="Read the text both ways: a second direction from the end, its h "
                          "beside the first's (torch's bidirectional)."),
        click.option("--label", default=None,
                     help="One label per sequence: the text's class (one of --classes); every "
                          "character is an input and the loss is read after the last step."),
        click.option("--classes", default=None,
                     help="The class names for --label, separated by commas: pos,neg."),
    ]

    @functools.wraps(f)
    def wrapper(**kwargs):
        ctx = click.get_current_context()
        old = kwargs.pop("old_parts")
        if old is not None:  # the parts of a file, not a layer count: renamed, still read
            if kwargs["parts"] is not None:
                raise InputError("--layers is the old spelling of --parts; give one of them")
            click.echo("Note: --layers is now --parts (the parts of a .safetensors file); "
                       "--num-layers sets how many layers are stacked.", err=True)
            kwargs["parts"] = old
        given = frozenset(k for k in MODEL_KEYS if ctx.get_parameter_source(k)
                          == click.core.ParameterSource.COMMANDLINE)
        given |= {"parts"} if old is not None else set()
        model = ModelSpec(**{k: kwargs.pop(k) for k in MODEL_KEYS}, given=given)
        if model.parts is not None and not model.imported:
            raise InputError("--parts names the parts of a .safetensors model (--weights)")
        if "cell" in kwargs and model.imported:  # the cell is the file's
            from rnn.imports.model import parse_layer_names
            from rnn.imports.weights import resolve_cell

            told = ctx.get_parameter_source("cell") == click.core.ParameterSource.COMMANDLINE
            kwargs["cell"] = resolve_cell(model.weights, kwargs["cell"], told,
                                          parse_layer_names(model.parts))
        return f(model=model, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def update_options(f):
    """How the parameters are updated after a (truncated) pass."""
    options = [
        click.option("--window", type=ranged("window"), default=None,
                     help="Truncated BPTT: windows of this many steps, one update per window "
                          "with a loss (with --label, only the last window has one)."),
        click.option("--optimizer", type=click.Choice(["sgd", "adagrad"]), default="sgd",
                     show_default=True, help="Parameter update rule."),
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
        click.option("--cell", type=click.Choice(cell_names()), default="rnn",
                     show_default=True,
                     help="The recurrent cell: simple RNN, LSTM or GRU (torch's layout)."),
        click.option("--forget-bias", type=ranged("forget_bias"), default=None,
                     help="LSTM: added to the forget gate's bias at initialisation (default 1, "
                          "as every scene: errors last longer, Jozefowicz et al. 2015; "
                          "0 is torch's)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


FLAGS = {"init_scale": "--init-scale", "radius": "--radius", "forget_bias": "--forget-bias"}


def refuse_init_options(cell: str, given: dict[str, bool]) -> None:
    """One line for an initialisation option the cell does not take (``given``: option ->
    whether the user typed it)."""
    spec = get_cell(cell)
    for key, typed in given.items():
        if typed and key not in spec.init_options:
            takers = [name for name, c in CELLS.items() if key in c.init_options]
            raise InputError(f"{FLAGS[key]} applies to --cell {' or '.join(takers)}, not {cell}")


def check_model(model: ModelSpec) -> None:
    """The command line's own refusals of a model's options, in its flags' words."""
    if not model.text:
        raise InputError("--text is empty; give at least two characters")
    if len(model.text) > MAX_TEXT:
        raise InputError(f"--text has {len(model.text)} characters; at most {MAX_TEXT}")
    if model.vocab is not None and len(model.vocab) > MAX_VOCAB:
        raise InputError(f"--vocab has {len(model.vocab)} characters; at most {MAX_VOCAB}")
    if model.imported and model.radius is not None:
        raise InputError("--radius rescales W of a checkpoint from `unrolled train`; a "
                         "framework's model is drawn as it was trained")


def build_model(model: ModelSpec, cell: str = "rnn", forget_bias: float | None = None):
    """A TextModel of cell ``cell`` (a framework's file: its own); options that do not apply to
    the cell are refused with one line."""
    if forget_bias is not None and model.imported:
        raise InputError("--forget-bias sets the initialisation; with --weights the file's "
                         "weights are used")
    refuse_init_options(cell, {"forget_bias": forget_bias is not None,
                               **{k: k in model.given for k in ("radius", "init_scale")}})
    if forget_bias is not None and model.weights is not None:
        raise InputError("--forget-bias sets the initialisation; with --weights the "
                         "checkpoint's weights are used")
    check_model(model)
    return dataclasses.replace(model, cell=cell, forget_bias=forget_bias).text_model()


def build_traces(model: ModelSpec, window, optimizer, lr, clip, clip_mode,
                 as_json: bool = False, cell: str = "rnn", forget_bias: float | None = None,
                 full_errors: bool = False):
    """A trace (full BPTT) or a list of window traces (truncated), with their updates.

    With ``as_json``, the memory of writing the JSON counts in the size check too, and with
    ``full_errors`` the simple RNN's T x T x H error vectors.
    """
    text_model = build_model(model, cell, forget_bias)
    text_model.check_size(window, as_json, full_errors)
    opt = Optimizer(optimizer, lr, clip, clip_mode)
    return text_model.windows(window, opt) if window else text_model.trace(opt)


def report_non_finite(traces) -> None:
    """Exploding values are recorded as they are, then reported as one line with exit status 1."""
    for i, trace in enumerate(traces if isinstance(traces, list) else [traces]):
        where = trace.first_non_finite()
        if not where and trace.update is not None:
            after = trace.update.params_after
            where = next((f"updated parameter {n}" for n, v in after.as_dict().items()
                          if not np.all(np.isfinite(v))), None)
        if where:
            click.echo(
                f"Error: non-finite values (overflow or NaN) in {where}"
                f"{f' of window {i + 1}' if isinstance(traces, list) else ''}: "
                "exploding activations or gradients; try a smaller --init-scale or --lr, or --clip",
                err=True,
            )
            sys.exit(1)


def refuse_network(traces, what: str, instead: str) -> None:
    """One line when ``traces`` are a stacked, two-way or one-label network's and ``what``
    draws one-layer models only (``instead``: what draws it)."""
    from rnn.network import NetworkTrace

    first = traces[0] if isinstance(traces, list) else traces
    if isinstance(first, NetworkTrace):
        raise InputError(f"{what} draws one-layer, one-way models with a loss at every step; "
                         f"this is a {first.shape.words() or '1-layer'}"
                         f"{' one-label' if first.shape.task == 'last' else ''} network "
                         f"({instead})")
