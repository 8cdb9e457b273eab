"""The blackboxed RNN: the unrolled neurons collapse into the textbook's graph of vectors."""

from __future__ import annotations

import numpy as np
from manim import *

from rnn.errors import UnrolledError
from scenes.beats.contract import Option, SceneContract
from scenes.beats.inputs import SceneInput, get_scene_input
from scenes.beats.stage import Stage, build_stage, show_forward_state
from scenes.components.network import shown_char, step_characters
from scenes.components.panels import light
from scenes.components.repaint import PaintsStillOnce
from scenes.components.textbook import FoldedGraph, TwoStepGraph
from scenes.components.theme import format_value

STAGES = ("two_steps", "folded")  # where the scene ends
SIDE = 0.62  # distance from a node's centre to the numbers beside it
TWO_STEPS_TARGET = {"scale": 0.78, "center": (2.6, -0.15)}  # the graph once the folded one comes


def end_stage(inp: SceneInput) -> str:
    """``extra["stage"]``: "two_steps" or "folded" (the default)."""
    stage = inp.extra.get("stage", BlackboxScene.contract.defaults["stage"])
    if stage not in STAGES:
        raise UnrolledError(f"unknown blackbox stage {stage!r}; choose one of {', '.join(STAGES)}")
    return stage


def last_step(inp: SceneInput) -> int:
    """The step drawn as t: ``extra["step"]``, the trace's last step by default."""
    T = inp.trace.T
    t = inp.extra.get("step", T)
    if T < 2:
        raise UnrolledError("the two-step figure needs a trace of at least 2 steps")
    if isinstance(t, bool) or not isinstance(t, int) or not 2 <= t <= T:
        raise UnrolledError(f"step must be an integer in 2..{T}, got {t!r}")
    return t


def heading(stage: Stage, s: str) -> Text:
    text = light(Text(s, font="Sans", color=stage.theme.text)).scale_to_fit_height(0.26)
    if text.width > 13.0:
        text.scale_to_fit_width(13.0)
    return text.move_to([0, 3.55, 0])


