"""Beats of the forward pass and BPTT of an unfolded LSTM or GRU (``--cell lstm|gru``).

The gated counterpart of ``beats.forward`` and ``beats.bptt``: per step the gates light up
with their recorded activations, then the states, the output and its loss; backwards, the
errors travel along the hidden path and, for the LSTM, along the cell-state path, each loss
term in its own colour, arrow widths from ``error_by_source_norms`` and
``cell_error_by_source_norms``. Every number is read from the ``Trace``. Along a chain longer
than the frame the camera follows the step (``beats.gated_travel``), between an overview at the
start and one at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from manim import FadeIn, FadeOut, GrowArrow, Indicate, Mobject, Scene, Text, VGroup

from scenes.beats.gated_travel import attach_gated, follow, show_overview
from scenes.beats.inputs import SceneInput
from scenes.beats.stage import beat, scale_of
from scenes.components import forget_bias_words, light, vector_text
from scenes.components.chain_camera import loss_colors
from scenes.components.gated_chain import GatedChain, GatedErrorFlow
from scenes.components.theme import Theme, format_value, get_theme

FIRST_STEPS = 3  # along a longer chain, steps shown one beat each before the rest together
ONE_BY_ONE = 6  # chains up to this many steps show every step in its own beat
REST_STEP_SECONDS = 0.4
READOUT_UNITS = 4  # components of a vector printed in the top band
GATE_UNITS = 3  # components of each gate printed (three or four gates share one line)
TOP_Y = (3.7, 3.35, 3.0, 2.65)  # lines of the top band: title, equations, two readouts


@dataclass
class GatedStage:
    """The gated chain on screen and what the beats have shown on it."""

    scene: Scene
    trace: object  # rnn.trace.Trace of a gated cell
    theme: Theme
    chain: GatedChain
    beats: list[str] = field(default_factory=list)
    top: dict[int, Mobject] = field(default_factory=dict)  # line of the top band -> text
    loss_labels: VGroup = field(default_factory=VGroup)
    flow: GatedErrorFlow | None = None
    shown: set[str] = field(default_factory=set)
    panel: Mobject | None = None  # the gradients' panel of numbers, while one is shown
    frames: Mobject | None = None  # the frames of one step's contribution

    @property
    def T(self) -> int:
        return self.trace.T

    @property
    def paths(self) -> tuple[str, ...]:
        """The states an error travels back along: h, and the LSTM's cell state."""
        return self.trace.spec.paths

    def words(self, text: str, t: int) -> str:
        """One of the cell's sentences (``rnn.cells``) about step t."""
        return text.format(t=t, p=t - 1, n=t + 1)

    def play(self, *anims, run_time: float = 0.6) -> None:
        anims = [a for a in anims if a is not None]
        if anims:
            self.scene.play(*anims, run_time=run_time)


def build_gated_stage(scene: Scene, inp: SceneInput) -> GatedStage:
    """The stage of a gated trace: theme applied, chain built (raises past its limits)."""
    theme = get_theme(inp.theme)
    scene.camera.background_color = theme.background
    chain = GatedChain(inp.trace, theme, values=inp.values)
    stage = GatedStage(scene=scene, trace=inp.trace, theme=theme, chain=chain)
    attach_gated(stage)
    return stage


# Text of the top band -------------------------------------------------------------------------
def _text(stage: GatedStage, s: str, height: float = 0.24, color=None) -> Text:
    return light(Text(s, font="Sans", color=color or stage.theme.text)).scale_to_fit_height(height)


def _place(stage: GatedStage, mob: Mobject, line: int) -> Mobject:
    if mob.height > 0.26:
        mob.scale_to_fit_height(0.26)
    if mob.width > 13.0:
        mob.scale_to_fit_width(13.0)
    return mob.move_to([0, TOP_Y[line], 0])


def set_line(stage: GatedStage, line: int, mob: Mobject | None) -> list:
    """Animations putting ``mob`` on line ``line`` of the top band in place of what was there."""
    anims = []
    old = stage.top.pop(line, None)
    if old is not None:
        anims.append(FadeOut(old))
    if mob is not None:
        stage.top[line] = _place(stage, mob, line)
        anims.append(FadeIn(mob))
    return anims


def title(stage: GatedStage) -> Text:
    tr = stage.trace
    text = tr.extra.get("text")
    about = f" on “{text}”" if text else ""
    if tr.extra.get("weights"):
        return _text(stage, f"{tr.spec.title}{about}, {tr.h.shape[1]} units, trained weights "
                            f"from {tr.extra['weights']}", 0.2, stage.theme.muted)
    bias = tr.extra.get("forget_bias")
    takes_bias = "forget_bias" in tr.spec.init_options
    setup = f", {forget_bias_words(bias)}" if takes_bias and bias is not None else ""
    return _text(stage, f"{tr.spec.title}{about}, {tr.h.shape[1]} units, initialised as "
                        f"torch does{setup}", 0.2, stage.theme.muted)


