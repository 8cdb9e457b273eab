"""Engine commands: ``trace``, ``gradcheck`` and ``train``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from commands.common import InputError, check_output_file, ranged
from commands.model import (
    build_model,
    build_traces,
    cell_options,
    model_options,
    refuse_init_options,
    report_non_finite,
    update_options,
)
from rnn import get_cell
from rnn.traces import files as trace_files


def _vec(v) -> str:
    return "[" + " ".join(f"{x:+.3f}" for x in v) + "]"


def _columns(tr) -> tuple[str, ...]:
    """The per-step table's columns: every cell's, with what its cell adds around them."""
    spec = tr.spec
    return (("t", "x", "y", "h(t)") + tuple(h for h, _ in spec.table_states)
            + ("yhat(y)", "L(t)", "dL/dh from o(t)", "dL/dh from next")
            + tuple(h for h, _ in spec.table_errors))


def _row(tr, t: int, chars) -> list[str]:
    s = tr.step(t)
    spec = tr.spec
    x = repr(chars[int(tr.input_ids()[t - 1])]) if chars else _vec(s["x"])
    y = repr(chars[s["target"]]) if chars else str(s["target"])
    row = [str(t), x, y, _vec(s["h"])] + [_vec(s[k]) for _, k in spec.table_states]
    row += [f"{s['yhat'][s['target']]:.4f}", f"{s['loss']:.4f}", _vec(s["dL_dh_from_output"]),
            _vec(s["dL_dh_from_next"])]
    return row + [_vec(s[k]) for _, k in spec.table_errors]


def print_trace(traces) -> None:
    """Per-step table of activations and errors, then the gradient totals, per (window) trace."""
    from rich.console import Console
    from rich.table import Table

    from rnn.network import NetworkTrace

    console = Console()
    traces = traces if isinstance(traces, list) else [traces]
    if isinstance(traces[0], NetworkTrace):
        from commands.network_table import print_network_trace

        for i, tr in enumerate(traces):
            print_network_trace(console, tr, i if len(traces) > 1 else None)
        return
    for i, tr in enumerate(traces):
        chars = tr.vocabulary.chars if tr.vocabulary else None
        window = tr.extra.get("window")
        title = f"window {i + 1}: steps {window['start']}..{window['stop']}" if window else "trace"
        table = Table(title=f"{getattr(tr, 'kind', 'rnn')} {title}, loss {tr.loss:.6f}",
                      title_justify="left")
        for col in _columns(tr):
            table.add_column(col, justify="right" if col in ("t", "L(t)", "yhat(y)") else "left")
        for t in range(1, tr.T + 1):
            table.add_row(*_row(tr, t, chars))
        console.print(table)
        grads = Table(title="gradient totals (sum over t of per-step contributions)",
                      title_justify="left")
        grads.add_column("param")
        grads.add_column("gradient")
        grads.add_column("after the update" if tr.update else "")
        for name, g in tr.grads.items():
            after = getattr(tr.update.params_after, name, None) if tr.update else None
            rows = g if g.ndim == 2 else g[None, :]
            new_rows = after if after is None or after.ndim == 2 else after[None, :]
            grads.add_row(name, "\n".join(_vec(r) for r in rows),
                          "\n".join(_vec(r) for r in new_rows) if new_rows is not None else "")
        console.print(grads)
        if tr.update:
            u = tr.update
            console.print(f"{u.method} lr={u.lr} clip={u.clip} ({u.clip_mode}): "
                          f"gradient norm {u.grad_norm:.6f} -> {u.grad_norm_clipped:.6f}")


@click.command()
@model_options
@cell_options
@update_options
@click.option("--json", "json_path", type=click.Path(path_type=Path, allow_dash=True),
              default=None,
              help="Write the whole Trace (see the README for the format): binary if the name "
                   "ends in .npz, else JSON; - for JSON on stdout.")
@click.option("--full-errors", is_flag=True,
              help="Simple RNN: write the vectors dL(s)/dh(t) too (T x T x H floats; by default "
                   "only when that is at most 100000).")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
def trace(model, cell, forget_bias, window, optimizer, lr, clip, clip_mode, json_path,
          full_errors, quiet):
    """Run forward and BPTT once and print every activation, error and gradient."""
    to_stdout = json_path is not None and str(json_path) == "-"
    if full_errors and not get_cell(cell).full_errors:
        raise InputError(f"--full-errors writes the simple RNN's error vectors; {cell} traces "
                         "hold their norms")
    if full_errors and json_path is None:
        raise InputError("--full-errors applies to the file written by --json")
    if json_path and not to_stdout:
        check_output_file(json_path)
    as_json = json_path is not None and (to_stdout or not trace_files.is_npz(json_path))
    traces = build_traces(model, window, optimizer, lr, clip, clip_mode, as_json=as_json,
                          cell=cell, forget_bias=forget_bias, full_errors=full_errors)
    full = True if full_errors else None
    if to_stdout:
        click.echo(trace_files.dumps(traces, full_errors=full), nl=False)
        quiet = True  # the table would corrupt the JSON on standard output
        json_path = None
    if json_path:
        try:
            trace_files.save(json_path, traces, full_errors=full)
        except OSError as err:
            raise InputError(f"cannot write {json_path}: {err.strerror}") from None
    if not quiet:
        print_trace(traces)
        if json_path:
            click.echo(f"wrote {json_path}")
    report_non_finite(traces)


@click.command()
@model_options
@cell_options
def gradcheck(model, cell, forget_bias):
    """Compare BPTT's gradients with central finite differences; fail above 1e-6.

    Every parameter and initial state of the cell is checked. Sizes that could not finish in
    a few minutes are refused; big ones show a progress bar.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from rnn.learning.gradcheck import gradient_check, gradient_entries
    from rnn.limits import check_gradcheck_size

    built = build_model(model, cell, forget_bias)
    T, D = built.X.shape
    slots = len(built.shape.slots)  # each layer direction: its entries, and its steps per pass
    check_gradcheck_size(T * slots * slots, built.params.hidden_size, built.params.output_size,
                         D, cell)
    with Progress(TextColumn("finite differences"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), transient=True, disable=None) as progress:
        task = progress.add_task("gradcheck", total=gradient_entries(built.params))
        errors = gradient_check(built.params, built.X, built.y,
                       on_progress=lambda n: progress.update(task, completed=n))
    worst = max(errors.values())
    width = max(len(name) for name in errors)
    for name, err in errors.items():
        click.echo(f"{name:>{width}}  max relative error {err:.3e}  "
                   f"{'ok' if err <= 1e-6 else 'FAIL'}")
    if not worst <= 1e-6:  # NaN fails too
        click.echo(f"Error: gradient check failed (worst {worst:.3e} > 1e-6)", err=True)
        sys.exit(1)


