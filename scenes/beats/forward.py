"""Beats of the forward pass: the unfolded RNN computes step by step.

Every number drawn is read from the Trace (``x``, ``h``, ``yhat``, ``losses``,
``cumulative_losses``); these functions only decide what appears when.
"""

from __future__ import annotations

from manim import Indicate, ReplacementTransform, Text, VGroup

from scenes.beats.stage import (
    Stage,
    lift,
    loss_label,
    mark_term,
    place_top,
    set_top,
    settle,
    swap_top,
)
from scenes.beats.travel import follow, one_by_one, show_overview
from scenes.components import equation, light
from scenes.components.theme import format_value


def forward_equations(stage: Stage) -> VGroup:
    """a(t), h(t) and o(t) side by side on the first line of the top band."""
    eqs = VGroup(*[equation(k, stage.theme, font_size=30) for k in ("a", "h", "o")])
    eqs.arrange(buff=0.7)
    stage.eq = {"a": eqs[0], "h": eqs[1], "o": eqs[2]}
    return place_top(eqs, stage, 0)


REST_STEP_SECONDS = 0.4  # a step of the steps shown together: the camera moves on


def running_loss(stage: Stage, t: int) -> Text:
    """The loss accumulated up to step t, from the engine's cumulative losses."""
    value = "" if t == 0 else format_value(stage.trace.cumulative_losses[t - 1])
    label = f"L(1..{t}) = {value}" if t else "L = 0"
    text = light(Text(label, font="Monospace", color=stage.theme.text)).scale_to_fit_height(0.26)
    return text.move_to([4.6, stage.net.layout.panel_y + 0.25, 0])


def _term(stage: Stage, eq: str, key: str, color=None) -> list:
    return mark_term(stage, eq, key, color)


def show_unfolded(stage: Stage) -> None:
    with stage.beat("unfold", "The same small network is copied once per time step, "
                               "inputs at the bottom, hidden units in the middle, outputs on top."):
        show_overview(stage, animate=False)  # a long chain starts seen whole
        stage.scene.add(stage.net)  # static from now on: it is painted once
        stage.loss_labels = VGroup()
        stage.scene.add(stage.loss_labels)  # filled step by step; one group, drawn once
        stage.loss_total = running_loss(stage, 0)
        set_top(stage, forward_equations(stage), stage.loss_total, run_time=1.0)
        stage.scene.wait(0.5)


def forward_step(stage: Stage, t: int) -> None:
    """x(t) enters, h(t) lights up from x(t) and h(t-1), then o(t), yhat(t) and L(t) appear."""
    tr, net, th = stage.trace, stage.net, stage.theme
    caption = (f"Step {t}: the input and the previous hidden state, through U and W, "
               f"give h({t}); V turns it into the prediction and its loss L({t}).")
    if t == 1:
        caption = ("Step 1: the input, through U, gives h(1); V turns it into the "
                   "prediction and its loss L(1).")
    with stage.beat(f"forward step {t}", caption):
        off = stage.pending_off
        stage.play(*off, *follow(stage, t),
                   *net.neurons("x", t).show_animations(tr.X[t - 1], 1.0),
                   *net.highlight_animations("U", True, t),
                   *_term(stage, "a", "U", th.param_color("U")),
                   run_time=0.5)
        stage.play(*net.highlight_animations("U", False, t),
                   *(net.highlight_animations("W", True, t) if t > 1 else []),
                   *_term(stage, "a", "U"), *_term(stage, "a", "W", th.param_color("W")),
                   *net.neurons("h", t).show_animations(tr.h[t - 1], 1.0), run_time=0.7)
        label = loss_label(stage, t).set_opacity(0.0)
        stage.loss_labels.add(label)
        new_total = running_loss(stage, t)
        lift(stage, stage.loss_total)
        stage.play(*(net.highlight_animations("W", False, t) if t > 1 else []),
                   *_term(stage, "a", "W"), *_term(stage, "o", "V", th.param_color("V")),
                   *net.highlight_animations("V", True, t),
                   *net.neurons("o", t).show_animations(tr.yhat[t - 1], 1.0),
                   label.animate.set_opacity(1.0),
                   ReplacementTransform(stage.loss_total, new_total),
                   run_time=0.7)
        swap_top(stage, stage.loss_total, new_total)
        stage.loss_total = new_total  # the Text on screen now says the new total
        settle(stage, new_total)
        stage.pending_off = [*net.highlight_animations("V", False, t),
                             *_term(stage, "o", "V")]
        stage.scene.wait(0.2)


def show_total_loss(stage: Stage) -> None:
    with stage.beat("total loss", "The loss of the whole sequence is the sum of its "
                                   "per-step terms, read from the engine."):
        lift(stage, stage.loss_total)
        stage.play(*stage.pending_off, *show_overview(stage), Indicate(stage.loss_total),
                   Indicate(stage.loss_labels), run_time=1.0)
        stage.pending_off = []
        stage.scene.wait(0.8)
    stage.shown.add("forward")


def forward_rest(stage: Stage, steps: list[int]) -> None:
    """``steps`` of a long chain together, in one beat: the camera travels along them while
    each step's input, hidden state, output and loss appear."""
    if not steps:
        return
    tr, net = stage.trace, stage.net
    first, last = steps[0], steps[-1]
    with stage.beat(f"forward steps {first}-{last}",
                    f"Steps {first} to {last} repeat the same computation with the same U, W "
                    f"and V, each from the hidden state before it."):
        off, stage.pending_off = stage.pending_off, []
        for t in steps:
            label = loss_label(stage, t)
            stage.loss_labels.add(label)
            anims = [*off, *follow(stage, t),
                     *net.neurons("x", t).show_animations(tr.X[t - 1], 1.0),
                     *net.neurons("h", t).show_animations(tr.h[t - 1], 1.0),
                     *net.neurons("o", t).show_animations(tr.yhat[t - 1], 1.0)]
            if t == last:
                new_total = running_loss(stage, last)
                lift(stage, stage.loss_total)
                anims.append(ReplacementTransform(stage.loss_total, new_total))
                swap_top(stage, stage.loss_total, new_total)
                stage.loss_total = new_total
            stage.play(*anims, run_time=REST_STEP_SECONDS)
            off = []
        settle(stage, stage.loss_total)


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