def equations(stage: GatedStage, backward: bool = False) -> Text:
    """The cell's equations (forward) or how its errors are assembled (backward), as text."""
    spec = stage.trace.spec
    return _text(stage, spec.error_equations if backward else spec.equations, 0.26)


def running_loss(stage: GatedStage, t: int) -> Text:
    """The loss accumulated up to step t, from the engine's cumulative losses."""
    label = f"L(1..{t}) = {format_value(stage.trace.cumulative_losses[t - 1])}" if t else "L = 0"
    return light(Text(label, font="Monospace", color=stage.theme.text)).scale_to_fit_height(0.24)


def loss_label(stage: GatedStage, t: int) -> Text:
    """``L(t)`` of the trace above step t's outputs, in the colour of source t."""
    ch = stage.chain
    color = loss_colors(stage.theme, stage.T)[t - 1]
    label = light(Text(f"L={format_value(stage.trace.losses[t - 1])}", font="Monospace",
                       color=color)).scale_to_fit_height(0.18)
    if label.width > 0.9 * ch.col_w:
        label.scale_to_fit_width(0.9 * ch.col_w)
    return label.move_to([ch.center_x(t), ch.rows["loss"], 0])


def _vec(stage: GatedStage, values, label: str) -> Text:
    return vector_text(values[:READOUT_UNITS], stage.theme, label)


def gate_text(trace, t: int) -> str:
    """The recorded gate activations of step t as one line, one vector per gate."""
    more = "" if trace.h.shape[1] <= GATE_UNITS else f" (units 1-{GATE_UNITS})"
    parts = []
    for name in trace.gate_names:
        values = " ".join(format_value(v) for v in trace.gate(name)[t - 1][:GATE_UNITS])
        parts.append(f"{name}({t}) [{values}]")
    return "   ".join(parts) + more


def gate_readout(stage: GatedStage, t: int) -> Text:
    """``gate_text`` in one Text (one text to lay out per step, not one per gate)."""
    return light(Text(gate_text(stage.trace, t), font="Monospace", font_size=22,
                      color=stage.theme.text))


# Forward --------------------------------------------------------------------------------------
def state_scale(trace, state: str) -> float:
    """Half-width of a state's colour scale: 1 for h (tanh-bounded), else its largest value."""
    return 1.0 if state == "h" else scale_of(getattr(trace, state))


def show_chain(stage: GatedStage) -> None:
    spec = stage.trace.spec
    caption = f"{spec.called[0].upper()}{spec.called[1:]} unfolded in time: {spec.anatomy}."
    with beat(stage, "unfold", caption):
        show_overview(stage, animate=False)  # a long chain starts seen whole
        stage.scene.add(stage.chain, stage.loss_labels)
        stage.play(FadeIn(stage.chain), *set_line(stage, 0, title(stage)),
                   *set_line(stage, 1, equations(stage)),
                   *set_line(stage, 3, running_loss(stage, 0)), run_time=1.0)
        stage.scene.wait(0.5)


def _forward_anims(stage: GatedStage, t: int) -> tuple[list, list, list]:
    """Animations of step t: the gates, then the states, then the output and its loss."""
    tr, ch = stage.trace, stage.chain
    gates = [a for k, name in enumerate(tr.gate_names)
             for a in ch.gate_cells(name, t).show_animations(tr.gates[t - 1, k], 1.0)]
    states = [a for state in stage.paths
              for a in ch.cells(state, t).show_animations(getattr(tr, state)[t - 1],
                                                          state_scale(tr, state))]
    label = loss_label(stage, t).set_opacity(0.0)
    stage.loss_labels.add(label)
    out = [*ch.cells("yhat", t).show_animations(tr.yhat[t - 1], 1.0),
           label.animate.set_opacity(1.0)]
    return gates, states, out


def forward_step(stage: GatedStage, t: int) -> None:
    """x(t) enters, the gates light up with their values, then the states, ŷ(t) and L(t)."""
    caption = f"Step {t}: {stage.words(stage.trace.spec.step_words, t)}; then ŷ({t}) and L({t})."
    ch = stage.chain
    with beat(stage, f"forward step {t}", caption):
        gates, states, out = _forward_anims(stage, t)
        stage.play(*follow(stage, t), Indicate(ch.x_labels[t]), *gates,
                   *set_line(stage, 2, gate_readout(stage, t)), run_time=0.8)
        stage.play(*states, run_time=0.6)
        stage.play(*out, *set_line(stage, 3, running_loss(stage, t)), run_time=0.6)
        stage.scene.wait(0.3)