@click.command()
@click.argument("file", type=click.Path(path_type=Path), required=False)
@click.option("--hidden", type=ranged("hidden"), default=None, show_default="100; 8 for labels",
              help="Hidden units.")
@cell_options
@click.option("--num-layers", type=ranged("num_layers"), default=1, show_default=True,
              help="Stacked recurrent layers (torch's num_layers).")
@click.option("--bidirectional", is_flag=True,
              help="Read each example both ways (with --labelled or --long-lag: a direction "
                   "reading the text's future cannot learn to predict it).")
@click.option("--labelled", is_flag=True,
              help="FILE holds one example a line, LABEL<TAB>TEXT: learn one label per text.")
@click.option("--classes", default=None,
              help="With --labelled: the class names in index order (default: the labels, "
                   "sorted).")
@click.option("--long-lag", "lag", type=ranged("lag"), default=None,
              help="Learn the built-in long-time-lag task instead of FILE: the label is the "
                   "first symbol (x or y), then this many distractors (a, b, c, d) follow.")
@click.option("--examples", type=ranged("examples"), default=200, show_default=True,
              help="With --long-lag: how many examples to draw.")
@click.option("--window", type=ranged("window"), default=25, show_default=True,
              help="Characters per truncated-BPTT window (next-character training).")
@click.option("--iterations", type=ranged("iterations"), default=2000, show_default=True,
              help="Windows (or labelled examples) to train on, one parameter update each.")
