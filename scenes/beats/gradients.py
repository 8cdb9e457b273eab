"""Beats of the gradients: per-step contributions, their sum over time, one update per pass.

Contributions come from ``trace.contributions(name)``, totals from ``trace.grads`` and the new
parameters from ``trace.update.params_after``: the scene adds nothing up itself.
"""

from __future__ import annotations

from manim import Create, FadeOut, Group, Rectangle, Text, VGroup

from scenes.beats.stage import (
    Stage,
    error_flow,
    lift,
    mark_term,
    place_top,
    set_top,
    settle,
    show_error_state,
)
from scenes.beats.travel import follow, one_by_one, show_overview, step_beats
from scenes.components import ParamPanel, equation, light
from scenes.components.strips import HeatPanel

PANEL_BOX = (12.6, 1.1)  # width, height of the numbers in the top band
REST_STEP_SECONDS = 0.4  # a step of the steps shown together: the camera moves on


def _panel(stage: Stage, title: str, blocks: dict) -> VGroup | Group:
    head = light(Text(title, font="Sans", color=stage.theme.muted)).scale_to_fit_height(0.2)
    if stage.net.layout.any_strip:  # too many numbers to print: each block as a heatmap
        group = Group(head, HeatPanel(blocks, stage.theme, *PANEL_BOX))
    else:
        group = VGroup(head, ParamPanel(blocks, stage.theme, *PANEL_BOX))
    group.arrange(direction=[0, -1, 0], buff=0.12)
    return group.move_to([0, 2.3, 0])


def contributions_panel(stage: Stage, t: int) -> VGroup:
    """The contributions of step t to every parameter's gradient."""
    blocks = {n: stage.trace.contributions(n)[t - 1] for n in stage.trace.params.names}
    return _panel(stage, f"contributions of step {t}", blocks)


Box = tuple[float, float, float, float]  # left, right, bottom, top


def _bounds(*mobs) -> Box:
    group = Group(*mobs)  # a wide layer is a strip: an image, not a vector shape
    return group.get_left()[0], group.get_right()[0], group.get_bottom()[1], group.get_top()[1]


def _padded(box: Box, pad: float) -> Box:
    return box[0] - pad, box[1] + pad, box[2] - pad, box[3] + pad


def _rect(box: Box, color, width: float) -> Rectangle:
    left, right, bottom, top = box
    rect = Rectangle(width=right - left, height=top - bottom, color=color, stroke_width=width)
    return rect.move_to([(left + right) / 2, (bottom + top) / 2, 0])


FRAME_GAP = 0.08  # between frames that stand apart


def frame_boxes(stage: Stage, t: int) -> dict[str, Box]:
    """Where the frames of step t's contributions go, nested or apart, none crossing another
    or a neuron: b around h(t) inside W's frame around h(t-1), h(t) and the W arcs between;
    U's frame below (x(t) and the U connections up to W's frame), V's above it, holding c's
    frame around o(t). Step 1 has no W frame (h(0) is not drawn)."""
    net = stage.net
    h = _bounds(net.neurons("h", t))
    boxes = {"b": _padded(h, 0.06)}
    inner = _padded(h, 0.12)  # what U and V keep clear of: W's frame, or b's margin
    if t > 1 and len(net.connections("W", t)) > 0:
        inner = _padded(_bounds(net.neurons("h", t - 1), net.neurons("h", t),
                                net.connections("W", t)), 0.12)
        boxes["W"] = inner
    x = _bounds(net.neurons("x", t), net.connections("U", t))
    boxes["U"] = (min(x[0], h[0]) - 0.12, max(x[1], h[1]) + 0.12, x[2] - 0.12,
                  inner[2] - FRAME_GAP)
    o = _bounds(net.neurons("o", t))
    boxes["c"] = _padded(o, 0.06)
    v = _bounds(net.connections("V", t), net.neurons("o", t))
    boxes["V"] = (min(v[0], h[0]) - 0.12, max(v[1], h[1]) + 0.12, inner[3] + FRAME_GAP,
                  o[3] + 0.12)
    return boxes


def frame_step(stage: Stage, t: int) -> VGroup:
    """Frames around what step t's contribution is made of, one per parameter colour, nested
    or apart (``frame_boxes``)."""
    th = stage.theme
    frames = VGroup()
    for name, box in frame_boxes(stage, t).items():
        frames.add(_rect(box, th.param_color(name), 3.0 if name == "W" else 2.0))
    return frames


def enter_gradients(stage: Stage) -> None:
    with stage.beat("gradients", "Gradients need the errors: the contribution of each "
                                  "step is an error times the activity that fed it."):
        show_error_state(stage)
        show_overview(stage, animate=False)  # a long chain starts seen whole
        if stage.readout is not None:
            lift(stage, stage.readout)
            stage.play(FadeOut(stage.readout), run_time=0.3)
            stage.readout = None
        stage.eq = {"grad": place_top(equation("grad", stage.theme, 30), stage, 0)}
        set_top(stage, stage.eq["grad"], run_time=0.8)
        # the losses make room for the numbers of the gradients
        stage.play(stage.loss_labels.animate.set_opacity(0.0), run_time=0.3)