def forward_rest(stage: GatedStage, steps: list[int]) -> None:
    """The steps after the first few, together in one beat."""
    if not steps:
        return
    first, last = steps[0], steps[-1]
    with beat(stage, f"forward steps {first}-{last}",
              f"Steps {first} to {last} repeat the same computation with the same weights, "
              "each from the states before it."):
        for t in steps:
            gates, states, out = _forward_anims(stage, t)
            anims = [*follow(stage, t), *gates, *states, *out]
            if t == last:
                anims += set_line(stage, 2, gate_readout(stage, t))
                anims += set_line(stage, 3, running_loss(stage, t))
            stage.play(*anims, run_time=REST_STEP_SECONDS)


def show_total_loss(stage: GatedStage) -> None:
    with beat(stage, "total loss", "The loss of the whole sequence is the sum of its per-step "
                                   "terms, read from the engine."):
        stage.play(*show_overview(stage), Indicate(stage.top[3]), Indicate(stage.loss_labels),
                   run_time=1.0)
        stage.scene.wait(0.6)
    stage.shown.add("forward")


def steps_in_beats(stage: GatedStage, steps: list[int]) -> tuple[list[int], list[int]]:
    """``steps`` split into those shown one beat each and the rest, shown together."""
    if stage.T <= ONE_BY_ONE:
        return steps, []
    return steps[:FIRST_STEPS], steps[FIRST_STEPS:]


def gated_forward(stage: GatedStage) -> None:
    """All forward beats in order."""
    show_chain(stage)
    shown, rest = steps_in_beats(stage, list(range(1, stage.T + 1)))
    for t in shown:
        forward_step(stage, t)
    forward_rest(stage, rest)
    show_total_loss(stage)


# Backward -------------------------------------------------------------------------------------
def along(stage: GatedStage) -> str:
    """The paths the errors travel, in words: "along h and along the cell state"."""
    return " and ".join(f"along {stage.trace.spec.state_words[p]}" for p in stage.paths)


def show_forward_state(stage: GatedStage) -> None:
    """The result of the forward pass at once: gates, states, outputs and losses."""
    if "forward" in stage.shown:
        return
    tr, ch = stage.trace, stage.chain
    for t in range(1, stage.T + 1):
        for k, name in enumerate(tr.gate_names):
            ch.gate_cells(name, t).show(tr.gates[t - 1, k], 1.0)
        for state in stage.paths:
            ch.cells(state, t).show(getattr(tr, state)[t - 1], state_scale(tr, state))
        ch.cells("yhat", t).show(tr.yhat[t - 1], 1.0)
        stage.loss_labels.add(loss_label(stage, t))
    stage.scene.add(ch, stage.loss_labels)
    stage.shown.add("forward")


def error_flow(stage: GatedStage) -> GatedErrorFlow:
    """The arrows of the trace's errors by source (built once per stage)."""
    if stage.flow is None:
        norms = {path: stage.trace.error_by_source_norms(path) for path in stage.paths}
        stage.flow = GatedErrorFlow(stage.chain, norms, loss_colors(stage.theme, stage.T))
    return stage.flow


def enter_bptt(stage: GatedStage) -> None:
    paths = along(stage)
    with beat(stage, "backward", f"Backpropagation starts from the losses and sends errors "
                                 f"backwards in time {paths}, one colour per loss term."):
        show_forward_state(stage)
        show_overview(stage, animate=False)  # a long chain: every loss term in view
        stage.play(*set_line(stage, 0, title(stage)),
                   *set_line(stage, 1, equations(stage, backward=True)),
                   *set_line(stage, 2, None), *set_line(stage, 3, None), run_time=0.8)
        error_flow(stage)  # built now, shown arrow by arrow


def output_errors(stage: GatedStage) -> None:
    tr, ch = stage.trace, stage.chain
    with beat(stage, "output errors", "Each loss term first gives the error of its own "
                                      "outputs: dL/do(t) = ŷ(t) minus the one-hot target.",
              spoken="Each loss term first gives the error of its own outputs: the error at o "
                     "t equals y hat t minus the one-hot target."):
        vmax = scale_of(tr.dL_do)
        anims = [a for t in range(1, stage.T + 1)
                 for a in ch.cells("yhat", t).show_animations(tr.dL_do[t - 1], vmax)]
        stage.play(*anims, Indicate(stage.loss_labels, scale_factor=1.1), run_time=1.0)
        stage.scene.wait(0.3)


