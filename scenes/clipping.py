"""Gradient clipping: an exploding gradient, its norm before and after, and the step it takes."""

from __future__ import annotations

from dataclasses import dataclass, field

from manim import *

from rnn.learning.optim import Optimizer
from rnn.limits import RANGES
from rnn.model import text_model
from rnn.studies.problems import parameter_step, step_norm
from scenes.beats.contract import Option, SceneContract
from scenes.beats.inputs import SceneInput, own_input
from scenes.beats.stage import beat, open_board
from scenes.components import matrix_text
from scenes.components.repaint import PaintsStillOnce
from scenes.components.theme import Theme, get_theme

CLIPPING_TEXT = "hello hello"  # 10 steps
INIT_SCALE = 1.0  # large enough for the gradient to explode at the default radius
LEARNING_RATE = 0.1
BAR_LEFT, BAR_LENGTH = -3.2, 7.0  # where bars start and the length of the longest


def _positive(name: str, value) -> float:
    return float(ClippingScene.contract.check(name, value))  # finite, positive, in range


def prepare_input(options: dict, theme: str = "dark", values: bool = False,
                  text: str | None = None, hidden: int | None = None,
                  seed: int = 0) -> SceneInput:
    """One pass of a model with W at spectral radius ``radius``, updated twice by SGD.

    ``extra["plain"]`` is updated without clipping, ``extra["clipped"]`` (also ``trace``)
    with norm clipping at ``clip``; ``extra["step"]`` and ``extra["step_norm"]`` hold the
    parameter step of each update.
    """
    get_theme(theme)  # an unknown theme is refused here, before any trace is built
    opts = ClippingScene.contract.with_defaults("clipping", options)
    clip, radius = _positive("clip", opts["clip"]), _positive("radius", opts["radius"])
    text = CLIPPING_TEXT if text is None else text
    model = text_model(text, hidden=3 if hidden is None else hidden, seed=seed,
                       init_scale=INIT_SCALE, radius=radius)
    plain = model.trace(Optimizer(method="sgd", lr=LEARNING_RATE, clip=None))
    clipped = model.trace(Optimizer(method="sgd", lr=LEARNING_RATE, clip=clip,
                                    clip_mode="norm"))
    extra = {
        "scene": "clipping", "clip": clip, "radius": radius, "lr": LEARNING_RATE,
        "plain": plain, "clipped": clipped,
        "step": {k: parameter_step(model.params, t.update)
                 for k, t in (("plain", plain), ("clipped", clipped))},
        "step_norm": {k: step_norm(model.params, t.update)
                      for k, t in (("plain", plain), ("clipped", clipped))},
    }
    return SceneInput(trace=clipped, theme=theme, values=values, extra=extra)


def norm_text(v: float) -> str:
    """A norm as shown on screen (non-negative, two decimals)."""
    return f"{v:.2f}"


class NormBar(VGroup):
    """A horizontal bar whose length is a norm, with its name and its value.

    Parameters
    ----------
    name
        What the bar measures.
    value
        The norm, read from the engine.
    scale
        Scene units per unit of norm.
    """

    def __init__(self, name: str, value: float, scale: float, color, theme: Theme, y: float,
                 left: float = BAR_LEFT, **kwargs):
        super().__init__(**kwargs)
        self.value = float(value)
        self.label = Text(name, font="Sans", color=theme.text).scale_to_fit_height(0.22)
        self.label.next_to([left, y, 0], direction=LEFT, buff=0.25)
        self.bar = Rectangle(width=max(self.value * scale, 0.01), height=0.32, stroke_width=0)
        self.bar.set_fill(color, opacity=0.9).move_to([left, y, 0], aligned_edge=LEFT)
        self.number = Text(f"‖g‖ = {norm_text(self.value)}", font="Monospace", color=color)
        self.number.scale_to_fit_height(0.22).next_to(self.bar, direction=RIGHT, buff=0.2)
        self.add(self.label, self.bar, self.number)


@dataclass
class Board:
    """What the beats share: the scene and the pictures on screen."""

    scene: Scene
    inp: SceneInput
    theme: Theme
    bars: dict[str, NormBar] = field(default_factory=dict)
    threshold: VGroup | None = None
    steps: dict[str, VGroup] = field(default_factory=dict)
    beats: list[str] = field(default_factory=list)  # names of the beats played, in order


