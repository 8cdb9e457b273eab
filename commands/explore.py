"""``unrolled explore``: one self-contained, interactive HTML page of a Trace."""

from __future__ import annotations

from pathlib import Path

import click

from commands.common import InputError, check_output_file
from commands.model import (
    build_traces,
    cell_options,
    model_options,
    report_non_finite,
    update_options,
)

MAX_TITLE = 200  # characters of --title: a heading, not a document
# Options that choose or run a model; with --trace the saved trace is drawn and they do not apply.
MODEL_FLAGS = ("text", "hidden", "seed", "init_scale", "vocab", "weights", "radius", "cell",
               "forget_bias", "window", "optimizer", "lr", "clip", "clip_mode", "num_layers",
               "bidirectional", "label", "classes")


def load_traces(trace_file: Path):
    """A saved trace of any cell (JSON or .npz), validated by the one trace loader."""
    from rnn.traces import files as trace_files

    return trace_files.load_any(trace_file)


@click.command()
@model_options
@cell_options
@update_options
@click.option("--trace", "trace_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None,
              help="Explore a saved Trace of any cell (JSON or .npz from `unrolled trace --json`) "
                   "instead of running a model.")
@click.option("--theme", type=click.Choice(["dark", "light"]), default="dark", show_default=True,
              help="Colour theme the page opens with (it has a switch).")
@click.option("--title", default="unrolled", show_default=True,
              help=f"Heading of the page, shown as text (at most {MAX_TITLE} characters).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("media/explore.html"),
              show_default=True, help="The HTML file to write.")
def explore(model, cell, forget_bias, window, optimizer, lr, clip, clip_mode, trace_file, theme,
            title, out):
    """Write one self-contained HTML page to explore a Trace: no network, any cell.

    The unfolded chain around a step (a scrubber moves it), every unit's recorded value and
    equation, a loss term's error travelling back, the activations and error maps, and the
    view in the URL hash for deep links. A network of stacked layers or two directions draws
    a chain per layer direction, the error of a loss term running through all of them. Open
    it from disk or put it in an <iframe>.
    """
    from explore.page import page_html
    from rnn.files.atomic import write_text_atomic

    if len(title) > MAX_TITLE:
        raise InputError(f"--title has {len(title)} characters; at most {MAX_TITLE}")
    ctx = click.get_current_context()
    if trace_file is not None:
        given = [k for k in MODEL_FLAGS if ctx.get_parameter_source(k)
                 == click.core.ParameterSource.COMMANDLINE]
        if given:
            flag = "--" + given[0].replace("_", "-")
            raise InputError(f"{flag} does not apply with --trace: the saved trace is drawn "
                             "as it was recorded")
    check_output_file(out)  # before any work: never over a device, FIFO or folder
    if trace_file is not None:
        traces = load_traces(trace_file)
    else:
        traces = build_traces(model, window, optimizer, lr, clip, clip_mode, cell=cell,
                              forget_bias=forget_bias)
    text = page_html(traces, theme=theme, title=title)
    try:
        write_text_atomic(out, text)
    except OSError as err:
        raise InputError(f"cannot write {out}: {err.strerror}") from None
    click.echo(f"wrote {out} ({len(text.encode('utf-8')) / 1e6:.2f} MB)")
    report_non_finite(traces)
