"""What the beats of every scene share: the scene, its Trace, and the pictures already on screen.

Scenes are composed by calling beat functions on one Stage, never by inheriting each other,
so the lecture can run the forward, backward and gradient beats on the same drawing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from manim import ManimColor, Mobject, Scene, Text, VGroup, config
from manim.utils.file_ops import write_to_movie
from pydub import AudioSegment

from rnn.errors import UnrolledError
from rnn.trace import Trace
from scenes.beats.contract import Option
from scenes.beats.inputs import SceneInput, get_scene_input
from scenes.beats.narration import (
    VOICE_PAUSE,
    cue_lines,
    reading_plan,
    schedule,
    spoken_form,
    spoken_cues,
)
from scenes.beats.voice import say
from scenes.beats.band import LineBand, TermBand
from scenes.components import ErrorFlow, UnrolledNetwork, light
from scenes.components.caption_band import CaptionBand
from scenes.components.chain_camera import loss_colors
from scenes.components.arrows import PathsErrorFlow
from scenes.components.heat_chain import HeatChain
from scenes.components.layer_rows import NetworkChain
from scenes.components.layout import check_fits_frame
from scenes.components.theme import Theme, format_value, get_theme


def scale_of(values: np.ndarray) -> float:
    """Half-width of the colour scale for one kind of value: its largest finite magnitude."""
    finite = np.abs(values[np.isfinite(values)])
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


@dataclass
class Stage:
    """The drawing the beats act on, for every cell, and what is currently shown on it.

    ``net`` draws the units: neurons (``UnrolledNetwork``) or heat columns (``HeatChain``),
    both answering the same questions (``cells``, ``input_animations``, ``step_center``, ...).
    ``band`` is the text above it (``band.TermBand`` or ``band.LineBand``). What a beat
    shows of the cell (states, gates, words, equations) comes from ``trace.spec``. The beats
    reach units only through ``net`` (by state or gate and step), so rows of layers or of two
    directions are a drawing that answers for each of them, not a second set of beats.
    """

    scene: Scene
    trace: Trace
    theme: Theme
    values: bool
    net: UnrolledNetwork | HeatChain | NetworkChain
    band: TermBand | LineBand | None = None
    loss_labels: VGroup = field(default_factory=VGroup)
    flow: ErrorFlow | PathsErrorFlow | None = None
    shown: set[str] = field(default_factory=set)  # "forward", "errors": states already drawn
    pending_off: list = field(default_factory=list)  # un-highlights played with the next beat
    panel: Mobject | None = None  # numbers of the gradients
    frames: Mobject | None = None  # the frames of one step's contribution
    beats: list[str] = field(default_factory=list)  # names of the beats played, in order

    @property
    def T(self) -> int:
        return self.trace.T

    @property
    def states(self) -> tuple[str, ...]:
        """The states the cell carries: the paths an error travels back along."""
        return self.trace.spec.states

    def words(self, text: str, t: int) -> str:
        """One of the cell's sentences (``rnn.cells``) about step t."""
        return text.format(t=t, p=t - 1, n=t + 1)

    def beat(self, name: str, caption: str, spoken: str | None = None):
        """``beat(self, name, caption, spoken)``, remembered in ``beats``."""
        return beat(self, name, caption, spoken)

    def play(self, *anims, run_time: float = 0.6, **kwargs) -> None:
        anims = [a for a in anims if a is not None]
        if anims:
            self.scene.play(*anims, run_time=run_time, **kwargs)


def open_board(scene: Scene, inp: SceneInput, make_board: Callable[..., Any]) -> Any:
    """Paint the theme's background and return ``make_board(scene, inp, theme)``: the
    ``setup()`` of the scenes that keep their own board instead of a Stage."""
    theme = get_theme(inp.theme)
    scene.camera.background_color = theme.background
    return make_board(scene, inp, theme)


# How a layer's units are drawn, the option of the unfolded scenes (``SceneInput.extra``)
DRAWING = Option("drawing", str, "auto", "how a layer's units are drawn: neurons, heat "
                 "columns, or auto (heat columns where a unit holds more than one value a step)",
                 choices=("auto", "neurons", "heat"))


