"""unrolled's command line: parse, validate, build a config, call ``rnn`` and ``scenes``."""

from __future__ import annotations

import dataclasses
import functools
import sys
from pathlib import Path

import click

from rnn import DEFAULT_TEXT, Optimizer, UnrolledError, text_model
from rnn import trace_json

POSITIVE_INT = click.IntRange(min=1)
POSITIVE_FLOAT = click.FloatRange(min=0, min_open=True)


class InputError(click.ClickException):
    """Bad input: one line on stderr, exit status 2."""

    exit_code = 2


class OneLineErrors(click.Group):
    """A group whose errors are one clear line (no usage block, no traceback)."""

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(130)
        except click.ClickException as exc:
            click.echo(f"Error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code if isinstance(exc, InputError) else 2)
        except UnrolledError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)
        sys.exit(rv if isinstance(rv, int) else 0)


@dataclasses.dataclass(frozen=True)
class ModelOptions:
    """The model options of one command, and which of them the user typed."""

    text: str
    hidden: int
    seed: int
    init_scale: float
    vocab: str | None
    weights: Path | None
    radius: float | None
    given: frozenset[str]  # options set on the command line (not defaults)

    def build(self):
        """A TextModel; bad choices become one-line errors."""
        from rnn.data import Vocabulary

        if not self.text:
            raise InputError("--text is empty; give at least two characters")
        vocabulary = Vocabulary(tuple(self.vocab)) if self.vocab else None
        return text_model(self.text, self.hidden, self.seed, self.init_scale, self.radius,
                          self.weights, vocabulary)


MODEL_KEYS = ("text", "hidden", "seed", "init_scale", "vocab", "weights", "radius")


