"""Output commands: ``list``, ``render``, ``figures`` and ``slides``."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from commands.common import (
    InputError,
    check_input_files,
    check_output_file,
    check_writable,
    ranged,
)
from commands.lecture import (
    FORMAT_CHOICES,
    build_lecture,
    cell_option,
    output_options,
    scene_selection,
    selected_scenes,
    trace_cell,
)
from commands.model import model_options
from rnn.cells import DEFAULT_CELL
from scenes.output.batch import JOBS


def rnn_weights(model, cell: str | None) -> Path | None:
    """The checkpoint to check as a simple RNN's; a gated cell's is read where its cell is
    known (building the model), so it is not refused here as the wrong cell."""
    return model.weights if (cell or DEFAULT_CELL) == DEFAULT_CELL else None


@click.command("list")
def list_scenes():
    """List every scene with a one-line description."""
    from scenes.registry import SCENES

    width = max(map(len, SCENES))
    for name, info in SCENES.items():
        click.echo(f"{name:<{width}}  {info.description}")


@click.command()
@scene_selection("Render every registered scene.",
                 "low 480p15, medium 720p30, high 1080p60, 4k 2160p60 (default: low).")
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), default=None,
              help="Video format, or png for the last frame (default: mp4).")
@click.option("--transparent", is_flag=True,
              help="Transparent background, for overlays on slides (mov, webm or png).")
@click.option("--constant-rate", is_flag=True,
              help="Write every frame at the frame rate (for editors that need it); by default "
                   "a picture that holds still is stored once, for as long as it holds.")
@output_options("Folder for the rendered files.")
@click.option("--shard", default=None,
              help="I/N: render only the I-th of N slices of the scene list (for job arrays).")
def render(scenes, all_scenes, model, cell, pace, voice, captions, theme, values, trace_file,
           config, steps, window, clip, unit, layer, path, drawing, quality, fmt, transparent,
           constant_rate, out, jobs, shard):
    """Render scenes (or a lecture file) to video files drawn from a real Trace."""
    from scenes.output.batch import parse_shard, render_jobs
    from scenes.output.batch import shard as take_shard

    check_input_files(rnn_weights(model, cell), trace_file, config)  # before manim loads
    names = selected_scenes(scenes, all_scenes, config)
    cell = trace_cell(trace_file, cell, names)
    check_writable(out)  # before any trace is computed
    if transparent and (fmt or "mp4") in ("mp4", "gif"):
        raise InputError(f"--transparent needs --format mov, webm or png, not {fmt or 'mp4'}")
    lecture = build_lecture(names, model,
                            {"window": window, "steps": steps, "clip": clip, "unit": unit,
                             "layer": layer, "path": path, "drawing": drawing},
                            theme, values, quality, fmt, trace_file, config,
                            {"pace": pace, "voice": voice, "captions": captions}, cell)
    check_voice(lecture)
    all_jobs = [dataclasses.replace(j, transparent=transparent,
                                    constant_rate=constant_rate or j.constant_rate)
                for j in lecture.jobs()]
    if shard:
        i, n = parse_shard(shard)
        all_jobs = take_shard(all_jobs, i, n)
        if not all_jobs:
            click.echo(f"shard {i}/{n} holds no scene; nothing to render")
            return
    results = render_jobs(all_jobs, n_jobs=jobs, out_dir=out, progress=True)
    for files in results.values():
        for path in files:
            click.echo(f"wrote {path}")


def check_voice(lecture) -> None:
    """With a voice, its cache folder is checked like an output folder, before any work."""
    if lecture.voice:
        from scenes.beats.voice import check_cache

        check_cache()  # an UnrolledError: one line, exit status 2


@click.command()
@model_options
@cell_option
@click.option("--theme", type=click.Choice(["dark", "light"]), default="light", show_default=True,
              help="Colour theme (light for print).")
@click.option("--trace", "trace_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None,
              help="Draw a saved simple-RNN Trace (JSON or .npz from `unrolled trace --json`).")
@click.option("--config", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A lecture file (TOML) giving the model.")
@click.option("--format", "formats", default="png,svg,pdf", show_default=True,
              help="Comma-separated formats among png, svg, pdf.")
@click.option("--width", type=int, default=2400, show_default=True,
              help="Width in pixels (PNG) or nominal pixels at 96 dpi (SVG, PDF); 320..8000.")
@click.option("--only", multiple=True, help="Only this figure (repeatable); see the README table.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("media/figures"), show_default=True, help="Folder for the figures.")
@click.option("--jobs", type=ranged(JOBS), default=None,
              help="Figures drawn in parallel processes (default: the number of cores).")
@click.option("--html", is_flag=True,
              help="Also write NAME.html: a ready <figure> with the alt text and the caption.")
def figures(model, cell, theme, trace_file, config, formats, width, only, out, jobs, html):
    """Write the article's figures as print stills (PNG, SVG, PDF) from real numbers, each
    with its description (alt text) inside and in NAME.alt.txt."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from scenes.output.figures import check_request, make_figures

    check_input_files(rnn_weights(model, cell), trace_file, config)
    cell = trace_cell(trace_file, cell)
    fmts = [f.strip() for f in formats.split(",") if f.strip()]
    chosen = check_request(fmts, width, only, html)
    if cell is not None and cell != DEFAULT_CELL:
        from scenes.output.figures import figure_refusal

        refused = [f for f in chosen if figure_refusal(f, cell, model.shaped)]
        if only and refused:
            raise InputError(f"figure {refused[0].name!r}: "
                             f"{figure_refusal(refused[0], cell, model.shaped)}")
        chosen = [f for f in chosen if f not in refused]  # the figures of that cell
    check_writable(out)
    lecture = build_lecture([], model, {}, theme, None, None, None, trace_file, config,
                            cell=cell)
    lecture = dataclasses.replace(lecture, theme=theme)
    if lecture.model.shaped or trace_file is not None:  # a network: the figures that draw it
        from rnn.network import NetworkTrace
        from scenes.output.figures import figure_shape_refusal

        trace = lecture.model.build_trace()
        if isinstance(trace, NetworkTrace):
            refused = [f for f in chosen if figure_shape_refusal(f, lecture.model, trace)]
            if only and refused:
                raise InputError(f"figure {refused[0].name!r}: "
                                 f"{figure_shape_refusal(refused[0], lecture.model, trace)}")
            chosen = [f for f in chosen if f not in refused]
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), transient=True) as progress:
        task = progress.add_task("Drawing figures", total=len(chosen))
        paths = make_figures(lecture, out, fmts, width, chosen, n_jobs=jobs,
                             on_done=lambda fig, _: progress.advance(task), html=html)
    for path in paths:
        click.echo(f"wrote {path}")