def draws_heat(trace: Trace, units: str = "auto") -> bool:
    """Whether the units are drawn as heat columns (``units``: "heat", "neurons" or "auto").

    By size, not by cell: a neuron shows one value a step, its state's, as the article draws
    the simple RNN; a unit that holds more (one value per gate block and per state) is drawn
    as a column per gate and per state. Neurons draw a layer of any width (a wide one as
    strips), and refuse a unit that holds more than they can show.
    """
    held = len(trace.gate_names) + len(trace.spec.states)  # values of one unit at one step
    if units == "neurons" and held > 1:
        raise UnrolledError(f"neurons show one value a unit, the {trace.spec.title}'s units "
                            f"hold {held} a step (gates and states): draw them as heat columns "
                            "(drawing heat)")
    return units == "heat" or (units == "auto" and held > 1)


def build_stage(scene: Scene, inp: SceneInput) -> Stage:
    """The Stage of ``scene`` for ``inp``: theme applied, the units drawn as neurons or heat
    columns (``draws_heat``, option ``drawing``), not yet on screen (raises past the drawing's
    limits)."""
    theme = get_theme(inp.theme)
    scene.camera.background_color = ManimColor(theme.background)
    tr = inp.trace
    if hasattr(tr, "layers"):  # a network: a row of heat columns per (layer, direction)
        net, band = NetworkChain(tr, theme, values=inp.values), LineBand
    elif draws_heat(tr, inp.extra.get("drawing") or "auto"):
        net = HeatChain(tr, theme, values=inp.values)
        band = LineBand
    else:
        if not getattr(scene, "travels", False):  # a still camera: what fits the frame
            T, H = tr.h.shape
            check_fits_frame(T, H, tr.X.shape[1], tr.o.shape[1])
        net = UnrolledNetwork(tr, theme, values=inp.values)
        band = TermBand if tr.spec.typeset else LineBand
    stage = Stage(scene=scene, trace=tr, theme=theme, values=inp.values, net=net)
    stage.band = band(stage)
    return stage


@contextmanager
def beat(stage, name: str, caption: str, spoken: str | None = None) -> Iterator[None]:
    """One named beat: its own section, and one sentence of narration spanning it.

    The one place that times narration for every scene: the beat is held (a frozen frame,
    cheap to render) until its captions can be read at the render's pace, or until its
    spoken sentence has been said; the caption is cut into cues that fit (``narration``).

    ``stage`` is anything with a ``scene`` attribute, so other scenes' boards can use it;
    if it has a ``beats`` list, the beat's name is appended to it. ``spoken`` is the
    sentence as a voice says it (default: ``spoken_form(caption)``).
    """
    if getattr(stage, "beats", None) is not None:
        stage.beats.append(name)
    scene = stage.scene
    told = get_scene_input().narration
    spoken = spoken or spoken_form(caption)
    scene.__dict__.setdefault("narrated", []).append((name, caption, spoken))
    scene.next_section(name)
    start = scene.time
    cues, times, hold = reading_plan(caption, told.pace)
    extend, lead = True, 0.0
    movie = write_to_movie() and not config.dry_run
    if told.voice and movie:
        audio = say(spoken)
        scene.add_sound(str(audio.path))
        # the captions follow the voice: each cue as long as its share of the sentence
        cues, times = spoken_cues(cues, audio.speech - audio.onset)
        hold, extend, lead = audio.seconds + VOICE_PAUSE, False, audio.onset
    band = None
    if told.captions == "burn":
        band = CaptionBand([cue_lines(c) for c in cues], schedule(times, hold, extend, lead),
                           get_theme(get_scene_input().theme))
        scene.add(band)
    yield
    missing = hold - (scene.time - start)
    if missing > 0:
        # a frozen wait shows its duration in frames rounded down, a wait with updaters (a
        # burned-in band) rounded up: ask for a duration both turn into exactly ``frames``
        frames = math.ceil(missing * config.frame_rate - 1e-6)
        updating = bool(scene.updaters) or any(m.has_time_based_updater()
                                               for m in scene.get_mobject_family_members())
        scene.wait((frames + (-0.5 if updating else 0.5)) / config.frame_rate)
    elapsed = scene.time - start
    if told.voice and movie and not scene.renderer.skip_animations:
        # silence up to the end of the beat: the sound then lasts as long as the video,
        # instead of stopping where the last sentence does
        scene.renderer.file_writer.add_audio_segment(AudioSegment.silent(duration=1),
                                                     time=max(scene.time - 0.001, 0.0))
    if band is not None:
        scene.remove(band)
    # manim names the subtitle file after the movie; with no movie (a still, a dry run)
    # it would fail at the end of the render, so narration is kept only for movies
    if config.output_file or movie:
        for cue, (offset, duration) in zip(cues, schedule(times, elapsed, extend, lead)):
            scene.add_subcaption(cue_lines(cue), duration=duration, offset=offset - elapsed)