@click.option("--optimizer", type=click.Choice(["sgd", "adagrad"]), default="adagrad",
              show_default=True, help="Parameter update rule.")
@click.option("--lr", type=ranged("lr"), default=0.1, show_default=True,
              help="Learning rate (finite, positive).")
@click.option("--clip", type=ranged("clip"), default=5.0, show_default=True,
              help="Clipping threshold.")
@click.option("--clip-mode", type=click.Choice(["value", "norm"]), default="value",
              show_default=True, help="value: clip each entry; norm: clip the global norm.")
@click.option("--seed", type=ranged("seed"), default=0, show_default=True,
              help="Initialisation and sampling seed (0 to 2**32 - 1).")
@click.option("--init-scale", type=ranged("init_scale"), default=None, show_default="0.01",
              help="Standard deviation of the initial weights (simple RNN; with labels "
                   "min(0.5, 1/sqrt(H))).")
@click.option("--sample-every", type=ranged("sample_every"), default=500, show_default=True,
              help="Print a sample every N iterations (0: never).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Checkpoint to write (default: FILE with suffix .npz in media/).")
def train(file, hidden, cell, forget_bias, num_layers, bidirectional, labelled, classes, lag,
          examples, window, iterations, optimizer, lr, clip, clip_mode, seed, init_scale,
          sample_every, out):
    """Train on a text file (min-char-rnn style) and save a checkpoint for --weights.

    --cell lstm or gru trains a gated cell the same way; the checkpoint records its cell.
    --labelled learns one label per line of FILE; --long-lag learns the 1997 long-time-lag
    task (no FILE).
    """
    from rnn.files.checkpoint import save_checkpoint
    from rnn.files.safe_io import read_text
    from rnn.limits import MAX_TRAIN_FILE

    ctx = click.get_current_context()
    typed = {k for k in ctx.params if ctx.get_parameter_source(k)
             == click.core.ParameterSource.COMMANDLINE}
    refuse_init_options(cell, {"forget_bias": forget_bias is not None,
                               "init_scale": "init_scale" in typed})
    labels = labelled or lag is not None
    if (file is None) != (lag is not None):
        raise InputError("give a FILE to learn, or --long-lag N for the built-in task (not "
                         "both)")
    if not labels:
        for option in ("classes", "examples"):
            if option in typed:
                raise InputError(f"--{option} applies to --labelled or --long-lag")
        if bidirectional:
            raise InputError("--bidirectional reads each character's future: next-character "
                             "training would learn to copy it; use it with --labelled or "
                             "--long-lag")
    elif "window" in typed or "sample_every" in typed:
        raise InputError("one label per sequence is learnt a whole text at a time: --window "
                         "and --sample-every apply to next-character training")
    if lag is not None and "classes" in typed:
        raise InputError("--long-lag's classes are its first symbols, x and y")
    text = read_text(file, MAX_TRAIN_FILE, "text file") if file is not None else None
    out = out or Path("media") / (f"{file.stem}.npz" if file else f"long_lag_{cell}.npz")
    check_output_file(out)
    if labels:
        result, meta = _train_labels(text, file, lag, examples, classes, cell, hidden or 8,
                                     num_layers, bidirectional, iterations, optimizer, lr, clip,
                                     clip_mode, seed, init_scale, forget_bias)
        save_checkpoint(out, result.params, result.vocabulary, meta)
        click.echo(f"smooth loss {result.smooth_loss:.4f}, accuracy {result.accuracy:.2f} "
                   f"over the last 100 examples, after {iterations} examples")
        click.echo(f"wrote {out}")
        return
    _train_text(text, file, out, hidden or 100, cell, forget_bias, num_layers, window,
                iterations, optimizer, lr, clip, clip_mode, seed,
                0.01 if init_scale is None else init_scale, sample_every)