class BlackboxScene(PaintsStillOnce, Scene):
    """The neuron picture collapses into the textbook's blackboxed graph.

    First two time steps, t-1 and t (x -> h -> o -> L <- y, h(t-1) -> h(t) through W), with
    each step's loss L and characters read from the Trace; then the folded graph, whose W loop
    carries a small square: the one-step delay.

    Options, in ``SceneInput.extra``:

    ``stage``
        ``"two_steps"`` ends the scene on the two-step graph (its final frame is that figure);
        ``"folded"`` (default) goes on to the folded graph beside the two-step one.
    ``step``
        The step drawn as t (2..T, default T); t-1 is the one before it (the figures').
    """

    contract = SceneContract(options=(
        Option("stage", str, "folded", "where the scene ends: two_steps (the two-step graph) "
               "or folded (on to the folded graph)", choices=STAGES),))

    def setup(self):
        inp = get_scene_input()
        self.end = end_stage(inp)
        self.t = last_step(inp)
        self.stage = build_stage(self, inp)
        self.graph = TwoStepGraph(self.stage.theme)
        self.numbers = self._numbers()
        self.folded: FoldedGraph | None = None
        self.unfold_arrow: VGroup | None = None
        self.title: Text | None = None

    def _numbers(self) -> dict[tuple[str, str], Text]:
        """Beside the nodes: each step's loss L(t), and the characters read and expected."""
        tr, th, g = self.stage.trace, self.stage.theme, self.graph
        chars = step_characters(tr)
        out = {}
        for step, t in zip(g.steps, (self.t - 1, self.t)):
            shown = {"L": (format_value(tr.losses[t - 1]), th.text)}
            if chars is not None:
                shown["x"] = (f"'{shown_char(chars[0][t - 1])}'", th.muted)
                shown["y"] = (f"'{shown_char(chars[1][t - 1])}'", th.muted)
            for name, (s, color) in shown.items():
                node = g.nodes[name, step]
                text = light(Text(s, font="Monospace", color=color)).scale_to_fit_height(0.2)
                out[name, step] = text.next_to(node.circle, RIGHT, buff=0.12)
            label = light(Text(f"{step} = {t}", font="Sans", color=th.muted))
            label.scale_to_fit_height(0.2)
            out["t", step] = label.next_to(g.nodes["x", step].circle, DOWN, buff=0.2)
        return out

    def construct(self):
        self.show_neurons()
        self.collapse()
        self.show_two_steps()
        if self.end == "two_steps":
            return
        self.fold()
        self.show_delay()

    def retitle(self, s: str) -> list:
        new = heading(self.stage, s)
        old, self.title = self.title, new
        # a cross-fade: morphing one sentence into another garbles both
        return [FadeIn(new)] if old is None else [FadeOut(old), FadeIn(new)]

    # Beats ---------------------------------------------------------------------------------
    def show_neurons(self):
        st = self.stage
        with st.beat("neurons", "The unfolded RNN, neuron by neuron, after its forward pass."):
            show_forward_state(st)  # at once: this scene is about the picture, not the pass
            self.play(*self.retitle("The unfolded RNN, neuron by neuron"), run_time=0.6)
            self.wait(1.4)

    def collapse(self):
        st, net, g = self.stage, self.stage.net, self.graph
        with st.beat("collapse", "Each layer of two consecutive steps becomes one node: a "
                                 "vector, drawn as a circle."):
            steps = dict(zip(g.steps, (self.t - 1, self.t)))
            kept, anims = [], []
            for step, t in steps.items():
                for layer in ("x", "h", "o"):
                    kept.append(net.neurons(layer, t))
                    anims.append(ReplacementTransform(net.neurons(layer, t), g.nodes[layer, step]))
                for p in ("U", "V"):
                    kept.append(net.connections(p, t))
                    anims.append(ReplacementTransform(net.connections(p, t), g.edges[p, step]))
                if t > 1:  # step 1 has no W copy: h(0) is not drawn
                    kept.append(net.connections("W", t))
                    anims.append(ReplacementTransform(net.connections("W", t), g.edges["W", step]))
                loss = st.loss_labels[t - 1]
                kept.append(loss)
                anims.append(ReplacementTransform(loss, self.numbers["L", step]))
            kept_family = {id(m) for k in kept for m in k.get_family()}
            rest = [m for m in [*net.family_members_with_points(), *st.loss_labels]
                    if id(m) not in kept_family]
            self.play(*anims, FadeOut(VGroup(*rest)), run_time=1.6)
            self.remove(*rest)  # faded pieces of the neuron picture leave the scene
            moved = {id(a.target_mobject) for a in anims}
            new = [m for m in [*g.edges.values(), *g.nodes.values(), *g.ends]
                   if id(m) not in moved]
            others = [m for k, m in self.numbers.items() if k[0] != "L"]
            self.play(FadeIn(VGroup(*new, *others)),
                      *self.retitle("Blackboxed: one node per vector"), run_time=0.8)
            self.wait(1.0)
            # one static group from here on, in the graph's own drawing order
            self.remove(*[a.target_mobject for a in anims], *new, *others)
            self.add(g, *self.numbers.values())

    def show_two_steps(self):
        g = self.graph
        with self.stage.beat("two steps", "Over two steps: x(t) and h(t−1) give h(t) through "
                                          "U and W, then o(t) through V, and the loss L(t) "
                                          "against y(t)."):
            self.play(*self.retitle("Two time steps, as in the textbook: U, V, W shared by "
                                    "both steps"), run_time=0.6)
            ws = [g.edges["W", s] for s in g.steps]
            self.play(*[Indicate(e, scale_factor=1.1) for e in ws], run_time=1.0)
            losses = [self.numbers["L", s] for s in g.steps]
            self.play(*[Indicate(n) for n in losses], run_time=1.0)
            self.wait(1.5)

    def fold(self):
        st, g = self.stage, self.graph
        th = st.theme
        with st.beat("fold", "Folded back, the graph is a single column whose W loop feeds "
                             "h into itself."):
            # the mobjects on screen are animated themselves: a new group around them would
            # leave their old picture in manim's static background
            right = [g, *self.numbers.values()]
            about = VGroup(*right).get_center()
            shift = np.array([*TWO_STEPS_TARGET["center"], 0.0]) - about
            moves = [m.animate.scale(TWO_STEPS_TARGET["scale"], about_point=about).shift(shift)
                     for m in right]
            self.folded = f = FoldedGraph(th, x=-5.3)
            source = g.columns[g.steps[1]].copy()
            arrow = Arrow([-3.7, 0, 0], [-2.2, 0, 0], buff=0, color=th.muted, stroke_width=3,
                          tip_length=0.18)
            word = light(Text("unfold", font="Sans", color=th.muted)).scale_to_fit_height(0.22)
            word.next_to(arrow, UP, buff=0.1)
            self.play(*moves,
                      ReplacementTransform(source, VGroup(*f.nodes.values())), run_time=1.4)
            self.play(FadeIn(VGroup(*f.edges.values())), Create(f.delay.arrow),
                      FadeIn(f.delay.label), GrowArrow(arrow), FadeIn(word), run_time=1.0)
            self.add(f.delay.square)
            self.unfold_arrow = VGroup(arrow, word)
            self.wait(1.0)

    def show_delay(self):
        st, f = self.stage, self.folded
        with st.beat("delay", "The small square on the loop is a one-step delay: h(t−1) "
                              "enters h(t) through W, which unfolding makes explicit."):
            self.play(*self.retitle("Folded (■ = one-step delay) and unfolded: the same RNN"),
                      Indicate(f.delay.square, scale_factor=1.8), run_time=1.0)
            self.wait(2.0)
