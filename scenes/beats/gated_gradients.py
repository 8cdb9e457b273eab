"""Beats of the gradients of an LSTM or GRU: per-step contributions, their sum, one update.

The gated counterpart of ``beats.gradients``, on the gated chain: each step's contribution to
W_ih, W_hh, b_ih, b_hh, V and c (the stacked ones in gate blocks, labelled i, f, g, o or
r, z, n) is framed with what it is made of: the errors at the step's gates, x(t) and h(t-1)
feeding them, the output error and h(t) for V and c. Contributions come from
``trace.contributions(name)``, totals from ``trace.grads`` and the new parameters from
``trace.update.params_after``: the scene adds nothing up itself.
"""

from __future__ import annotations

from manim import Create, FadeIn, Group, Rectangle, VGroup

from scenes.beats.gated_chain import (
    GatedStage,
    _text,
    error_flow,
    set_line,
    show_forward_state,
    steps_in_beats,
    title,
)
from scenes.beats.gated_travel import follow, show_overview
from scenes.beats.stage import beat
from scenes.beats.travel import step_beats
from scenes.components.strips import HeatPanel

PANEL_Y = 2.85  # centre of the panel, under the top line, over the (hidden) losses
PANEL_BOX = (13.0, 1.45)  # width, height
REST_STEP_SECONDS = 0.4
# the parameter each frame stands for (its colour), and what it frames at step t
FRAMED = (("W_ih", "x"), ("W_hh", "h_prev"), ("b_ih", "gates"), ("V", "h"), ("c", "yhat"))


def gradient_blocks(trace, values: dict) -> tuple[dict, dict]:
    """``values`` (name -> array of a parameter's shape) as the panel shows them, in the order
    of the parameters, and the gate blocks of each: a stacked parameter (G H rows, one block
    per gate) is shown transposed, its gate blocks side by side (``W_hhᵀ``), so its heatmap is
    as wide as it is tall rather than a thin column."""
    G, H = len(trace.gate_names), trace.h.shape[1]
    blocks, groups = {}, {}
    for name in trace.params.names:
        arr = values[name]
        if arr.shape[0] == G * H:
            shown = f"{name}ᵀ" if arr.ndim == 2 else name
            blocks[shown] = arr.T if arr.ndim == 2 else arr.reshape(1, -1)
            groups[shown] = trace.gate_names
        else:
            blocks[name] = arr
    return blocks, groups


def gradient_panel(stage: GatedStage, values: dict) -> Group:
    """The parameters as heatmaps, the stacked ones with their gate blocks named."""
    blocks, groups = gradient_blocks(stage.trace, values)
    panel = HeatPanel(blocks, stage.theme, *PANEL_BOX, column_groups=groups)
    return panel.move_to([0, PANEL_Y, 0])


def _frame(mob, color, pad: float, width: float = 2.0) -> Rectangle:
    rect = Rectangle(width=mob.width + 2 * pad, height=mob.height + 2 * pad, color=color,
                     stroke_width=width)
    return rect.move_to(mob.get_center())


def frame_step(stage: GatedStage, t: int) -> VGroup:
    """Frames around what step t's contribution is made of, one per parameter colour: x(t)
    (W_ih), h(t-1) (W_hh; none at step 1, where h(0) is not drawn), the gates' errors (the
    biases), h(t) (V) and the output's error (c). Each sits on its own row: none crosses
    another."""
    ch, th = stage.chain, stage.theme
    parts = {"x": ch.x_labels[t], "gates": ch.gates[t], "h": ch.cells("h", t),
             "yhat": ch.cells("yhat", t)}
    if t > 1:
        parts["h_prev"] = ch.cells("h", t - 1)
    frames = VGroup()
    for name, part in FRAMED:
        if part in parts:
            frames.add(_frame(parts[part], th.param_colors[name], 0.05,
                              3.0 if name == "W_hh" else 2.0))
    return frames