class ClippingScene(PaintsStillOnce, Scene):
    """The gradient norm before and after norm clipping, and the parameter step of each."""

    contract = SceneContract(
        options=(Option("clip", float, 1.0, "gradient-norm threshold", RANGES["clip"]),
                 Option("radius", float, 1.8, "spectral radius of W", RANGES["radius"])),
        prepare=prepare_input,
    )

    def setup(self):
        self.board = open_board(self, own_input("clipping", prepare_input), Board)

    def construct(self):
        self.show_exploding()
        self.clip()
        self.compare_steps()

    @property
    def scale(self) -> float:
        """Scene units per unit of gradient norm: the longest bar fills BAR_LENGTH."""
        e = self.board.inp.extra
        return BAR_LENGTH / max(e["plain"].update.grad_norm, e["clip"])

    # Beats ---------------------------------------------------------------------------------
    def show_exploding(self):
        b = self.board
        e, th = b.inp.extra, b.theme
        g = e["plain"].update.grad_norm
        with beat(b, "exploding", f"With W at spectral radius {e['radius']:g}, the gradient "
                                  f"of this sequence is long: its norm is {norm_text(g)}."):
            title = Text(f"Gradient clipping: radius {e['radius']:g}, threshold "
                         f"C = {norm_text(e['clip'])}", font="Sans", color=th.text)
            title.scale_to_fit_height(0.3).move_to([0, 3.6, 0])
            b.bars["plain"] = NormBar("before clipping", g, self.scale, th.positive, th, 2.5)
            self.add(title, b.bars["plain"].label)
            self.play(FadeIn(title), GrowFromEdge(b.bars["plain"].bar, LEFT),
                      FadeIn(b.bars["plain"].number), run_time=1.5)
            self.wait(1.0)

    def clip(self):
        b = self.board
        e, th = b.inp.extra, b.theme
        C = e["clip"]
        after = e["clipped"].update.grad_norm_clipped
        with beat(b, "clip", f"Norm clipping rescales the whole gradient to length "
                             f"C = {norm_text(C)} when it is longer, keeping its direction."):
            x = BAR_LEFT + C * self.scale
            wall = DashedLine([x, 1.2, 0], [x, 3.0, 0], color=th.text, stroke_width=3)
            label = Text(f"C = {norm_text(C)}", font="Sans", color=th.text)
            label.scale_to_fit_height(0.2).next_to(wall, direction=DOWN, buff=0.1)
            b.threshold = VGroup(wall, label)
            b.threshold.value = C
            bar = NormBar("after clipping", after, self.scale, th.negative, th, 1.7)
            b.bars["clipped"] = bar
            self.add(bar.label)
            self.play(Create(wall), FadeIn(label), run_time=0.8)
            self.play(TransformFromCopy(b.bars["plain"].bar, bar.bar),
                      FadeIn(bar.number), run_time=1.2)
            self.wait(1.0)

    def _step_column(self, key: str, title: str, x: float, color) -> VGroup:
        b = self.board
        e, th = b.inp.extra, b.theme
        head = Text(title, font="Sans", color=color).scale_to_fit_height(0.24)
        name = Text("ΔW =", font="Sans", color=th.param_color("W")).scale_to_fit_height(0.22)
        numbers = matrix_text(e["step"][key]["W"], th, font_size=22)
        numbers.scale_to_fit_height(min(numbers.height, 1.3))
        block = VGroup(name, numbers).arrange(RIGHT, buff=0.2)
        size = Text(f"‖Δθ‖ = {norm_text(e['step_norm'][key])}", font="Monospace", color=color)
        size.scale_to_fit_height(0.22)
        column = VGroup(head, block, size).arrange(DOWN, buff=0.3).move_to([x, -1.6, 0])
        column.matrix, column.size = numbers, size
        return column

    def compare_steps(self):
        b = self.board
        e, th = b.inp.extra, b.theme
        sizes = e["step_norm"]
        with beat(b, "steps", f"The step is the learning rate times the applied gradient: "
                              f"{norm_text(sizes['plain'])} without clipping, "
                              f"{norm_text(sizes['clipped'])} with it."):
            b.steps["plain"] = self._step_column("plain", "step without clipping", -3.4,
                                                 th.positive)
            b.steps["clipped"] = self._step_column("clipped", "step with norm clipping", 3.4,
                                                   th.negative)
            self.play(*[FadeIn(c, shift=0.2 * UP) for c in b.steps.values()], run_time=1.2)
            self.wait(2.5)
