"""Beats of backpropagation through time: errors travel backwards in their source colours.

dL/do(t) appears at every step; then, from the last step to the first, dL/dh(t) is assembled
from its two recorded parts (``dL_dh_from_output`` and ``dL_dh_from_next``) and dL/da(t)
follows. Arrow widths come from ``trace.error_by_source_norms()``.
"""

from __future__ import annotations

from manim import FadeIn, FadeOut, GrowArrow, Indicate, VGroup

from scenes.beats.stage import (
    Stage,
    error_flow,
    lift,
    mark_term,
    place_top,
    scale_of,
    set_top,
    settle,
    show_forward_state,
)
from scenes.beats.travel import follow, is_long, one_by_one, show_overview
from scenes.components import equation, vector_text
from scenes.components.chain_camera import loss_colors

READOUT_UNITS = 4  # components of dL/dh(t) printed; a wide layer shows its first ones
REST_STEP_SECONDS = 0.4  # a step of the steps shown together: the camera moves on


def enter_bptt(stage: Stage) -> None:
    with stage.beat("backward", "Backpropagation starts from the losses and sends "
                                 "errors backwards in time, one colour per loss term."):
        show_forward_state(stage)
        show_overview(stage, animate=False)  # a long chain: every loss term in view
        stage.eq = {"dL_dh": place_top(equation("dL_dh", stage.theme, 30), stage, 0),
                    "dL_da": place_top(equation("dL_da", stage.theme, 28), stage, 1)}
        set_top(stage, stage.eq["dL_dh"], stage.eq["dL_da"], run_time=0.8)
        error_flow(stage)  # built now, shown arrow by arrow


def output_errors(stage: Stage) -> None:
    tr, net = stage.trace, stage.net
    with stage.beat("output errors", "Each loss term first gives the error of its own "
                                      "outputs: dL/do(t) = yhat(t) minus the one-hot target."):
        vmax = scale_of(tr.dL_do)
        anims = [a for t in range(1, stage.T + 1)
                 for a in net.neurons("o", t).show_animations(tr.dL_do[t - 1], vmax)]
        stage.play(*anims, Indicate(stage.loss_labels, scale_factor=1.1), run_time=1.0)
        stage.scene.wait(0.3)


def _readout(stage: Stage, t: int) -> VGroup:
    """The two recorded parts of dL/dh(t) and their recorded sum, on the third top line."""
    tr, th = stage.trace, stage.theme
    H = tr.h.shape[1]
    n = min(H, READOUT_UNITS)  # a wide layer: its first units, readable
    more = "" if n == H else f" units 1-{n} of {H}"
    parts = VGroup(
        vector_text(tr.dL_dh_from_output[t - 1][:n], th, f"from L({t}): "),
        vector_text(tr.dL_dh_from_next[t - 1][:n], th, f"+ from h({t + 1}): "),
        vector_text(tr.dL_dh[t - 1][:n], th, f"= dL/dh({t}){more}: "),
    ).arrange(buff=0.35)
    parts[0].set_color(loss_colors(th, stage.T)[t - 1])
    parts[1].set_color(th.recurrent)
    return place_top(parts, stage, 2)


def backward_step(stage: Stage, t: int) -> None:
    tr, net, th = stage.trace, stage.net, stage.theme
    flow = error_flow(stage)
    colors = loss_colors(th, stage.T)
    eq = stage.eq
    later = "" if t == stage.T else f", plus what steps after {t} send back through W"
    with stage.beat(f"backward step {t}", f"dL/dh({t}) gathers the error of L({t}) "
                                           f"through V{later}; dL/da({t}) follows."):
        readout = _readout(stage, t)
        old = stage.readout
        stage.readout = readout
        if old is not None:
            lift(stage, old)
        stage.play(*follow(stage, t), GrowArrow(flow.by_pair[t, t]), *mark_term(stage, "dL_dh", "out", colors[t - 1]),
                   *mark_term(stage, "dL_dh", "next"), *mark_term(stage, "dL_da", "lhs"),
                   *([FadeOut(old)] if old is not None else []), run_time=0.5)
        incoming = [flow.by_pair[s, t] for s in range(t + 1, stage.T + 1)]
        if incoming:
            stage.play(*[GrowArrow(a) for a in incoming],
                       *mark_term(stage, "dL_dh", "next", th.recurrent),
                       *net.highlight_animations("W", True, t + 1), run_time=0.6)
        from_h = [] if not incoming else net.highlight_animations("W", False, t + 1)
        stage.play(*net.neurons("h", t).show_animations(tr.dL_dh[t - 1], scale_of(tr.dL_dh)),
                   *from_h, FadeIn(readout), run_time=0.6)
        settle(stage, readout)
        stage.play(*mark_term(stage, "dL_da", "lhs", th.param_color("b")),
                   *net.neurons("h", t).show_animations(tr.dL_da[t - 1], scale_of(tr.dL_da)),
                   run_time=0.5)
        stage.scene.wait(0.5)  # time to read the two parts and their sum


def backward_rest(stage: Stage, steps: list[int]) -> None:
    """``steps`` of a long chain (last first) in one beat: the camera travels back while the
    errors of every later loss term arrive at each step and dL/da(t) follows."""
    if not steps:
        return
    tr, net = stage.trace, stage.net
    flow = error_flow(stage)
    first, last = steps[0], steps[-1]
    with stage.beat(f"backward steps {first}-{last}",
                    f"Steps {first} down to {last} do the same: each gathers its own loss "
                    f"term's error and what the later steps send back through W."):
        old, stage.readout = stage.readout, None
        if old is not None:
            lift(stage, old)
        fade = [FadeOut(old), *mark_term(stage, "dL_dh", "out"),
                *mark_term(stage, "dL_dh", "next"), *mark_term(stage, "dL_da", "lhs")]
        for t in steps:
            arrows = [flow.by_pair[s, t] for s in range(t, stage.T + 1)]
            stage.play(*fade, *follow(stage, t), *[GrowArrow(a) for a in arrows],
                       *net.neurons("h", t).show_animations(tr.dL_da[t - 1], scale_of(tr.dL_da)),
                       run_time=REST_STEP_SECONDS)
            fade = []


def backward_steps(stage: Stage) -> None:
    """From the last step back: one beat each, or, along a long chain, the last few and then
    the rest together."""
    shown, rest = one_by_one(stage, list(range(stage.T, 0, -1)))
    for t in shown:
        backward_step(stage, t)
    backward_rest(stage, rest)


def finish_bptt(stage: Stage) -> None:
    with stage.beat("all errors", "Every loss term has sent its error back to every "
                                   "earlier step; the thicker the arrow, the larger the error."):
        if is_long(stage):  # the whole chain, rather than thousands of arrows flashing
            stage.play(*show_overview(stage), run_time=1.0)
            stage.scene.wait(0.5)
            stage.shown.add("errors")
            return
        # arrows are on screen one by one (GrowArrow adds them), so animate them one by one
        stage.play(*[Indicate(a, scale_factor=1.05, color=a.get_color())
                     for a in error_flow(stage)],
                   run_time=1.0)
        stage.scene.wait(0.5)
    stage.shown.add("errors")


def backward_pass(stage: Stage) -> None:
    """All BPTT beats in order."""
    enter_bptt(stage)
    output_errors(stage)
    backward_steps(stage)
    finish_bptt(stage)