def loss_label(stage: Stage, t: int) -> Text:
    """``L(t)`` of the trace, above the outputs of step t, in the colour of source t."""
    net = stage.net
    # in its source colour: the colour its error keeps on the way back
    color = loss_colors(stage.theme, stage.T)[t - 1]
    point, height = net.loss_place(t)
    label = light(Text(f"L={format_value(stage.trace.losses[t - 1])}", font="Monospace",
                       color=color))
    label.scale_to_fit_height(height)
    if label.width > 0.9 * net.col_w:
        label.scale_to_fit_width(0.9 * net.col_w)
    return label.move_to(point)


def state_scale(trace: Trace, state: str) -> float:
    """Half-width of a state's colour scale: 1 for h (tanh-bounded), else its largest value."""
    return 1.0 if state == "h" else scale_of(getattr(trace, state))


def show_units(net, shows: list[tuple[Any, np.ndarray, float]], animate: bool) -> list:
    """Each (units, values, vmax) shown, the last one given for the same units winning:
    a neuron shows the pre-activation's error over its state's."""
    last = {id(units): (units, values, vmax) for units, values, vmax in shows}
    scales = getattr(net, "scales", None)  # a heat chain's colour scales say each vmax
    if scales is not None:
        for units, _, vmax in last.values():
            scales.follow(units, vmax)
    if not animate:
        for units, values, vmax in last.values():
            units.show(values, vmax)
        return []
    return [a for units, values, vmax in last.values()
            for a in units.show_animations(values, vmax)]


def forward_units(stage: Stage, t: int) -> tuple[list, list]:
    """What step t's forward pass fills: its gates, then its states, each with its values."""
    tr, net = stage.trace, stage.net
    gates = [(net.gate_cells(name, t), tr.gates[t - 1, k], 1.0)
             for k, name in enumerate(tr.gate_names)]
    states = [(net.cells(state, t), getattr(tr, state)[t - 1], state_scale(tr, state))
              for state in stage.states]
    return gates, states


def error_units(stage: Stage, t: int) -> tuple[list, list]:
    """What step t's errors fill: its states with dL/dstate(t), then what feeds them with the
    pre-activations' errors (the gates' blocks, or the neurons' dL/da(t))."""
    tr, net = stage.trace, stage.net
    states = [(net.cells(state, t), getattr(tr, f"dL_d{state}")[t - 1],
               scale_of(getattr(tr, f"dL_d{state}"))) for state in stage.states]
    if tr.gate_names:
        pre = [(net.gate_cells(name, t), tr.dL_dpre[t - 1, k], scale_of(tr.dL_dpre))
               for k, name in enumerate(tr.gate_names)]
    else:
        pre = [(net.cells("h", t), tr.dL_da[t - 1], scale_of(tr.dL_da))]
    return states, pre


# Still states, for scenes that start after an earlier part ----------------------------------
def show_forward_state(stage: Stage) -> None:
    """Draw the result of the forward pass at once: inputs, gates, states, outputs, losses."""
    if "forward" in stage.shown:
        return
    tr, net = stage.trace, stage.net
    if net not in stage.scene.mobjects:
        stage.scene.add(net)
    for t in range(1, stage.T + 1):
        net.show_input(tr.X[t - 1], t)
        gates, states = forward_units(stage, t)
        show_units(net, [*gates, *states, (net.cells("yhat", t), tr.yhat[t - 1], 1.0)], False)
        stage.loss_labels.add(loss_label(stage, t))
    stage.scene.add(stage.loss_labels)
    stage.shown.add("forward")


def error_flow(stage: Stage) -> ErrorFlow | PathsErrorFlow:
    """The arrows of the trace's errors by source, one path per state (built once)."""
    if stage.flow is None:
        norms = {path: stage.trace.error_by_source_norms(path) for path in stage.states}
        stage.flow = stage.net.error_flow(norms, loss_colors(stage.theme, stage.T))
    return stage.flow


def show_error_state(stage: Stage) -> None:
    """Draw the result of backpropagation at once: output errors, every state's and
    pre-activation's errors, every error arrow."""
    if "errors" in stage.shown:
        return
    show_forward_state(stage)
    tr, net = stage.trace, stage.net
    for t in range(1, stage.T + 1):
        states, pre = error_units(stage, t)
        show_units(net, [(net.cells("yhat", t), tr.dL_do[t - 1], scale_of(tr.dL_do)),
                         *states, *pre], False)
    stage.scene.add(*error_flow(stage))  # one by one, as BPTT's GrowArrow leaves them
    stage.shown.add("errors")