def enter_gradients(stage: GatedStage) -> None:
    with beat(stage, "gradients", "Gradients need the errors: each step adds the error at its "
                                  "gates times the activity that fed them, x(t) and h(t−1)."):
        show_forward_state(stage)
        show_overview(stage, animate=False)  # a long chain starts seen whole
        flow = error_flow(stage)
        for arrow in flow:  # every error, dimmed: the steps' frames say which are needed
            arrow.set_opacity(0.25)
        equations = _text(stage, "∇W_ih = Σ_t δ(t) x(t)ᵀ      ∇W_hh = Σ_t δ_hh(t) h(t−1)ᵀ      "
                                 "∇b = Σ_t δ(t)      ∇V = Σ_t ∂L/∂o(t) h(t)ᵀ", 0.24)
        stage.play(*set_line(stage, 0, title(stage)), *set_line(stage, 1, None),
                   *set_line(stage, 2, None), *set_line(stage, 3, None), run_time=0.5)
        stage.play(*set_line(stage, 0, equations), run_time=0.5)
        stage.scene.add(flow)
        stage.play(*[lab.animate.set_opacity(0.0) for lab in stage.loss_labels], run_time=0.4)


def _show(stage: GatedStage, panel: Group, frames: VGroup | None = None, t: int = 1,
          run_time: float = 0.6) -> None:
    """``panel`` (and ``frames`` of step ``t``, drawn in ``run_time``) in place of the ones on
    screen; the numbers appear at once (fading a panel of images is slow)."""
    stage.scene.remove(*[m for m in (stage.panel, stage.frames) if m is not None])
    stage.scene.add(panel)
    stage.panel, stage.frames = panel, frames
    if frames is not None:  # the camera goes to the step, along a long chain
        stage.play(*follow(stage, t), Create(frames), run_time=run_time)


def contribution_step(stage: GatedStage, t: int) -> None:
    tr = stage.trace
    gates = ", ".join(tr.gate_names)
    with beat(stage, f"contribution {t}", f"Step {t} contributes to every parameter, gate by "
                                          f"gate ({gates}); it needs the errors that reach "
                                          f"step {t}, from every later loss term."):
        panel = gradient_panel(stage, {n: tr.contributions(n)[t - 1] for n in tr.params.names})
        _show(stage, panel, frame_step(stage, t), t)
        stage.scene.wait(1.5)  # time to see the blocks


def contribution_rest(stage: GatedStage, steps: list[int]) -> None:
    if not steps:
        return
    tr = stage.trace
    first, last = steps[0], steps[-1]
    with beat(stage, f"contributions {first}-{last}",
              f"Steps {first} to {last} contribute in the same way, each with the errors "
              "that reach it."):
        for t in steps:
            panel = gradient_panel(stage, {n: tr.contributions(n)[t - 1]
                                           for n in tr.params.names})
            _show(stage, panel, frame_step(stage, t), t, REST_STEP_SECONDS)


def sum_over_time(stage: GatedStage) -> None:
    with beat(stage, "sum over time", "Parameters are shared by every step, so each gradient "
                                      "is the sum of its contributions over time."):
        _show(stage, gradient_panel(stage, stage.trace.grads))
        for arrow in stage.flow:  # every step's errors went into the sums
            arrow.set_opacity(1.0)
        stage.play(*show_overview(stage), run_time=0.6)
        stage.scene.wait(2.0)


def update_once(stage: GatedStage) -> None:
    up = stage.trace.update
    with beat(stage, "one update", "Then, once per pass, every parameter is updated with its "
                                   "summed gradient: one update, shared by all the steps."):
        if up is None:
            stage.scene.wait(0.5)
            return
        rule = _text(stage, f"new parameters: θ ← θ − lr ∇θ ({up.method}, learning rate "
                            f"{up.lr:g}), one update per pass", 0.24)
        panel = gradient_panel(stage, {n: getattr(up.params_after, n)
                                       for n in stage.trace.params.names})
        _show(stage, panel)
        stage.play(*set_line(stage, 0, rule), FadeIn(panel), run_time=0.5)
        stage.scene.wait(2.0)


def gated_gradients(stage: GatedStage, until: int | None = None) -> None:
    """All gradient beats in order: the first steps one by one, the rest together; ``until``:
    stop after that step's own beat (the figure of one step's frames)."""
    enter_gradients(stage)
    step_beats(stage.T, until, lambda steps: steps_in_beats(stage, steps),
               lambda t: contribution_step(stage, t), lambda steps: contribution_rest(stage, steps))
    if until is not None:
        return
    sum_over_time(stage)
    update_once(stage)

