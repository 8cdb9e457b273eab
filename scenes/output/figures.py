"""The article's figures as stills: which scene, at which beat, under which file name.

Each figure is the final frame of a registered scene (some stop early, at a named stage),
drawn from the same Trace as the animations and written as PNG, SVG and/or PDF. Each carries
its description (``alt_text``) inside every file and beside them in ``NAME.alt.txt``; on
request, ``NAME.html`` holds a ready ``<figure>`` with its alt text and caption.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from rnn.cells import DEFAULT_CELL
from rnn.errors import UnrolledError
from rnn.files.atomic import atomic_path, check_output_path
from scenes.output.alt_stories import describe
from scenes.output.alt_text import Description

FORMATS = ("png", "svg", "pdf")
IMAGE_FORMATS = ("svg", "png")  # what an <img> of the HTML snippet shows, the first given


@dataclass(frozen=True)
class Figure:
    """One figure of the article and how to draw it."""

    name: str  # file stem
    scene: str  # a key of scenes.registry.SCENES
    article: str  # what the article's figure shows
    values: bool = False  # print values inside neurons
    extra: dict = field(default_factory=dict)  # scene options, e.g. {"stage": "two_steps"}
    cell: str | None = None  # the cell it always draws (its own model), else the model's


FIGURES: tuple[Figure, ...] = (
    Figure("dense-backprop", "dense",
           "section 1: errors of a layer converge on each neuron of the layer below (red arrows)",
           extra={"stage": "errors"}),
    Figure("rnn-neurons", "neurons",
           "section 2: the RNN as neurons, inputs below, outputs above, yellow recurrent arrows"),
    Figure("unfolded", "unfold", "section 2: the RNN unfolded into one copy per time step"),
    Figure("two-steps", "blackbox", "section 2: the textbook's forward form over two time steps",
           extra={"stage": "two_steps"}),
    Figure("folded", "blackbox", "section 2: the blackboxed RNN, folded, with its delay loop"),
    Figure("forward-values", "forward", "section 2: forward propagation with the real values",
           values=True, cell="rnn"),
    Figure("bptt-errors", "bptt",
           "section 3: errors flowing back in time, coloured by the loss term they come from",
           cell="rnn"),
    Figure("gradient-frames", "gradients",
           "section 3: the gradient of a step (t=2), framed, with all the errors it needs",
           extra={"stage": "frames", "step": 2}),
    Figure("gradient-sum", "gradients",
           "section 3: per-step contributions summed into one update of the parameters"),
    Figure("truncated", "truncated",
           "closing: truncated BPTT, the state crosses each cut and the errors do not"),
    Figure("vanishing", "vanishing", "closing: vanishing and exploding gradients"),
    Figure("clipping", "clipping", "closing: gradient-norm clipping of an exploding gradient"),
    Figure("lstm-cell", "lstm-cell", "LSTM: one step's gates and the error back through them"),
    Figure("gru-cell", "gru-cell", "GRU: one step's gates and the error back through them"),
    Figure("lstm-unfolded", "bptt",
           "LSTM: errors flowing back along the cell state and along h, by loss term",
           cell="lstm"),
    Figure("carousel", "carousel",
           "LSTM: the last error through 60 steps, simple RNN against LSTM, on a log scale"),
    Figure("activations", "activations", "real sizes: h(t) as a units x time heatmap"),
    Figure("neuron-text", "neuron-text", "real sizes: the text coloured by one unit's activation"),
    Figure("error-map", "error-map",
           "real sizes: ||dL(s)/dh(t)|| for every pair of steps, on a log colour scale"),
)


def figure_refusal(fig: Figure, cell: str, shaped: bool = False) -> str | None:
    """Why ``fig`` is not drawn for a model of ``cell``, or None (``shaped``: a network, which
    the article's simple-RNN figures draw instead; ``figure_shape_refusal`` says which)."""
    from rnn.cells import get_cell
    from scenes.output.lecture_file import cell_refusal

    if fig.cell is None:
        return cell_refusal(fig.scene, cell)
    if fig.cell == cell or cell == DEFAULT_CELL or shaped and fig.cell == DEFAULT_CELL:  # the default: every figure, each its own cell
        return None
    return f"it draws {get_cell(fig.cell).called}; the model's cell is {cell}"


def figure_shape_refusal(fig: Figure, model, trace) -> str | None:
    """Why ``fig`` is not drawn for a network (stacked, two-way or one label), or None: a
    figure of its own one-layer cell is not, nor one whose scene draws one layer only."""
    from scenes.output.lecture_file import shape_refusal

    if fig.cell is not None and fig.cell != DEFAULT_CELL:
        return f"it draws a one-layer {fig.cell} of its own"
    if fig.extra.get("stage") == "frames":  # the gradients scene frames one layer's step
        return "it frames one step of one layer (a network's gradients: gradient-sum)"
    return shape_refusal(fig.scene, model, trace=trace)


def figure_input(fig: Figure, lecture):
    """The SceneInput of ``fig``: the lecture's input for its scene, plus the figure's options.

    A figure of its own cell draws that cell on the lecture's text, hidden size and seed; of
    the article's simple RNN, a network (stacked, two-way or one label) draws the network.
    """
    from rnn.spec import ModelSpec
    from scenes.output.lecture_file import SceneEntry

    model = lecture.model
    if fig.cell is not None and fig.cell != model.cell and not (model.shaped and
                                                                 fig.cell == DEFAULT_CELL):
        given = model.given & {"text", "hidden", "seed"}
        model = ModelSpec(text=model.text, hidden=model.hidden, seed=model.seed, cell=fig.cell,
                          given=given)
    one = dataclasses.replace(lecture, model=model,
                              scenes=(SceneEntry(fig.scene, {"values": fig.values}),))
    [inp] = one.scene_inputs()
    return dataclasses.replace(inp, extra={**inp.extra, **fig.extra})


def _draw_one(scene_name: str, scene_input, paths: dict[str, Path], width: int,
              description: Description | None = None) -> list[Path]:
    """Worker: build one scene for one figure and write its stills (runs in a child process)."""
    from scenes.beats.inputs import set_scene_input
    from scenes.components.theme import get_theme
    from scenes.output.still import save_stills
    from scenes.registry import SCENES

    set_scene_input(scene_input)
    background = get_theme(scene_input.theme).background
    return save_stills(SCENES[scene_name].cls, paths, width, background, description)


def check_request(formats: Sequence[str], width: int, only: Sequence[str] = (),
                  html: bool = False) -> list[Figure]:
    """Validate a figure request before any work; return the chosen figures, in table order."""
    from scenes.output.still import MAX_WIDTH, MIN_WIDTH

    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise UnrolledError(f"unknown figure format {bad[0] if bad else ''!r}; "
                            f"choose from {', '.join(FORMATS)}")
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise UnrolledError(f"width must be in {MIN_WIDTH}..{MAX_WIDTH} px, got {width}")
    if html and not set(IMAGE_FORMATS) & set(formats):
        raise UnrolledError("--html shows the figure as an image: add svg or png to the formats")
    names = [f.name for f in FIGURES]
    unknown = [o for o in only if o not in names]
    if unknown:
        raise UnrolledError(f"unknown figure {unknown[0]!r}; figures: {', '.join(names)}")
    return [f for f in FIGURES if not only or f.name in only]


def make_figures(
    lecture,
    out_dir: Path,
    formats: Sequence[str] = FORMATS,
    width: int = 2400,
    figures: Sequence[Figure] = FIGURES,
    n_jobs: int | None = None,
    on_done: Callable[[Figure, list[Path]], None] | None = None,
    html: bool = False,
) -> list[Path]:
    """Write every figure in every format into ``out_dir``, each with ``NAME.alt.txt`` (and
    ``NAME.html`` if ``html``); returns the paths, in figure order.

    ``lecture`` (a ``scenes.output.lecture_file.Lecture``) gives the model and the theme.
    """
    check_request(formats, width, html=html)
    targets = {fig.name: {fmt: out_dir / f"{fig.name}.{fmt}" for fmt in formats}
               for fig in figures}
    sides = {fig.name: [out_dir / f"{fig.name}.alt.txt"] + [out_dir / f"{fig.name}.html"] * html
             for fig in figures}
    for fig in figures:  # refuse a device, FIFO or folder before drawing anything
        for path in [*targets[fig.name].values(), *sides[fig.name]]:
            check_output_path(path, folder=False)
    jobs = []
    for fig in figures:
        inp = figure_input(fig, lecture)
        jobs.append((fig, inp, targets[fig.name], describe(fig, inp)))
    n_jobs = min(n_jobs or os.cpu_count() or 1, len(jobs))
    written: dict[str, list[Path]] = {}

    def done(fig: Figure, description: Description, stills: list[Path]) -> None:
        written[fig.name] = stills + write_sidecars(description, targets[fig.name],
                                                    sides[fig.name], width)
        if on_done:
            on_done(fig, written[fig.name])

    if n_jobs == 1:
        for fig, inp, paths, description in jobs:
            done(fig, description, _draw_one(fig.scene, inp, paths, width, description))
    else:
        from scenes.output.batch import pool_context

        with ProcessPoolExecutor(max_workers=n_jobs, mp_context=pool_context()) as pool:
            futures = {pool.submit(_draw_one, fig.scene, inp, paths, width, description):
                       (fig, description) for fig, inp, paths, description in jobs}
            try:
                for future in as_completed(futures):
                    done(*futures[future], future.result())
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    return [p for fig in figures for p in written[fig.name]]


def write_sidecars(description: Description, stills: dict[str, Path], sides: list[Path],
                   width: int) -> list[Path]:
    """Write ``NAME.alt.txt`` and, if asked (a second path), ``NAME.html`` beside the stills."""
    from scenes.output.still import still_height

    texts = [description.sidecar()]
    if len(sides) > 1:
        fmt = next(f for f in IMAGE_FORMATS if f in stills)
        texts.append(description.figure_html(stills[fmt].name, width, still_height(width)))
    for path, text in zip(sides, texts):
        try:
            with atomic_path(path) as tmp:
                tmp.write_text(text, encoding="utf-8")
        except OSError as err:
            raise UnrolledError(f"cannot write {path}: {err.strerror or err}") from None
    return sides
