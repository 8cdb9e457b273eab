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
from manim import FadeIn, FadeOut, ManimColor, Mobject, Scene, Text, VGroup, config
from manim.utils.file_ops import write_to_movie
from pydub import AudioSegment

from rnn.trace import Trace
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
from scenes.components import ErrorFlow, UnrolledNetwork, light
from scenes.components.caption_band import CaptionBand
from scenes.components.chain_camera import loss_colors
from scenes.components.layout import check_fits_frame
from scenes.components.theme import Theme, format_value, get_theme


def scale_of(values: np.ndarray) -> float:
    """Half-width of the colour scale for one kind of value: its largest finite magnitude."""
    finite = np.abs(values[np.isfinite(values)])
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


@dataclass
class Stage:
    """The drawing the beats act on, and what is currently shown on it."""

    scene: Scene
    trace: Trace
    theme: Theme
    values: bool
    net: UnrolledNetwork
    top: VGroup = field(default_factory=VGroup)  # equations and numbers in the top band
    loss_labels: VGroup = field(default_factory=VGroup)
    flow: ErrorFlow | None = None
    shown: set[str] = field(default_factory=set)  # "forward", "errors": states already drawn
    eq: dict[str, Mobject] = field(default_factory=dict)  # equations on screen, by key
    pending_off: list = field(default_factory=list)  # un-highlights played with the next beat
    loss_total: Mobject | None = None  # the running loss
    readout: Mobject | None = None  # numbers of the current BPTT step
    panel: Mobject | None = None  # numbers of the gradients
    frames: Mobject | None = None
    beats: list[str] = field(default_factory=list)  # names of the beats played, in order
    marks: dict[tuple[str, str], Mobject] = field(default_factory=dict)  # coloured terms

    @property
    def T(self) -> int:
        return self.trace.T

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


def build_stage(scene: Scene, inp: SceneInput) -> Stage:
    """The Stage of ``scene`` for ``inp``: theme applied, network built (not yet on screen)."""
    theme = get_theme(inp.theme)
    scene.camera.background_color = ManimColor(theme.background)
    if not getattr(scene, "travels", False):  # a still camera: what fits the frame in circles
        T, H = inp.trace.h.shape
        check_fits_frame(T, H, inp.trace.X.shape[1], inp.trace.o.shape[1])
    net = UnrolledNetwork(inp.trace, theme, values=inp.values)
    return Stage(scene=scene, trace=inp.trace, theme=theme, values=inp.values, net=net)


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


def settle(stage: Stage, *mobs: Mobject) -> None:
    """Send ``mobs`` to the back of the scene: manim paints everything before the first
    animated mobject once per play, so text that stays put costs nothing per frame there."""
    stage.scene.bring_to_back(*mobs)


def lift(stage: Stage, *mobs: Mobject) -> None:
    """Bring settled ``mobs`` to the front before animating them, so that animating them
    does not make everything drawn after them repaint every frame."""
    stage.scene.bring_to_front(*mobs)


def mark_term(stage: Stage, eq: str, term: str, color=None) -> list:
    """Animations colouring ``term`` of equation ``eq`` (None: back to plain).

    A coloured copy fades in over the term, so the settled equation itself never moves.
    """
    anims = []
    old = stage.marks.pop((eq, term), None)
    if old is not None:
        anims.append(FadeOut(old))
    if color is not None:
        mark = stage.eq[eq].select(term).copy().set_color(color)
        stage.marks[eq, term] = mark
        anims.append(FadeIn(mark))
    return anims


def set_top(stage: Stage, *items: Mobject, run_time: float = 0.6) -> None:
    """Replace what the top band shows with ``items``, each a top-level, settled mobject."""
    old = list(stage.top)
    stage.top = VGroup(*items)  # bookkeeping only: the items are added one by one
    anims = [FadeIn(m) for m in items] + [FadeOut(m) for m in stage.marks.values()]
    stage.marks.clear()
    if old:
        lift(stage, *old)
        anims += [FadeOut(m) for m in old]
    stage.play(*anims, run_time=run_time)
    settle(stage, *items)


def swap_top(stage: Stage, old: Mobject, new: Mobject) -> None:
    """Record that ``new`` took the place of ``old`` in the top band."""
    stage.top.submobjects = [new if m is old else m for m in stage.top.submobjects]


def place_top(mob: Mobject, stage: Stage, line: int = 0, max_width: float = 13.0) -> Mobject:
    """Fit ``mob`` into line ``line`` (0 = highest) of the top band."""
    if mob.width > max_width:
        mob.scale_to_fit_width(max_width)
    y = (stage.net.layout.top_y, stage.net.layout.panel_y + 0.25, 1.75)[line]
    return mob.move_to([0, y, 0])


def loss_label(stage: Stage, t: int) -> Text:
    """``L(t)`` of the trace, above the outputs of step t, in the colour of source t."""
    lay = stage.net.layout
    # in its source colour: the colour its error keeps on the way back
    color = loss_colors(stage.theme, stage.T)[t - 1]
    label = light(Text(f"L={format_value(stage.trace.losses[t - 1])}", font="Monospace",
                       color=color))
    label.scale_to_fit_height(0.2)
    if label.width > 0.9 * lay.col_w:
        label.scale_to_fit_width(0.9 * lay.col_w)
    return label.move_to([lay.column_x(t), lay.loss_y, 0])


# Still states, for scenes that start after an earlier part ----------------------------------
def show_forward_state(stage: Stage) -> None:
    """Draw the result of the forward pass at once: inputs, hidden states, outputs, losses."""
    if "forward" in stage.shown:
        return
    tr, net = stage.trace, stage.net
    if net not in stage.scene.mobjects:
        stage.scene.add(net)
    for t in range(1, stage.T + 1):
        net.neurons("x", t).show(tr.X[t - 1], 1.0)
        net.neurons("h", t).show(tr.h[t - 1], 1.0)
        net.neurons("o", t).show(tr.yhat[t - 1], 1.0)
    stage.loss_labels = VGroup(*[loss_label(stage, t) for t in range(1, stage.T + 1)])
    stage.scene.add(stage.loss_labels)
    stage.shown.add("forward")


def error_flow(stage: Stage) -> ErrorFlow:
    """The ErrorFlow of the trace (built once per stage)."""
    if stage.flow is None:
        colors = loss_colors(stage.theme, stage.T)
        stage.flow = ErrorFlow(stage.net, stage.trace.error_by_source_norms(), colors)
    return stage.flow


def show_error_state(stage: Stage) -> None:
    """Draw the result of backpropagation at once: output errors, dL/da, every error arrow."""
    if "errors" in stage.shown:
        return
    show_forward_state(stage)
    tr, net = stage.trace, stage.net
    for t in range(1, stage.T + 1):
        net.neurons("o", t).show(tr.dL_do[t - 1], scale_of(tr.dL_do))
        net.neurons("h", t).show(tr.dL_da[t - 1], scale_of(tr.dL_da))
    stage.scene.add(*error_flow(stage))  # one by one, as BPTT's GrowArrow leaves them
    stage.shown.add("errors")