def _reveal_url(ctx, param, value: str | None) -> str | None:
    """A --reveal-url that is safe to write into the page, or a one-line error."""
    from rnn.errors import UnrolledError
    from scenes.output.slides import check_reveal_url

    try:
        return None if value is None else check_reveal_url(value)
    except UnrolledError as err:
        raise InputError(str(err)) from None


@click.command()
@scene_selection("One deck of every registered scene.",
                 "Video quality of the slides (default: low, or the lecture file's).")
@click.option("--to", "to", type=click.Choice(["pptx", "html"]), multiple=True,
              default=("pptx",), show_default=True,
              help="PowerPoint/LibreOffice deck, or reveal.js HTML; repeat it for both "
                   "(the scenes are rendered once).")
@click.option("--one-file", is_flag=True,
              help="html: embed the videos and reveal.js in the one HTML file.")
@click.option("--reveal-url", default=None, callback=_reveal_url,
              help="html: load reveal.js from this URL instead of the deck's own copy.")
@click.option("--name", default=None,
              help="File name of the deck (default: the lecture file's, or the scene names).")
@output_options("Folder for the deck.")
def slides(scenes, all_scenes, model, cell, pace, voice, captions, theme, values, trace_file,
           config, steps, window, clip, unit, layer, path, drawing, to, quality, one_file, reveal_url,
           name, out, jobs):
    """Build a slide deck: one slide per beat, the beat's narration as speaker notes."""
    from scenes.output.slides import lecture_deck

    check_input_files(rnn_weights(model, cell), trace_file, config)
    names = selected_scenes(scenes, all_scenes, config)
    cell = trace_cell(trace_file, cell, names)
    check_writable(out)
    lecture = build_lecture(names, model,
                            {"window": window, "steps": steps, "clip": clip, "unit": unit,
                             "layer": layer, "path": path, "drawing": drawing},
                            theme, values, quality, None, trace_file, config,
                            {"pace": pace, "voice": voice, "captions": captions}, cell)
    check_voice(lecture)
    if config is None:
        lecture = dataclasses.replace(lecture, path=Path(name or "-".join(names)), title="unrolled")
    elif name:
        lecture = dataclasses.replace(lecture, path=Path(name))
    formats = tuple(dict.fromkeys(to))  # in the order given, each once
    for fmt in formats:  # the decks: never over a FIFO or a device
        check_output_file(out / f"{lecture.path.stem}.{fmt}")
    options = {"one_file": one_file, "reveal_url": reveal_url} if "html" in formats else {}
    decks = lecture_deck(lecture, to=formats, out_dir=out, n_jobs=jobs, progress=True, **options)
    for deck in decks:
        click.echo(f"wrote {deck}")
