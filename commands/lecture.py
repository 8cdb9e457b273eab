"""Scene selection and lecture building, shared by ``render``, ``slides`` and ``figures``."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from commands.common import FiniteRange, InputError, ranged
from commands.model import build_model, model_options
from rnn.cells import DEFAULT_CELL
from rnn.spec import ModelSpec
from scenes.beats.contract import CELLS, Option
from scenes.output.batch import JOBS

QUALITY_CHOICES = ["low", "medium", "high", "4k"]
FORMAT_CHOICES = ["mp4", "webm", "gif", "mov", "png"]
# Scene options render and slides take as --NAME: each goes to the selected scenes that
# declare it (``--radius``, a model option, also goes to the scenes that declare radius).
SCENE_FLAGS = ("steps", "window", "clip", "unit", "layer", "path", "drawing")


def declared(name: str) -> list[tuple[str, Option]]:
    """(scene, option) for every registered scene that declares option ``name``."""
    from scenes.registry import SCENES  # loads manim: only when a scene flag is read

    return [(scene, o) for scene, info in SCENES.items()
            for o in info.contract.options if o.name == name]


def option_type(option: Option) -> click.ParamType:
    """The click type of a declared option: its kind, range or choices."""
    if option.choices is not None:
        return click.Choice(option.choices)
    if option.range is not None:
        return ranged(option.range)
    return {int: click.INT, float: FiniteRange(), str: click.STRING}[option.kind]


class DeclaredType(click.ParamType):
    """The type of a scene flag, read from the scenes' declarations when a value comes.

    The declarations live on the scene classes, and reading them loads manim, which the
    commands that render nothing never need: so they are read only when the flag is given
    (or its help shown), not when the command line is built.
    """

    name = "declared"

    def __init__(self, flag: str):
        self.flag = flag

    def resolved(self) -> click.ParamType:
        scene, option = declared(self.flag)[0]  # the scenes that declare it agree (tested)
        return option_type(option)

    def convert(self, value, param, ctx):
        return self.resolved().convert(value, param, ctx)


class SceneFlag(click.Option):
    """``--NAME`` for scene option NAME: its help and range are the declaring scenes'."""

    def get_help_record(self, ctx):
        lazy = self.type
        self.help = "; ".join(f"{scene}: {o.help}" + ("" if o.default is None
                                                       else f" (default {o.default})")
                              for scene, o in declared(lazy.flag)) + "."
        self.type = lazy.resolved()
        try:
            return super().get_help_record(ctx)
        finally:
            self.type = lazy


def render_options(f):
    """Output choices shared by render, slides and figures."""
    options = [
        click.option("--theme", type=click.Choice(["dark", "light"]), default=None,
                     help="Colour theme (default: dark, or the lecture file's)."),
        click.option("--values/--no-values", default=None,
                     help="Print each neuron's value inside it (default: colours only)."),
        click.option("--trace", "trace_file", type=click.Path(dir_okay=False, path_type=Path),
                     default=None,
                     help="Draw a saved Trace of any cell (JSON or .npz from `unrolled trace "
                          "--json`); the scenes that draw its cell take it."),
        click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path),
                     default=None, help="A lecture file (TOML): model, theme, quality, scenes."),
        *[click.option(f"--{flag}", cls=SceneFlag, type=DeclaredType(flag), default=None)
          for flag in SCENE_FLAGS],
    ]
    for option in reversed(options):
        f = option(f)
    return f