def model_options(f):
    """The options that choose a model and its data, passed to ``f`` as one ``ModelOptions``."""
    options = [
        click.option("--text", default=DEFAULT_TEXT, show_default=True,
                     help="Text to learn: inputs are its characters, targets the next ones."),
        click.option("--hidden", type=POSITIVE_INT, default=3, show_default=True,
                     help="Hidden units H."),
        click.option("--seed", type=int, default=0, show_default=True,
                     help="Seed of the weight initialisation."),
        click.option("--init-scale", type=POSITIVE_FLOAT, default=0.5, show_default=True,
                     help="Standard deviation of the initial weights."),
        click.option("--vocab", default=None,
                     help="Vocabulary as a string of characters (default: the text's own)."),
        click.option("--weights", type=click.Path(path_type=Path), default=None,
                     help="Checkpoint (.npz from `unrolled train`) to take the weights from."),
        click.option("--radius", type=POSITIVE_FLOAT, default=None,
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
        click.option("--window", type=POSITIVE_INT, default=None,
                     help="Truncated BPTT: windows of this many steps, one renewal per window."),
        click.option("--optimizer", type=click.Choice(["sgd", "adagrad"]), default="sgd",
                     show_default=True, help="Parameter renewal rule."),
        click.option("--lr", type=POSITIVE_FLOAT, default=0.1, show_default=True,
                     help="Learning rate."),
        click.option("--clip", type=POSITIVE_FLOAT, default=None,
                     help="Clipping threshold (none by default)."),
        click.option("--clip-mode", type=click.Choice(["value", "norm"]), default="value",
                     show_default=True,
                     help="value: clip each entry; norm: rescale when the global norm exceeds it."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def build_traces(model: ModelOptions, window, optimizer, lr, clip, clip_mode):
    """A Trace (full BPTT) or a list of window Traces (truncated), with their renewals."""
    text_model = model.build()
    opt = Optimizer(optimizer, lr, clip, clip_mode)
    return text_model.windows(window, opt) if window else text_model.trace(opt)


def report_non_finite(traces) -> None:
    """Exploding values are recorded as they are, then reported as one line with exit status 1."""
    for i, trace in enumerate(traces if isinstance(traces, list) else [traces]):
        where = trace.first_non_finite()
        if where:
            click.echo(
                f"Error: non-finite values (overflow or NaN) in {where}"
                f"{f' of window {i + 1}' if isinstance(traces, list) else ''}: "
                "exploding activations or gradients; try a smaller --init-scale or --lr, or --clip",
                err=True,
            )
            sys.exit(1)


def _vec(v) -> str:
    return "[" + " ".join(f"{x:+.3f}" for x in v) + "]"


def print_trace(traces) -> None:
    """Per-step table of activations and errors, then the gradient totals, for each (window) trace."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    traces = traces if isinstance(traces, list) else [traces]
    for i, tr in enumerate(traces):
        chars = tr.vocabulary.chars if tr.vocabulary else None
        window = tr.extra.get("window")
        title = f"window {i + 1}: steps {window['start']}..{window['stop']}" if window else "trace"
        table = Table(title=f"{title}, loss {tr.loss:.6f}", title_justify="left")
        for col in ("t", "x", "y", "h(t)", "yhat(y)", "L(t)", "dL/dh from o(t)",
                    "dL/dh from h(t+1)", "dL/da(t)"):
            table.add_column(col, justify="right" if col in ("t", "L(t)", "yhat(y)") else "left")
        for t in range(1, tr.T + 1):
            s = tr.step(t)
            x = repr(chars[int(s["x"].argmax())]) if chars else _vec(s["x"])
            y = repr(chars[s["target"]]) if chars else str(s["target"])
            table.add_row(str(t), x, y, _vec(s["h"]), f"{s['yhat'][s['target']]:.4f}",
                          f"{s['loss']:.4f}", _vec(s["dL_dh_from_output"]),
                          _vec(s["dL_dh_from_next"]), _vec(s["dL_da"]))
        console.print(table)
        grads = Table(title="gradient totals (sum over t of per-step contributions)",
                      title_justify="left")
        grads.add_column("param")
        grads.add_column("gradient")
        grads.add_column("after renewal" if tr.update else "")
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


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="unrolled")
def cli():
    """unrolled: see how recurrent networks learn, with real numbers."""


# Engine commands -------------------------------------------------------------------------
@cli.command()
@model_options
@update_options
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the whole Trace as JSON (see the README for the format).")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
def trace(model, window, optimizer, lr, clip, clip_mode, json_path, quiet):
    """Run forward and BPTT once and print every activation, error and gradient."""
    traces = build_traces(model, window, optimizer, lr, clip, clip_mode)
    if json_path:
        try:
            trace_json.save(json_path, traces)
        except OSError as err:
            raise InputError(f"cannot write {json_path}: {err.strerror}") from None
    if not quiet:
        print_trace(traces)
        if json_path:
            click.echo(f"wrote {json_path}")
    report_non_finite(traces)


@cli.command()
@model_options
def gradcheck(model):
    """Compare BPTT's gradients with central finite differences; fail above 1e-6."""
    from rnn.gradcheck import gradient_check

    built = model.build()
    errors = gradient_check(built.params, built.X, built.y)
    worst = max(errors.values())
    for name, err in errors.items():
        click.echo(f"{name:>3}  max relative error {err:.3e}  {'ok' if err <= 1e-6 else 'FAIL'}")
    if not worst <= 1e-6:  # NaN fails too
        click.echo(f"Error: gradient check failed (worst {worst:.3e} > 1e-6)", err=True)
        sys.exit(1)


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--hidden", type=POSITIVE_INT, default=100, show_default=True, help="Hidden units.")
@click.option("--window", type=POSITIVE_INT, default=25, show_default=True,
              help="Characters per truncated-BPTT window.")
@click.option("--iterations", type=POSITIVE_INT, default=2000, show_default=True,
              help="Windows to train on (one parameter renewal each).")
@click.option("--optimizer", type=click.Choice(["sgd", "adagrad"]), default="adagrad",
              show_default=True, help="Parameter renewal rule.")
@click.option("--lr", type=POSITIVE_FLOAT, default=0.1, show_default=True, help="Learning rate.")
@click.option("--clip", type=POSITIVE_FLOAT, default=5.0, show_default=True,
              help="Clipping threshold.")
@click.option("--clip-mode", type=click.Choice(["value", "norm"]), default="value",
              show_default=True, help="value: clip each entry; norm: clip the global norm.")
@click.option("--seed", type=int, default=0, show_default=True, help="Initialisation and sampling seed.")
@click.option("--init-scale", type=POSITIVE_FLOAT, default=0.01, show_default=True,
              help="Standard deviation of the initial weights.")
@click.option("--sample-every", type=click.IntRange(min=0), default=500, show_default=True,
              help="Print a sample every N iterations (0: never).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Checkpoint to write (default: FILE with suffix .npz in media/).")
def train(file, hidden, window, iterations, optimizer, lr, clip, clip_mode, seed, init_scale,
          sample_every, out):
    """Train on a text file (min-char-rnn style) and save a checkpoint for --weights."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from rnn.checkpoint import save_checkpoint
    from rnn.train import TrainConfig
    from rnn.train import train as run_training

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read {file} as UTF-8 text: {err}") from None
    out = out or Path("media") / f"{file.stem}.npz"
    if not out.parent.is_dir():
        raise InputError(f"folder {out.parent} does not exist")
    cfg = TrainConfig(hidden=hidden, window=window, iterations=iterations, method=optimizer, lr=lr,
                      clip=clip, clip_mode=clip_mode, seed=seed, init_scale=init_scale,
                      sample_every=sample_every)
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
    meta = {"text_file": file.name, "iterations": iterations, "smooth_loss": result.smooth_loss,
            **{k: v for k, v in cfg.__dict__.items()}}
    save_checkpoint(out, result.params, result.vocabulary, meta)
    click.echo(f"smooth loss {result.smooth_loss:.4f} after {iterations} iterations")
    click.echo(f"wrote {out}")


# Rendering -----------------------------------------------------------------------------
QUALITY_CHOICES = ["low", "medium", "high", "4k"]
FORMAT_CHOICES = ["mp4", "webm", "gif", "mov", "png"]
SCENE_FLAGS = ("window", "steps", "clip", "radius")  # per-scene options given on the command line


def render_options(f):
    """Output choices shared by render, slides and figures."""
    options = [
        click.option("--theme", type=click.Choice(["dark", "light"]), default=None,
                     help="Colour theme (default: dark, or the lecture file's)."),
        click.option("--values/--no-values", default=None,
                     help="Print each neuron's value inside it (default: colours only)."),
        click.option("--trace", "trace_file", type=click.Path(dir_okay=False, path_type=Path),
                     default=None, help="Draw a saved Trace (JSON from `unrolled trace --json`)."),
        click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path),
                     default=None, help="A lecture file (TOML): model, theme, quality, scenes."),
        click.option("--steps", type=POSITIVE_INT, default=None,
                     help="truncated: length of the sequence (default 12)."),
        click.option("--window", type=POSITIVE_INT, default=None,
                     help="truncated: steps per window (default 4)."),
        click.option("--clip", type=POSITIVE_FLOAT, default=None,
                     help="clipping: gradient-norm threshold (default 1.0)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def selected_scenes(names: tuple[str, ...], all_scenes: bool, config) -> list[str]:
    from scenes.registry import SCENES

    if config is not None:
        if names or all_scenes:
            raise InputError("give either --config or scene names, not both")
        return []
    if all_scenes:
        if names:
            raise InputError("give either --all or scene names, not both")
        return list(SCENES)
    if not names:
        raise InputError("name at least one scene (see `unrolled list`), or use --all or --config")
    unknown = [n for n in names if n not in SCENES]
    if unknown:
        raise InputError(f"unknown scene {unknown[0]!r}; known scenes: {', '.join(SCENES)}")
    return list(names)


def build_lecture(names, model: ModelOptions, scene_flags: dict, theme, values, quality, fmt, trace_file,
                  config):
    """A Lecture from a lecture file, or from the command line's scenes and options."""
    from scenes.lecture_file import (Lecture, ModelSpec, SceneEntry, load_lecture,
                                     scene_options)

    if config is not None:
        lecture = load_lecture(config)
        overrides = {"theme": theme} if theme else {}
        if quality:
            overrides["quality"] = quality
        if fmt:
            overrides["format"] = fmt
        if values is not None:
            overrides["scenes"] = tuple(
                SceneEntry(e.name, {**e.options, "values": values}) for e in lecture.scenes)
        return dataclasses.replace(lecture, **overrides)
    if {"vocab", "init_scale"} & model.given:
        raise InputError("--vocab and --init-scale apply to `trace`; scenes use the defaults")
    if trace_file is None:
        model.build()  # validate the model options now: one clear line before rendering
    spec = ModelSpec(text=model.text, hidden=model.hidden, seed=model.seed, radius=None,
                     weights=model.weights, trace=trace_file,
                     given=model.given & {"text", "hidden", "seed"})
    entries = []
    for name in names:
        accepted = scene_options(name)
        opts = {k: v for k, v in scene_flags.items() if v is not None and k in accepted}
        if model.radius is not None:
            if "radius" in accepted:
                opts["radius"] = model.radius
            else:
                spec = dataclasses.replace(spec, radius=model.radius)
        if values:
            opts["values"] = True
        entries.append(SceneEntry(name, opts))
    unused = [f"--{k}" for k, v in scene_flags.items()
              if v is not None and not any(k in scene_options(n) for n in names)]
    if unused:
        raise InputError(f"{unused[0]} does not apply to {', '.join(names)}")
    return Lecture(path=Path("command line"), title="unrolled", model=spec,
                   scenes=tuple(entries), theme=theme or "dark", quality=quality or "low",
                   format=fmt or "mp4")


@cli.command("list")
def list_scenes():
    """List every scene with a one-line description."""
    from scenes.registry import SCENES

    width = max(map(len, SCENES))
    for name, info in SCENES.items():
        click.echo(f"{name:<{width}}  {info.description}")


@cli.command()
@click.argument("scenes", nargs=-1)
@click.option("--all", "all_scenes", is_flag=True, help="Render every registered scene.")
@model_options
@render_options
@click.option("-q", "--quality", type=click.Choice(QUALITY_CHOICES), default=None,
              help="low 480p15, medium 720p30, high 1080p60, 4k 2160p60 (default: low).")
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), default=None,
              help="Video format, or png for the last frame (default: mp4).")
@click.option("--transparent", is_flag=True,
              help="Transparent background, for overlays on slides (mov, webm or png).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("media"),
              show_default=True, help="Folder for the rendered files.")
@click.option("--jobs", type=POSITIVE_INT, default=None,
              help="Scenes rendered in parallel processes (default: the number of cores).")
@click.option("--shard", default=None,
              help="I/N: render only the I-th of N slices of the scene list (for job arrays).")
def render(scenes, all_scenes, model, theme, values, trace_file, config, steps, window, clip,
           quality, fmt, transparent, out, jobs, shard):
    """Render scenes (or a lecture file) to video files drawn from a real Trace."""
    from scenes.batch import parse_shard, render_jobs, shard as take_shard

    names = selected_scenes(scenes, all_scenes, config)
    if transparent and (fmt or "mp4") in ("mp4", "gif"):
        raise InputError(f"--transparent needs --format mov, webm or png, not {fmt or 'mp4'}")
    lecture = build_lecture(names, model, {"window": window, "steps": steps, "clip": clip},
                            theme, values, quality, fmt, trace_file, config)
    all_jobs = [dataclasses.replace(j, transparent=transparent) for j in lecture.jobs()]
    if shard:
        i, n = parse_shard(shard)
        all_jobs = take_shard(all_jobs, i, n)
        if not all_jobs:
            click.echo(f"shard {i}/{n} holds no scene; nothing to render")
            return
    check_writable(out)
    results = render_jobs(all_jobs, n_jobs=jobs, out_dir=out, progress=True)
    for files in results.values():
        for path in files:
            click.echo(f"wrote {path}")


@cli.command()
@model_options
@click.option("--theme", type=click.Choice(["dark", "light"]), default="light", show_default=True,
              help="Colour theme (light for print).")
@click.option("--trace", "trace_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Draw a saved Trace (JSON from `unrolled trace --json`).")
@click.option("--config", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A lecture file (TOML) giving the model.")
@click.option("--format", "formats", default="png,svg,pdf", show_default=True,
              help="Comma-separated formats among png, svg, pdf.")
@click.option("--width", type=int, default=2400, show_default=True,
              help="Width in pixels (PNG) or nominal pixels at 96 dpi (SVG, PDF); 320..8000.")
@click.option("--only", multiple=True, help="Only this figure (repeatable); see the README table.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("media/figures"), show_default=True, help="Folder for the figures.")
@click.option("--jobs", type=POSITIVE_INT, default=None,
              help="Figures drawn in parallel processes (default: the number of cores).")
def figures(model, theme, trace_file, config, formats, width, only, out, jobs):
    """Write the article's figures as print stills (PNG, SVG, PDF) from real numbers."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
    from rich.progress import TimeElapsedColumn

    from scenes.figures import check_request, make_figures

    fmts = [f.strip() for f in formats.split(",") if f.strip()]
    chosen = check_request(fmts, width, only)
    lecture = build_lecture([], model, {}, theme, None, None, None, trace_file, config)
    lecture = dataclasses.replace(lecture, theme=theme)
    check_writable(out)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), transient=True) as progress:
        task = progress.add_task("Drawing figures", total=len(chosen))
        paths = make_figures(lecture, out, fmts, width, chosen, n_jobs=jobs,
                             on_done=lambda fig, _: progress.advance(task))
    for path in paths:
        click.echo(f"wrote {path}")


@cli.command()
@click.argument("scenes", nargs=-1)
@click.option("--all", "all_scenes", is_flag=True, help="One deck of every registered scene.")
@model_options
@render_options
@click.option("--to", "to", type=click.Choice(["pptx", "html"]), default="pptx",
              show_default=True, help="PowerPoint/LibreOffice deck, or reveal.js HTML.")
@click.option("-q", "--quality", type=click.Choice(QUALITY_CHOICES), default=None,
              help="Video quality of the slides (default: low, or the lecture file's).")
@click.option("--one-file", is_flag=True, help="html: embed the videos in the one HTML file.")
@click.option("--reveal-url", default=None,
              help="html: where reveal.js is served from (a local copy for offline use).")
@click.option("--name", default=None,
              help="File name of the deck (default: the lecture file's, or the scene names).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("media"),
              show_default=True, help="Folder for the deck.")
@click.option("--jobs", type=POSITIVE_INT, default=None,
              help="Scenes rendered in parallel processes (default: the number of cores).")
def slides(scenes, all_scenes, model, theme, values, trace_file, config, steps, window, clip,
           to, quality, one_file, reveal_url, name, out, jobs):
    """Build a slide deck: one slide per beat, the beat's narration as speaker notes."""
    from scenes.slides import lecture_deck

    names = selected_scenes(scenes, all_scenes, config)
    lecture = build_lecture(names, model, {"window": window, "steps": steps, "clip": clip},
                            theme, values, quality, None, trace_file, config)
    if config is None:
        lecture = dataclasses.replace(lecture, path=Path(name or "-".join(names)), title="unrolled")
    elif name:
        lecture = dataclasses.replace(lecture, path=Path(name))
    check_writable(out)
    options = {"one_file": one_file, "reveal_url": reveal_url} if to == "html" else {}
    deck = lecture_deck(lecture, to=to, out_dir=out, n_jobs=jobs, progress=True, **options)
    click.echo(f"wrote {deck}")


def check_writable(folder: Path) -> None:
    """Fail early, with one line, if ``folder`` cannot receive files."""
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.NamedTemporaryFile(dir=folder, prefix=".unrolled-probe-").close()
    except OSError as err:
        raise InputError(f"cannot write to {folder}: {err.strerror}") from None


def main() -> None:
    cli(prog_name="unrolled")


if __name__ == "__main__":
    main()
