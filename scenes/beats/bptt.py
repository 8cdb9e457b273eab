"""Beats of backpropagation through time: errors travel backwards in their source colours.

dL/do(t) appears at every step; then, from the last step to the first, each state's error is
assembled from its two recorded parts (the cell's ``error_parts``: for h, ``dL_dh_from_output``
and ``dL_dh_from_next``) and the pre-activations' errors follow (the gates' ``dL_dpre``, or
dL/da(t)). Arrow widths come from ``trace.error_by_source_norms(path)``, one path per state.
"""

from __future__ import annotations

from manim import GrowArrow, Indicate

from scenes.beats.stage import (
    Stage,
    error_flow,
    error_units,
    scale_of,
    show_forward_state,
    show_units,
)
from scenes.beats.travel import follow, is_long, one_by_one, show_overview

REST_STEP_SECONDS = 0.4  # a step of the steps shown together: the camera moves on


def along(stage: Stage) -> str:
    """The paths the errors travel, in words: "along h and along the cell state"."""
    words = stage.trace.spec.state_words  # a state the cell does not name is called by its key
    return " and ".join(f"along {words.get(p, p)}" for p in stage.states)


def grow_arrows(stage: Stage, arrows: list) -> list[GrowArrow]:
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


def enter_bptt(stage: Stage) -> None:
    with stage.beat("backward", f"Backpropagation starts from the losses and sends errors "
                                f"backwards in time {along(stage)}, one colour per loss term, each "
                                "named where its errors start."):
        show_forward_state(stage)
        show_overview(stage, animate=False)  # a long chain: every loss term in view
        stage.band.open_backward()
        error_flow(stage)  # built now, shown arrow by arrow


def output_errors(stage: Stage) -> None:
    tr, net = stage.trace, stage.net
    with stage.beat("output errors", "Each loss term first gives the error of its own "
                                     "outputs: dL/do(t) = ŷ(t) minus the one-hot target.",
                    spoken="Each loss term first gives the error of its own outputs: the "
                           "error at o t equals y hat t minus the one-hot target."):
        vmax = scale_of(tr.dL_do)
        anims = show_units(net, [(net.cells("yhat", t), tr.dL_do[t - 1], vmax)
                                 for t in range(1, stage.T + 1)], True)
        stage.play(*anims, Indicate(stage.loss_labels, scale_factor=1.1), run_time=1.0)
        stage.scene.wait(0.3)


def backward_step(stage: Stage, t: int) -> None:
    """The error of L(t) arrives, then what the later steps send back through the recurrent
    connection; each state's error and its two parts, then the pre-activations' errors."""
    net, band = stage.net, stage.band
    arriving = error_flow(stage).arriving_at(t)
    own = [a for a in arriving if a.source == t]
    incoming = [a for a in arriving if a.source != t]
    if t == stage.T:
        caption = (f"The last step first: dL/dh({t}) is only the error of L({t}), sent back "
                   "through V.")
    else:
        carried = "".join(f"; {stage.words(w, t)}" for w in stage.trace.spec.carry_words.values())
        caption = (f"dL/dh({t}) gathers the error of L({t}) through V, plus what step {t + 1} "
                   f"sends back{carried}.")
    with stage.beat(f"backward step {t}", caption):
        states, pre = error_units(stage, t)
        stage.play(*follow(stage, t), *grow_arrows(stage, own), *band.error_own(t),
                   run_time=0.5)
        if incoming:
            stage.play(*grow_arrows(stage, incoming), *band.error_incoming(t),
                       *net.link_animations("h", "h", True, t + 1), run_time=0.6)
        stage.play(*show_units(net, states, True),
                   *(net.link_animations("h", "h", False, t + 1) if incoming else []),
                   *band.error_sum(t), run_time=0.6)
        stage.play(*band.error_pre(t), *show_units(net, pre, True), run_time=0.5)
        stage.scene.wait(0.5)  # time to read the parts and their sums


def backward_rest(stage: Stage, steps: list[int]) -> None:
    """``steps`` of a long chain (last first) in one beat: the camera travels back while the
    errors of every later loss term arrive at each step and its own errors follow."""
    if not steps:
        return
    net, flow = stage.net, error_flow(stage)
    first, last = steps[0], steps[-1]
    with stage.beat(f"backward steps {first}-{last}",
                    f"Steps {first} down to {last} do the same: each gathers its own loss "
                    f"term's error and what the later steps send back."):
        fade = stage.band.rest_start()
        for t in steps:
            states, pre = error_units(stage, t)
            anims = [*fade, *follow(stage, t), *grow_arrows(stage, flow.arriving_at(t)),
                     *show_units(net, [*states, *pre], True)]
            if t == last:
                anims += stage.band.rest_readout(t)
            stage.play(*anims, run_time=REST_STEP_SECONDS)
            fade = []


def backward_steps(stage: Stage) -> None:
    """From the last step back: one beat each, or, along a long chain, the last few and then
    the rest together."""
    shown, rest = one_by_one(stage, list(range(stage.T, 0, -1)))
    for t in shown:
        backward_step(stage, t)
    backward_rest(stage, rest)


def finish_bptt(stage: Stage) -> None:
    caption = (f"Every loss term has sent its error back to every earlier step, {along(stage)}; "
               "the thicker the arrow, the larger the error.")
    with stage.beat("all errors", caption):
        if is_long(stage):  # the whole chain, rather than thousands of arrows flashing
            stage.play(*show_overview(stage), run_time=1.0)
        else:
            stage.play(*[Indicate(a, scale_factor=1.05, color=a.get_color())
                         for a in error_flow(stage)], run_time=1.0)
        stage.scene.wait(0.5)
    stage.shown.add("errors")


def backward_pass(stage: Stage) -> None:
    """All BPTT beats in order."""
    enter_bptt(stage)
    output_errors(stage)
    backward_steps(stage)
    finish_bptt(stage)
