"""The stage of the unfolded scenes for any cell, and their three passes on it.

One Stage and one set of beats draw every cell: its units as neurons or heat columns
(``stage.build_stage``), its rows, gates, error paths, words and equations read from what the
cell declares. The chain travels along a camera when it is longer than the frame. The scene
modules call these functions and hold no per-cell branch.
"""

from __future__ import annotations

from manim import Scene

from scenes.beats.bptt import backward_pass
from scenes.beats.forward import forward_pass
from scenes.beats.gradients import gradient_pass
from scenes.beats.inputs import SceneInput
from scenes.beats.layers import is_network, network_bptt, network_forward, network_gradients
from scenes.beats.stage import DRAWING, build_stage, draws_heat
from scenes.beats.travel import attach
from scenes.components.heat_chain import check_heat_chain


def build_unfolded_stage(scene: Scene, inp: SceneInput):
    """The stage ``inp.trace``'s cell is drawn on (raises past its drawing limits)."""
    stage = build_stage(scene, inp)
    attach(stage)
    return stage


def check_unfolded(trace) -> None:
    """Refuse, in one line and before rendering, a trace the heat columns cannot draw (one
    drawn as neurons is checked by its stage, which a camera can follow along; so is one
    drawn as heat columns by the option ``drawing``)."""
    if is_network(trace):  # rows of heat columns
        check_heat_chain(trace.T, trace.params.hidden_size, trace.yhat.shape[1])
    elif draws_heat(trace):
        T, H = trace.h.shape
        check_heat_chain(T, H, trace.yhat.shape[1])


def play_forward(stage) -> None:
    """x(t) enters, the states light up from the previous ones, o(t), ŷ(t), L(t) appear;
    a network's rows fill in layer by layer."""
    (network_forward if is_network(stage.trace) else forward_pass)(stage)


def play_bptt(stage) -> None:
    """The errors at the outputs, then back along every path, one colour per loss term; in a
    network, from the top layer down."""
    (network_bptt if is_network(stage.trace) else backward_pass)(stage)


def play_gradients(stage, until: int | None = None) -> None:
    """Each step's contribution framed with what it needs, the sum over time, one update;
    ``until``: stop after step ``until``'s contribution (the article's frames figure)."""
    (network_gradients if is_network(stage.trace) else gradient_pass)(stage, until)