def narration_options(f):
    """``--pace``, ``--voice`` and ``--captions``: how the beats are told (passed on as
    ``pace``, ``voice`` and ``captions``; None where the lecture file's value applies)."""
    from scenes.beats.narration import CAPTION_MODES, DEFAULT_PACE, PACE_RANGE

    options = [
        click.option("--pace", type=click.FloatRange(*PACE_RANGE), default=None,
                     help=f"Reading speed in characters a second that every beat is held for, "
                          f"{PACE_RANGE[0]:g} to {PACE_RANGE[1]:g} (default {DEFAULT_PACE:g}; "
                          "above 17 only for quick previews)."),
        click.option("--voice/--no-voice", default=None,
                     help="Narrate every beat with an offline voice (the voice extra); the "
                          "beat lasts as long as its sentence."),
        click.option("--captions", type=click.Choice(CAPTION_MODES), default=None,
                     help="side: a .srt/.vtt beside the video (default); burn: also drawn in "
                          "a band at the bottom of the frame."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def cell_option(f):
    """``--cell``: the model's cell, passed on as ``cell`` (None when not given)."""
    return click.option(
        "--cell", type=click.Choice(CELLS), default=None,
        help="The model's cell (default rnn). lstm or gru: only the scenes that draw that cell "
             "(forward, bptt, lstm-cell, gru-cell, carousel) take it; the others are "
             "refused.")(f)


def scene_selection(all_help: str, quality_help: str):
    """What ``render`` and ``slides`` share: the scenes, the model, the pictures and the quality.

    Passed on as ``scenes``, ``all_scenes``, ``model``, the ``render_options`` and ``quality``.
    """

    def decorate(f):
        f = click.option("-q", "--quality", type=click.Choice(QUALITY_CHOICES), default=None,
                         help=quality_help)(f)
        f = render_options(f)
        f = narration_options(f)
        f = cell_option(f)
        f = model_options(f)
        f = click.option("--all", "all_scenes", is_flag=True, help=all_help)(f)
        return click.argument("scenes", nargs=-1)(f)

    return decorate


def output_options(out_help: str):
    """``--out FOLDER`` (default media/) and ``--jobs N``: where files go, how many processes."""

    def decorate(f):
        f = click.option("--jobs", type=ranged(JOBS), default=None,
                         help="Scenes rendered in parallel processes (default: the number of "
                              "cores).")(f)
        return click.option("--out", type=click.Path(file_okay=False, path_type=Path),
                            default=Path("media"), show_default=True, help=out_help)(f)

    return decorate


def selected_scenes(names: tuple[str, ...], all_scenes: bool, config) -> list[str]:
    if config is not None:
        if names or all_scenes:
            raise InputError("give either --config or scene names, not both")
        return []
    from scenes.registry import SCENES  # after the lecture-file case: it loads manim

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


def trace_cell(trace_file: Path | None, cell: str | None, names=()) -> str | None:
    """The cell a command draws: a saved trace's own (a ``--cell`` that differs is refused),
    else ``--cell``. Scenes ``names`` that cannot take the trace are refused in one line, before
    any output folder is made."""
    if trace_file is None:
        return cell
    from rnn.cells import get_cell
    from rnn.traces.files import cell_of
    from scenes.output.lecture_file import cell_refusal, prepare_hook

    traced = cell_of(trace_file)
    if cell is not None and cell != traced:
        raise InputError(f"trace file {trace_file} holds {get_cell(traced).article} {traced} "
                         f"trace; --cell is {cell}")
    for name in names:
        if prepare_hook(name) is not None:
            raise InputError(f"scene {name!r} builds its own model from --text, --hidden and "
                             "--seed; --trace does not apply")
        refused = cell_refusal(name, traced, saved=True)
        if refused:
            raise InputError(refused)
    return traced


def build_lecture(names, model: ModelSpec, scene_flags: dict, theme, values, quality, fmt,
                  trace_file, config, narration: dict | None = None, cell: str | None = None):
    """A Lecture from a lecture file, or from the command line's scenes and options.

    ``narration`` holds ``pace``, ``voice`` and ``captions`` given on the command line (None:
    the lecture file's, or the defaults); ``cell`` the ``--cell`` given (None: rnn).
    """
    told = {k: v for k, v in (narration or {}).items() if v is not None}
    from scenes.output.lecture_file import (
        Lecture,
        SceneEntry,
        cell_refusal,
        load_lecture,
        prepare_hook,
        registry_fits,
        scene_options,
        shape_refusal,
    )

    if config is not None and cell is not None:
        raise InputError("give the cell in the lecture file's [model] (cell = \"lstm\"), "
                         "not --cell")
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
        return dataclasses.replace(lecture, **overrides, **told)
    if {"vocab", "init_scale"} & model.given:
        raise InputError("--vocab and --init-scale apply to `trace`; scenes use the defaults")
    cell = trace_cell(trace_file, cell, names) or DEFAULT_CELL
    if cell != DEFAULT_CELL:
        # the scenes that draw the cell take its checkpoint (train --cell) or saved trace
        chain_only = bool(names) and all(prepare_hook(n) is None for n in names)
        for flag, given in (("--weights", model.weights is not None and not chain_only),
                            ("--radius", model.radius is not None)):
            if given:
                also = (" (only the scenes that draw the model's trace take --weights)"
                        if flag == "--weights" else "")
                raise InputError(f"{flag} does not apply to --cell {cell}: its scenes build "
                                 f"their own model from --text, --hidden and --seed{also}")
        for name in names:
            refused = cell_refusal(name, cell, saved=trace_file is not None)
            if refused:
                raise InputError(refused)
    elif trace_file is None:
        build_model(model)  # validate the model options now: one clear line before rendering
    for name in names:  # the scenes that draw one layer, one way, a loss at every step
        refused = shape_refusal(name, model)
        if refused:
            raise InputError(refused)
    spec = dataclasses.replace(model, radius=None, trace=trace_file, cell=cell,
                               given=model.given & {"text", "hidden", "seed"})
    fits = [registry_fits(n) for n in names if registry_fits(n) is not None]
    if fits:  # the scenes' drawing limits, before rendering
        trace = spec.build_trace()
        for check in fits:
            check(trace)
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
                   format=fmt or "mp4", **told)
