"""Beats of the gradients: per-step contributions, their sum over time, one update per pass.

Each step's contribution is framed with what it is made of (``net.contribution_frames``): the
errors that reach it, the activity that fed them. Contributions come from
``trace.contributions(name)``, totals from ``trace.grads`` and the new parameters from
``trace.update.params_after``: the scene adds nothing up itself. The band shows them as
numbers or, when there are too many to print, as heatmaps (a gated cell's in gate blocks).
"""

from __future__ import annotations

from manim import Create

from scenes.beats.band import settle
from scenes.beats.stage import Stage, error_flow, show_error_state
from scenes.beats.travel import follow, one_by_one, show_overview, step_beats

REST_STEP_SECONDS = 0.4  # a step of the steps shown together: the camera moves on
DIM = 0.15  # opacity of the errors a step does not need


def contributions_panel(stage: Stage, t: int):
    """The contributions of step t to every parameter's gradient."""
    tr = stage.trace
    return stage.band.panel(f"contributions of step {t}",
                            {n: tr.contributions(n)[t - 1] for n in tr.params.names})


def _clear(stage: Stage) -> None:
    """The panel and frames on screen taken away at once: fading a panel of forty numbers,
    or of images, is slow."""
    stage.scene.remove(*[m for m in (stage.panel, stage.frames) if m is not None])
    stage.panel = stage.frames = None


def _put(stage: Stage, panel, frames=None) -> None:
    """``panel`` shown at once, after the play that drew ``frames``."""
    stage.scene.add(panel)
    settle(stage, panel)
    stage.panel, stage.frames = panel, frames


def enter_gradients(stage: Stage) -> None:
    with stage.beat("gradients", "Gradients need the errors: the contribution of each "
                                 "step is an error times the activity that fed it."):
        show_error_state(stage)
        show_overview(stage, animate=False)  # a long chain starts seen whole
        stage.band.open_gradients()
        # the losses make room for the numbers of the gradients
        stage.play(stage.loss_labels.animate.set_opacity(0.0), run_time=0.3)


def contribution_step(stage: Stage, t: int) -> None:
    flow, tr = error_flow(stage), stage.trace
    gates = f", gate by gate ({', '.join(tr.gate_names)})" if tr.gate_names else ""
    with stage.beat(f"contribution {t}", f"Step {t} contributes to every parameter{gates}; "
                                         f"it needs the errors that reach step {t}, "
                                         "from every later loss term."):
        needed = flow.needed_at(t)
        ids = {id(a) for a in needed}
        others = [a for a in flow if id(a) not in ids]
        frames, panel = stage.net.contribution_frames(t), contributions_panel(stage, t)
        _clear(stage)
        stage.frames = frames  # part of the chain: a travelling camera draws them there
        stage.play(*follow(stage, t), Create(frames),
                   *[a.animate.set_opacity(DIM) for a in others],
                   *[a.animate.set_opacity(1.0) for a in needed],
                   *stage.band.contribution(t), run_time=0.6)
        _put(stage, panel, frames)
        stage.scene.wait(1.5)  # time to read the numbers


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
                a.set_opacity(DIM)
            frames = stage.net.contribution_frames(t)
            _clear(stage)
            _put(stage, contributions_panel(stage, t), frames)
            stage.play(*follow(stage, t), Create(frames), run_time=REST_STEP_SECONDS)


def contribution_steps(stage: Stage, until: int | None = None) -> None:
    """Contributions one beat each, or, along a long chain, the first few and then the rest;
    ``until``: stop after that step's own beat."""
    step_beats(stage.T, until, lambda steps: one_by_one(stage, steps),
               lambda t: contribution_step(stage, t), lambda steps: contribution_rest(stage, steps))


def sum_over_time(stage: Stage) -> None:
    net, tr = stage.net, stage.trace
    with stage.beat("sum over time", "Parameters are shared by every step, so each gradient "
                                     "is the sum of its contributions over time."):
        panel = stage.band.panel("gradients: sums over t",
                                 {n: tr.grads[n] for n in tr.params.names})
        _clear(stage)
        flow = error_flow(stage)
        if net.long:  # thousands of arrows: at once, while the camera zooms out
            for arrow in flow:
                arrow.set_opacity(1.0)
            brighten = []
        else:
            brighten = [a.animate.set_opacity(1.0) for a in flow]
        stage.play(*show_overview(stage), *brighten,
                   *net.link_animations("x", "h", True), *net.link_animations("h", "h", True),
                   *net.link_animations("h", "o", True), *stage.band.summed(), run_time=0.8)
        _put(stage, panel)
        stage.scene.wait(2.0)


def update_once(stage: Stage) -> None:
    net, up = stage.net, stage.trace.update
    with stage.beat("one update", "Then, once per pass, every parameter is updated with its "
                                  "summed gradient: one update, shared by all the steps."):
        if up is None:
            stage.scene.wait(0.5)
            return
        panel = stage.band.panel("new parameters (one update per pass)",
                                 {n: getattr(up.params_after, n) for n in stage.trace.params.names})
        stage.band.open_update(up)
        _clear(stage)
        stage.play(*net.link_animations("x", "h", False), *net.link_animations("h", "h", False),
                   *net.link_animations("h", "o", False), run_time=0.6)
        _put(stage, panel)
        stage.scene.wait(2.0)


def gradient_pass(stage: Stage, until: int | None = None) -> None:
    """All gradient beats in order; ``until``: stop after that step's contribution (the
    article's figure of one step's frames)."""
    enter_gradients(stage)
    contribution_steps(stage, until)
    if until is None:
        sum_over_time(stage)
        update_once(stage)
