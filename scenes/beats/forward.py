"""Beats of the forward pass: the unfolded network computes step by step, for every cell.

Per step x(t) enters, the gates light up with their recorded activations (a cell without
gates has none), then the states, then the output and its loss; neurons also light up the
connection each phase runs through. Every number drawn is read from the Trace (``x``,
``gates``, the states, ``yhat``, ``losses``, ``cumulative_losses``); these functions only
decide what appears when, and say it in the cell's words (``rnn.cells``).
"""

from __future__ import annotations

from manim import Indicate

from scenes.beats.stage import Stage, forward_units, loss_label, show_units
from scenes.beats.travel import follow, one_by_one, show_overview

REST_STEP_SECONDS = 0.4  # a step of the steps shown together: the camera moves on


def step_caption(stage: Stage, t: int) -> str:
    spec = stage.trace.spec
    words = spec.first_step_words if t == 1 and spec.first_step_words else spec.step_words
    return f"Step {t}: {stage.words(words, t)}; V turns h({t}) into ŷ({t}) and its loss L({t})."


def show_unfolded(stage: Stage) -> None:
    spec = stage.trace.spec
    caption = f"{spec.called[0].upper()}{spec.called[1:]} unfolded in time: {spec.anatomy}."
    with stage.beat("unfold", caption):
        show_overview(stage, animate=False)  # a long chain starts seen whole
        stage.scene.add(stage.net, stage.loss_labels)  # static from now on: painted once
        stage.band.open_forward()
        stage.scene.wait(0.5)


def _output(stage: Stage, t: int) -> list:
    """ŷ(t) and L(t) appearing (the label joins the loss labels, drawn once)."""
    label = loss_label(stage, t).set_opacity(0.0)
    stage.loss_labels.add(label)
    return [*show_units(stage.net, [(stage.net.cells("yhat", t), stage.trace.yhat[t - 1], 1.0)],
                        True),
            label.animate.set_opacity(1.0)]


def forward_step(stage: Stage, t: int) -> None:
    """x(t) enters through its connections, the gates light up, then the states from x(t) and
    the previous ones, then ŷ(t) and L(t)."""
    tr, net, band = stage.trace, stage.net, stage.band
    with stage.beat(f"forward step {t}", step_caption(stage, t)):
        gates, states = forward_units(stage, t)
        stage.play(*stage.pending_off, *follow(stage, t),
                   *net.input_animations(tr.X[t - 1], t), *net.link_animations("x", "h", True, t),
                   *band.step_input(t), *show_units(net, gates, True), run_time=0.5)
        stage.play(*net.link_animations("x", "h", False, t),
                   *(net.link_animations("h", "h", True, t) if t > 1 else []),
                   *band.step_state(t), *show_units(net, states, True), run_time=0.7)
        stage.play(*(net.link_animations("h", "h", False, t) if t > 1 else []),
                   *band.step_output(t), *net.link_animations("h", "o", True, t),
                   *_output(stage, t), *band.new_loss(t), run_time=0.7)
        stage.pending_off = [*net.link_animations("h", "o", False, t), *band.step_done(t)]
        stage.scene.wait(0.2)


def forward_rest(stage: Stage, steps: list[int]) -> None:
    """``steps`` of a long chain together, in one beat: the camera travels along them while
    each step's input, gates, states, output and loss appear."""
    if not steps:
        return
    tr, net = stage.trace, stage.net
    first, last = steps[0], steps[-1]
    with stage.beat(f"forward steps {first}-{last}",
                    f"Steps {first} to {last} repeat the same computation with the same "
                    f"weights, each from the states before it."):
        off, stage.pending_off = stage.pending_off, []
        for t in steps:
            gates, states = forward_units(stage, t)
            anims = [*off, *follow(stage, t), *net.input_animations(tr.X[t - 1], t, flash=False),
                     *show_units(net, [*gates, *states], True), *_output(stage, t)]
            if t == last:
                anims += stage.band.rest_done(last)
            stage.play(*anims, run_time=REST_STEP_SECONDS)
            off = []
        stage.pending_off = stage.band.step_done(last)


def show_total_loss(stage: Stage) -> None:
    with stage.beat("total loss", "The loss of the whole sequence is the sum of its "
                                   "per-step terms, read from the engine."):
        stage.play(*stage.pending_off, *show_overview(stage), Indicate(stage.band.total()),
                   Indicate(stage.loss_labels), run_time=1.0)
        stage.pending_off = []
        stage.scene.wait(0.8)
    stage.shown.add("forward")


def forward_steps(stage: Stage) -> None:
    """Every step: one beat each, or, along a long chain, the first few and then the rest."""
    shown, rest = one_by_one(stage, list(range(1, stage.T + 1)))
    for t in shown:
        forward_step(stage, t)
    forward_rest(stage, rest)


def forward_pass(stage: Stage) -> None:
    """All forward beats in order."""
    show_unfolded(stage)
    forward_steps(stage)
    show_total_loss(stage)