def state_readout(stage: GatedStage, state: str, t: int) -> VGroup:
    """The two recorded parts of a state's error at step t (as the cell names them) and their
    recorded sum: dL/dh(t), and the LSTM's dL/dcell(t)."""
    tr = stage.trace
    (first, first_label), (carried, carried_label) = tr.spec.error_parts[state]
    parts = VGroup(_vec(stage, getattr(tr, first)[t - 1], stage.words(first_label, t)),
                   _vec(stage, getattr(tr, carried)[t - 1], stage.words(carried_label, t)),
                   _vec(stage, getattr(tr, f"dL_d{state}")[t - 1], f"= ∂L/∂{state}({t}): "))
    parts.arrange(buff=0.35)
    if state == "h":  # the loss term enters through h: its part in that term's colour
        parts[0].set_color(loss_colors(stage.theme, stage.T)[t - 1])
    parts[1].set_color(stage.theme.recurrent)
    return parts


def readout_lines(stage: GatedStage, t: int) -> list:
    """Each state's error readout on its line of the top band, h's first."""
    return [a for k, state in enumerate(stage.paths)
            for a in set_line(stage, 2 + k, state_readout(stage, state, t))]


def grow_arrows(stage: GatedStage, arrows: list) -> list[GrowArrow]:
    """``GrowArrow`` of each of ``arrows``, added to the scene together beforehand.

    A GrowArrow left to add its own arrow first searches every mobject of the scene for it;
    along a long chain (thousands of arrows) that search, once per arrow, outlasted the rest
    of the scene. Added in one call, the arrows are drawn in the same order.
    """
    stage.scene.add(*arrows)
    grows = [GrowArrow(a) for a in arrows]
    for grow in grows:
        grow.introducer = False  # already in the scene; begin() collapses it before a frame
    return grows


def _backward_anims(stage: GatedStage, t: int) -> tuple[list, list]:
    """Arrows arriving at step t (both paths), then its errors in the cells."""
    tr, ch, flow = stage.trace, stage.chain, error_flow(stage)
    arrows = grow_arrows(stage, [a for path in flow.by_pair for a in flow.arriving_at(path, t)])
    fills = [a for state in stage.paths
             for a in ch.cells(state, t).show_animations(
                 getattr(tr, f"dL_d{state}")[t - 1], scale_of(getattr(tr, f"dL_d{state}")))]
    fills += [a for k, name in enumerate(tr.gate_names)
              for a in ch.gate_cells(name, t).show_animations(tr.dL_dpre[t - 1, k],
                                                              scale_of(tr.dL_dpre))]
    return arrows, fills


def backward_step(stage: GatedStage, t: int) -> None:
    if t == stage.T:
        caption = (f"The last step first: dL/dh({t}) is only the error of L({t}), sent back "
                   "through V.")
    else:
        carried = "".join(f"; {stage.words(w, t)}" for w in stage.trace.spec.carry_words.values())
        caption = (f"dL/dh({t}) gathers the error of L({t}) through V, plus what step {t + 1} "
                   f"sends back{carried}.")
    with beat(stage, f"backward step {t}", caption):
        arrows, fills = _backward_anims(stage, t)
        stage.play(*follow(stage, t), *arrows, *readout_lines(stage, t), run_time=0.7)
        stage.play(*fills, run_time=0.6)
        stage.scene.wait(0.5)  # time to read the parts and their sums


def backward_rest(stage: GatedStage, steps: list[int]) -> None:
    """The steps before the last few (last first), together in one beat."""
    if not steps:
        return
    first, last = steps[0], steps[-1]
    with beat(stage, f"backward steps {first}-{last}",
              f"Steps {first} down to {last} do the same: each gathers its own loss term's "
              "error and what the later steps send back."):
        for t in steps:
            arrows, fills = _backward_anims(stage, t)
            anims = [*follow(stage, t), *arrows, *fills]
            if t == last:
                anims += readout_lines(stage, t)
            stage.play(*anims, run_time=REST_STEP_SECONDS)


def finish_bptt(stage: GatedStage) -> None:
    caption = (f"Every loss term has sent its error back to every earlier step, {along(stage)}; "
               "the thicker the arrow, the larger the error.")
    with beat(stage, "all errors", caption):
        if stage.chain.long:  # the whole chain, rather than thousands of arrows flashing
            stage.play(*show_overview(stage), run_time=1.0)
        else:
            stage.play(*[Indicate(a, scale_factor=1.05, color=a.get_color())
                         for a in error_flow(stage)], run_time=1.0)
        stage.scene.wait(0.5)
    stage.shown.add("errors")


def gated_bptt(stage: GatedStage) -> None:
    """All BPTT beats in order."""
    enter_bptt(stage)
    output_errors(stage)
    shown, rest = steps_in_beats(stage, list(range(stage.T, 0, -1)))
    for t in shown:
        backward_step(stage, t)
    backward_rest(stage, rest)
    finish_bptt(stage)