def _train_labels(text, file, lag, examples, classes, cell, hidden, num_layers, bidirectional,
                  iterations, optimizer, lr, clip, clip_mode, seed, init_scale, forget_bias):
    """One label per sequence, from FILE's lines or the long-lag task."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from rnn.learning import classify

    if lag is not None:
        data = classify.long_lag_examples(examples, lag, seed)
        names, vocabulary = classify.LAG_CLASSES, classify.long_lag_vocabulary()
        source = {"task": "long-lag", "lag": lag, "examples": examples}
    else:
        data = classify.read_labelled(text, f"text file {file}")
        names, vocabulary = classify.labelled_classes(data, classes), None
        source = {"text_file": file.name}
    cfg = classify.ClassifyConfig(hidden=hidden, iterations=iterations, method=optimizer,
                                  lr=lr, clip=clip, clip_mode=clip_mode, seed=seed,
                                  init_scale=init_scale, cell=cell, forget_bias=forget_bias,
                                  num_layers=num_layers, bidirectional=bidirectional)
    with Progress(TextColumn("training"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"),
                  TextColumn("smooth loss {task.fields[loss]:.3f}"),
                  TextColumn("accuracy {task.fields[accuracy]:.2f}"), TimeRemainingColumn(),
                  transient=False) as progress:
        task = progress.add_task("train", total=iterations, loss=float("nan"),
                                 accuracy=float("nan"))
        result = classify.train_classifier(
            data, names, cfg, vocabulary,
            on_progress=lambda n, loss, acc: progress.update(task, completed=n, loss=loss,
                                                             accuracy=acc))
    meta = {**source, "classes": list(names), "iterations": iterations,
            "smooth_loss": result.smooth_loss, "accuracy": result.accuracy,
            **{k: v for k, v in cfg.__dict__.items()}}
    return result, meta


def _train_text(text, file, out, hidden, cell, forget_bias, num_layers, window, iterations,
                optimizer, lr, clip, clip_mode, seed, init_scale, sample_every):
    """Next-character training in windows (min-char-rnn)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from rnn.files.checkpoint import save_checkpoint
    from rnn.learning.train import TrainConfig
    from rnn.learning.train import train as run_training

    cfg = TrainConfig(hidden=hidden, window=window, iterations=iterations, method=optimizer, lr=lr,
                      clip=clip, clip_mode=clip_mode, seed=seed, init_scale=init_scale,
                      sample_every=sample_every, cell=cell, forget_bias=forget_bias,
                      num_layers=num_layers)
    with Progress(TextColumn("training"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TextColumn("smooth loss {task.fields[loss]:.3f}"), TimeRemainingColumn(),
                  console=None, transient=False) as progress:
        task = progress.add_task("train", total=iterations, loss=float("nan"))
        result = run_training(
            text, cfg,
            on_progress=lambda n, loss: progress.update(task, completed=n, loss=loss),
            on_sample=lambda n, s: progress.console.print(f"--- sample at {n} ---\n{s}\n---",
                                                          markup=False, highlight=False),
        )
    # a one-layer checkpoint's meta stays as it was before layers could be stacked
    meta = {"text_file": file.name, "iterations": iterations, "smooth_loss": result.smooth_loss,
            **{k: v for k, v in cfg.__dict__.items() if k != "num_layers" or v != 1}}
    save_checkpoint(out, result.params, result.vocabulary, meta)
    click.echo(f"smooth loss {result.smooth_loss:.4f} after {iterations} iterations")
    click.echo(f"wrote {out}")