def contribution_step(stage: Stage, t: int) -> None:
    flow = error_flow(stage)
    th = stage.theme
    with stage.beat(f"contribution {t}", f"Step {t} contributes to every parameter; "
                                          f"it needs the errors that reach step {t}, "
                                          "from every later loss term."):
        needed = flow.needed_at(t)
        others = [a for a in flow if a not in needed]
        panel = contributions_panel(stage, t)
        frames = frame_step(stage, t)
        old = [FadeOut(m) for m in (stage.panel, stage.frames) if m is not None]
        if stage.panel is not None:
            lift(stage, stage.panel)
        # both are part of the chain while one fades out: a travelling camera draws them there
        stage.frames = VGroup(*[m for m in (stage.frames,) if m is not None], frames)
        stage.play(*old, *follow(stage, t), Create(frames),
                   *[a.animate.set_opacity(0.15) for a in others],
                   *[a.animate.set_opacity(1.0) for a in needed],
                   *([] if ("grad", "term") in stage.marks
                     else mark_term(stage, "grad", "term", th.param_color("W"))),
                   run_time=0.6)
        stage.scene.add(panel)  # numbers appear at once: fading 40 glyph groups is slow
        settle(stage, panel)
        stage.panel, stage.frames = panel, frames
        stage.scene.wait(1.5)  # time to read the numbers


def sum_over_time(stage: Stage) -> None:
    th, net = stage.theme, stage.net
    with stage.beat("sum over time", "Parameters are shared by every step, so each gradient "
                                      "is the sum of its contributions over time."):
        panel = _panel(stage, "gradients: sums over t", {n: stage.trace.grads[n]
                                                         for n in stage.trace.params.names})
        lift(stage, stage.panel)
        stage.play(FadeOut(stage.panel), FadeOut(stage.frames), *show_overview(stage),
                   *[a.animate.set_opacity(1.0) for a in error_flow(stage)],
                   *[a for n in ("U", "W", "V") for a in net.highlight_animations(n, True)],
                   *mark_term(stage, "grad", "term"),
                   *mark_term(stage, "grad", "lhs", th.param_color("W")), run_time=0.8)
        stage.scene.add(panel)
        settle(stage, panel)
        stage.panel, stage.frames = panel, None
        stage.scene.wait(2.0)


def update_once(stage: Stage) -> None:
    net, up = stage.net, stage.trace.update
    with stage.beat("one update", "Then, once per pass, every parameter is updated with its "
                                   "summed gradient: one update, shared by all the steps."):
        if up is None:
            stage.scene.wait(0.5)
            return
        new = {n: getattr(up.params_after, n) for n in stage.trace.params.names}
        lr = light(Text(f"{up.method}, learning rate {up.lr:g}", font="Sans",
                        color=stage.theme.muted)).scale_to_fit_height(0.2)
        panel = _panel(stage, "new parameters (one update per pass)", new)
        stage.eq["update"] = place_top(equation("update", stage.theme, 30), stage, 0)
        lr.next_to(stage.eq["update"], direction=[1, 0, 0], buff=0.5)
        set_top(stage, stage.eq["update"], lr, run_time=0.6)
        lift(stage, stage.panel)
        stage.play(FadeOut(stage.panel),
                   *[a for n in ("U", "W", "V") for a in net.highlight_animations(n, False)],
                   run_time=0.6)
        stage.scene.add(panel)
        settle(stage, panel)
        stage.panel = panel
        stage.scene.wait(2.0)


def contribution_rest(stage: Stage, steps: list[int]) -> None:
    """``steps`` of a long chain in one beat: the camera travels on, each step framed with its
    contributions, the errors of the steps behind dimmed."""
    if not steps:
        return
    flow = error_flow(stage)
    first, last = steps[0], steps[-1]
    with stage.beat(f"contributions {first}-{last}",
                    f"Steps {first} to {last} contribute in the same way, each with the errors "
                    f"that reach it."):
        for t in steps:
            for a in flow.arriving_at(t - 1):  # no longer needed: at once, not animated
                a.set_opacity(0.15)
            panel, frames = contributions_panel(stage, t), frame_step(stage, t)
            old = [m for m in (stage.panel, stage.frames) if m is not None]
            stage.scene.remove(*old)
            stage.scene.add(panel)
            settle(stage, panel)
            stage.panel, stage.frames = panel, frames
            stage.play(*follow(stage, t), Create(frames), run_time=REST_STEP_SECONDS)


def contribution_steps(stage: Stage, until: int | None = None) -> None:
    """Contributions one beat each, or, along a long chain, the first few and then the rest;
    ``until``: stop after that step's own beat."""
    step_beats(stage.T, until, lambda steps: one_by_one(stage, steps),
               lambda t: contribution_step(stage, t), lambda steps: contribution_rest(stage, steps))


def gradient_pass(stage: Stage) -> None:
    """All gradient beats in order."""
    enter_gradients(stage)
    contribution_steps(stage)
    sum_over_time(stage)
    update_once(stage)
