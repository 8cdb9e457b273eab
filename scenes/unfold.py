"""Unfolding: the folded RNN becomes T copies side by side, one per time step, sharing U, W, V."""

from __future__ import annotations

from manim import *

from scenes.beats.contract import SceneContract
from scenes.beats.inputs import get_scene_input
from scenes.beats.stage import Stage, build_stage
from scenes.components.blocks import ValueScale
from scenes.components.folded import FoldedNetwork
from scenes.components.network import UnrolledNetwork
from scenes.components.panels import light
from scenes.components.repaint import PaintsStillOnce

VMAX = 1.0  # as in the forward scene: inputs, tanh states and probabilities lie in [-1, 1]
PARAMS = ("U", "W", "V")


def column(net: UnrolledNetwork, t: int) -> VGroup:
    """Step t's parts of the unrolled network, in the order of ``FoldedNetwork.column()``."""
    return VGroup(net.connections("U", t), net.connections("V", t),
                  net.param_labels("U")[t - 1], net.param_labels("V")[t - 1],
                  *[net.neurons(layer, t) for layer in ("x", "h", "o")])


def title(stage: Stage, s: str) -> Text:
    text = light(Text(s, font="Sans", color=stage.theme.text)).scale_to_fit_height(0.26)
    if text.width > 13.0:
        text.scale_to_fit_width(13.0)
    return text.move_to([0, stage.net.layout.top_y + 0.2, 0])


class UnfoldScene(PaintsStillOnce, Scene):
    """The folded network, with its recurrent loops, unfolds into one copy per step.

    The loops become the W connections between consecutive hidden layers; each copy is then
    filled with its own step of the Trace, and U, W, V are highlighted on every copy at once.
    The final frame is the unrolled network of the other scenes (``UnrolledNetwork``).
    """

    contract = SceneContract()

    def setup(self):
        inp = get_scene_input()
        self.stage = build_stage(self, inp)
        tr = inp.trace
        self.folded = FoldedNetwork(tr.X.shape[1], tr.h.shape[1], tr.o.shape[1],
                                    self.stage.theme, inp.values)
        self.heading: Text | None = None

    def construct(self):
        self.show_folded()
        self.unfold()
        self.show_values()
        self.show_sharing()
        self.show_figure()

    def retitle(self, s: str) -> list:
        new = title(self.stage, s)
        # a cross-fade: morphing one sentence into another garbles both
        anims = [FadeIn(new)] if self.heading is None else [FadeOut(self.heading), FadeIn(new)]
        self.heading = new
        return anims

    def show_folded(self):
        st, f = self.stage, self.folded
        with st.beat("folded", "Folded, the RNN is one network whose hidden layer feeds "
                               "itself at the next step."):
            self.add(f.lines["U"], f.lines["V"])  # static: painted once
            self.play(FadeIn(VGroup(*f.rows.values()), f.labels["U"], f.labels["V"],
                             f.labels["W"], f.loops),
                      *self.retitle("One RNN, folded: its hidden layer feeds itself"),
                      run_time=1.0)
            self.wait(1.2)

    def unfold(self):
        st, f, net = self.stage, self.folded, self.stage.net
        with st.beat("unfold", f"Unfolded, the same network is copied once per time step, "
                               f"{st.T} copies, and the loops become arrows from each hidden "
                               f"layer to the next."):
            parts = f.column()
            self.remove(f.lines["U"], f.lines["V"])  # the copies take their place
            columns = [column(net, t) for t in range(1, st.T + 1)]
            links = [net.connections("W", t) for t in range(2, st.T + 1)]
            moves = [ReplacementTransform(parts.copy(), col) for col in columns[1:]]
            moves.append(ReplacementTransform(parts, columns[0]))
            loops = [ReplacementTransform(f.loops.copy(), link) for link in links]
            self.play(*moves, *loops, FadeOut(f.loops), FadeOut(f.labels["W"]),
                      *self.retitle(f"Unfolded: one copy per time step, t = 1..{st.T}"),
                      run_time=2.0)
            self.remove(*columns, *links)
            self.add(net)  # one static picture from now on
            self.play(FadeIn(net.param_labels("W")), FadeIn(net.step_labels), run_time=0.6)
            self.wait(0.8)

    def show_values(self):
        st, tr, net = self.stage, self.stage.trace, self.stage.net
        with st.beat("values", "Each copy keeps the values of its own step: its input, hidden "
                               "state and output."):
            for t in range(1, st.T + 1):
                self.play(*net.neurons("x", t).show_animations(tr.X[t - 1], VMAX),
                          *net.neurons("h", t).show_animations(tr.h[t - 1], VMAX),
                          *net.neurons("o", t).show_animations(tr.yhat[t - 1], VMAX),
                          run_time=0.5)
            self.wait(0.6)

    def show_sharing(self):
        st, net = self.stage, self.stage.net
        with st.beat("shared", "U, W and V are the same in every copy: one set of "
                               "parameters, shared by all time steps."):
            for name in PARAMS:
                self.play(*net.highlight_animations(name, True), run_time=0.5)
                self.play(*net.highlight_animations(name, False), run_time=0.4)

    def show_figure(self):
        st = self.stage
        with st.beat("figure", "This unrolled network is the RNN the other scenes run."):
            key = ValueScale(st.theme, VMAX).move_to([5.2, st.net.layout.panel_y + 0.25, 0])
            self.play(*self.retitle(f"The RNN unfolded over {st.T} steps: each copy holds its "
                                    f"step's values; U, W, V are shared"), FadeIn(key),
                      run_time=0.6)
            self.wait(2.0)
