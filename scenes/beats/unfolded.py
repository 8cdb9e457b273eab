"""The stage of the unfolded scenes for any cell, and their two passes on it.

A cell without gates is drawn as neurons (``beats.stage``); a gated cell as its chain of gate
boxes, states and the paths between them (``beats.gated_chain``), rows and error paths read
from the cell's declaration (its states). Both travel along a chain longer than the frame.
The scene modules call these functions and hold no per-cell branch.
"""

from __future__ import annotations

from manim import Scene

from scenes.beats.bptt import backward_steps, enter_bptt, finish_bptt, output_errors
from scenes.beats.forward import forward_steps, show_total_loss, show_unfolded
from scenes.beats.gated_chain import GatedStage, build_gated_stage, gated_bptt, gated_forward
from scenes.beats.gated_gradients import gated_gradients
from scenes.beats.gradients import (
    contribution_steps,
    enter_gradients,
    sum_over_time,
    update_once,
)
from scenes.beats.inputs import SceneInput
from scenes.beats.stage import build_stage
from scenes.beats.travel import attach


def build_unfolded_stage(scene: Scene, inp: SceneInput):
    """The stage ``inp.trace``'s cell is drawn on (raises past its drawing limits)."""
    if inp.trace.gate_names:  # gates to show under each state: the gated chain, still camera
        return build_gated_stage(scene, inp)
    stage = build_stage(scene, inp)
    attach(stage)
    return stage


def check_unfolded(trace) -> None:
    """Refuse, in one line and before rendering, a gated trace the gated chain cannot draw
    (a gateless one is checked by its stage, which a camera can follow along)."""
    from scenes.components.gated_chain import check_gated_chain

    if trace.gate_names:
        T, H = trace.h.shape
        check_gated_chain(T, H, trace.yhat.shape[1])


def play_forward(stage) -> None:
    """x(t) enters, the states light up from the previous ones, o(t), yhat(t), L(t) appear."""
    if isinstance(stage, GatedStage):
        gated_forward(stage)
        return
    show_unfolded(stage)
    forward_steps(stage)
    show_total_loss(stage)


def play_gradients(stage, until: int | None = None) -> None:
    """Each step's contribution framed with what it needs, the sum over time, one update;
    ``until``: stop after step ``until``'s contribution (the article's frames figure)."""
    if isinstance(stage, GatedStage):
        gated_gradients(stage, until)
        return
    enter_gradients(stage)
    contribution_steps(stage, until=until)
    if until is None:
        sum_over_time(stage)
        update_once(stage)


def play_bptt(stage) -> None:
    """The errors at the outputs, then back along every path, one colour per loss term."""
    if isinstance(stage, GatedStage):
        gated_bptt(stage)
        return
    enter_bptt(stage)
    output_errors(stage)
    backward_steps(stage)
    finish_bptt(stage)
