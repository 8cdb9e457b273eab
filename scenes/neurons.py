"""The RNN as neurons: three layers, and the hidden layer feeding itself (the yellow arrows)."""

from __future__ import annotations

from dataclasses import dataclass, field

from manim import *

from rnn.errors import UnrolledError
from rnn.trace import Trace
from scenes.beats.contract import TEXT_STEPS, Option, SceneContract
from scenes.beats.inputs import SceneInput, get_scene_input
from scenes.beats.stage import beat as stage_beat
from scenes.components.blocks import ValueScale
from scenes.components.folded import FoldedNetwork
from scenes.components.network import shown_char, step_characters
from scenes.components.panels import light
from scenes.components.repaint import PaintsStillOnce
from scenes.components.theme import Theme, get_theme

VMAX = 1.0  # one-hot inputs, tanh states and probabilities all lie in [-1, 1]
LAYER_NAMES = {"x": "input x(t)", "h": "hidden h(t)", "o": "output ŷ(t)"}


def shown_step(inp: SceneInput) -> int:
    """The step whose values fill the neurons: ``extra["step"]``, 1 by default."""
    t = inp.extra.get("step", NeuronsScene.contract.defaults["step"])
    T = inp.trace.T
    if isinstance(t, bool) or not isinstance(t, int) or not 1 <= t <= T:
        raise UnrolledError(f"step must be an integer in 1..{T}, got {t!r}")
    return t


@dataclass
class Board:
    """What the beats share: the scene, its Trace and the pictures on screen."""

    scene: Scene
    trace: Trace
    theme: Theme
    t: int
    net: FoldedNetwork
    beats: list[str] = field(default_factory=list)  # names of the beats played, in order
    title: Mobject | None = None

    def beat(self, name: str, caption: str, spoken: str | None = None):
        """One named, narrated beat (``scenes.beats.stage.beat``), remembered in ``beats``."""
        return stage_beat(self, name, caption, spoken)


def caption(board: Board, s: str, y: float = 3.55, height: float = 0.26) -> Text:
    text = light(Text(s, font="Sans", color=board.theme.text)).scale_to_fit_height(height)
    if text.width > 13.0:
        text.scale_to_fit_width(13.0)
    return text.move_to([0, y, 0])


def layer_labels(board: Board) -> VGroup:
    """Names of the three rows, at the left edge."""
    th, net = board.theme, board.net
    group = VGroup()
    for layer, name in LAYER_NAMES.items():
        label = light(Text(name, font="Sans", color=th.muted)).scale_to_fit_height(0.24)
        group.add(label.move_to([-5.6, net.row_y[layer], 0]))
    return group


def step_label(board: Board) -> Text:
    """``t = 1`` and, when the trace knows its text, the character read and the one expected."""
    t, s = board.t, f"t = {board.t}"
    chars = step_characters(board.trace)
    if chars is not None:
        s += f":  reads '{shown_char(chars[0][t - 1])}', should predict " \
             f"'{shown_char(chars[1][t - 1])}'"
    text = light(Text(s, font="Sans", color=board.theme.text)).scale_to_fit_height(0.24)
    return text.move_to([0, board.net.row_y["x"] - 0.8, 0])


class NeuronsScene(PaintsStillOnce, Scene):
    """The simple RNN as neurons, filled with one step of the Trace.

    Inputs enter at the bottom and outputs leave at the top; every hidden neuron feeds every
    hidden neuron (H*H recurrent arrows in the theme's recurrent colour). Option
    ``SceneInput.extra["step"]`` (default 1) chooses the step whose values fill the neurons.
    """

    contract = SceneContract(options=(
        Option("step", int, 1, "the step whose values fill the neurons", TEXT_STEPS),))

    def setup(self):
        inp = get_scene_input()
        theme = get_theme(inp.theme)
        self.camera.background_color = ManimColor(theme.background)
        tr = inp.trace
        net = FoldedNetwork(tr.X.shape[1], tr.h.shape[1], tr.o.shape[1], theme, inp.values)
        self.board = Board(scene=self, trace=tr, theme=theme, t=shown_step(inp), net=net)

    def construct(self):
        self.show_layers()
        self.show_forward()
        self.show_recurrent()
        self.show_figure()

    def show_layers(self):
        b = self.board
        with b.beat("layers", "A simple RNN has three layers: inputs enter at the bottom, "
                              "outputs leave at the top."):
            net = b.net
            loops = net.loops
            net.remove(loops)  # drawn later, one hidden neuron at a time
            self.add(net.lines["U"], net.lines["V"])
            b.title = caption(b, "A simple RNN as neurons")
            self.play(FadeIn(VGroup(*net.rows.values()), layer_labels(b), b.title,
                             net.labels["U"], net.labels["V"]), run_time=1.0)
            self.wait(1.0)
            net.add(loops)

    def show_forward(self):
        b = self.board
        tr, net, i = b.trace, b.net, b.t - 1
        with b.beat("forward", f"At step {b.t} the input goes up through U to the hidden "
                               f"layer, and through V to the output, as in a dense net."):
            self.play(FadeIn(step_label(b)), *net.neurons("x").show_animations(tr.X[i], VMAX),
                      run_time=0.6)
            self.play(*net.neurons("h").show_animations(tr.h[i], VMAX), run_time=0.6)
            self.play(*net.neurons("o").show_animations(tr.yhat[i], VMAX), run_time=0.6)
            self.wait(1.0)

    def show_recurrent(self):
        b = self.board
        loops = b.net.loops
        with b.beat("recurrent", "Each hidden neuron also feeds every hidden neuron, "
                                 "itself included, at the next step: the recurrent "
                                 "connections W."):
            for j in range(len(b.net.points["h"])):
                self.play(*[Create(a) for a in loops.from_unit(j)], run_time=0.6)
            self.play(FadeIn(b.net.labels["W"]), run_time=0.4)
            self.wait(1.0)

    def show_figure(self):
        b = self.board
        with b.beat("figure", "The yellow arrows carry the hidden state into the next "
                              "step: this is what makes the network recurrent."):
            key = ValueScale(b.theme, VMAX).move_to([5.2, b.net.row_y["x"] - 0.8, 0])
            title = caption(b, f"A simple RNN as neurons at t = {b.t}: the hidden layer feeds "
                               f"itself (W)")
            self.play(FadeIn(key), FadeOut(b.title), FadeIn(title), run_time=0.6)
            b.title = title
            self.wait(2.0)
