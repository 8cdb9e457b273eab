"""The constant error carousel: the error of the last loss term travelling back through a simple
RNN and an LSTM on the same long-dependency task, measured and plotted on one log scale."""

from __future__ import annotations

from dataclasses import dataclass, field

from manim import *

from rnn.errors import UnrolledError
from rnn.limits import RANGES
from rnn.studies.carousel import run_carousel
from scenes.beats.contract import TEXT_STEPS, Option, SceneContract
from scenes.beats.inputs import SceneInput, own_input
from scenes.beats.stage import beat, open_board
from scenes.components.carousel_chain import NormChain, SparseLogPlot, decade_step
from scenes.components.panels import forget_bias_words
from scenes.components.plot import log_range
from scenes.components.repaint import PaintsStillOnce
from scenes.components.theme import Theme, get_theme

HIDDEN = 8
MAX_HIDDEN = 64


def prepare_input(options: dict, theme: str = "dark", values: bool = False,
                  text: str | None = None, hidden: int | None = None,
                  seed: int = 0) -> SceneInput:
    """Both traces of the carousel task (``rnn.studies.carousel.run_carousel``) in ``extra["carousel"]``.

    The task is the scene's own, so ``text`` is not used; ``hidden`` and ``seed`` are.
    """
    get_theme(theme)
    opts = CarouselScene.contract.with_defaults("carousel", options)
    H = HIDDEN if hidden is None else hidden
    if not 1 <= H <= MAX_HIDDEN:
        raise UnrolledError(f"the carousel scene takes 1 to {MAX_HIDDEN} hidden units, got {H}")
    if isinstance(opts["forget_bias"], (int, float)) and not abs(opts["forget_bias"]) < 1e3:
        raise UnrolledError(f"forget_bias must be a number, got {opts['forget_bias']}")
    result = run_carousel(opts["steps"], H, seed, opts["forget_bias"])
    extra = {"scene": "carousel", "carousel": result}
    return SceneInput(trace=result.lstm, theme=theme, values=values, extra=extra)


def sci(v: float) -> str:
    """A recorded norm as printed on screen and in the captions."""
    return f"{v:.1e}"


@dataclass
class Board:
    """What the beats share: the scene, the measurements and the pictures on screen."""

    scene: Scene
    inp: SceneInput
    theme: Theme
    chains: dict[str, NormChain] = field(default_factory=dict)  # rnn, lstm_cell, lstm_h
    numbers: dict[str, Text] = field(default_factory=dict)  # the norm at step 1, per chain
    plots: dict[str, SparseLogPlot] = field(default_factory=dict)  # errors, multipliers
    beats: list[str] = field(default_factory=list)

    @property
    def result(self):
        return self.inp.extra["carousel"]


# (chain key, profile of rnn.studies.carousel, row title, y)
CHAINS = (("rnn", "rnn_error", "simple RNN: h", 2.35),
          ("lstm_cell", "lstm_cell_error", "LSTM: cell", 1.45),
          ("lstm_h", "lstm_error", "LSTM: h", 0.85))


class CarouselScene(PaintsStillOnce, Scene):
    """The same task, a simple RNN and an LSTM: how much of L(T)'s error reaches step 1."""

    contract = SceneContract(
        options=(Option("steps", int, 60, "length of the dependency, 50 to 200", TEXT_STEPS),
                 Option("forget_bias", float, 1.0, "added to the LSTM's forget-gate bias",
                        RANGES["forget_bias"])),
        cells=("lstm",),
        prepare=prepare_input,
    )

    def setup(self):
        self.board = open_board(self, own_input("carousel", prepare_input), Board)

    def construct(self):
        self.show_task()
        self.travel_back_rnn()
        self.travel_back_lstm()
        self.show_norms()
        self.show_multipliers()

    def curve_colors(self) -> dict[str, ManimColor]:
        th = self.board.theme
        return {"rnn_error": th.negative, "lstm_error": th.positive,
                "lstm_cell_error": th.recurrent, "forget_product": th.recurrent,
                "rnn_jacobian": th.negative}

    # Beats ---------------------------------------------------------------------------------
    def show_task(self):
        b = self.board
        r, th = b.result, b.theme
        T = r.steps
        with beat(b, "the task", f"A simple RNN and an LSTM of the same size read {T} steps; "
                                 "only the last target depends on the first input."):
            title = Text(f"The error of L({T}) travelling back: simple RNN and LSTM",
                         font="Sans", color=th.text).scale_to_fit_height(0.3).move_to([0, 3.6, 0])
            task = Text(f"task: x = {r.inputs[:6]}…{r.inputs[-3:]}, recall the first symbol "
                        f"at step {T}; H = {r.hidden}, seed {r.seed}, both initialised as "
                        "torch does", font="Sans", color=th.muted)
            task.scale_to_fit_height(0.16).move_to([0, 3.17, 0])
            setup = Text(f"LSTM {forget_bias_words(r.forget_bias)}", font="Sans",
                         color=th.recurrent)
            setup.scale_to_fit_height(0.17).move_to([0, 2.85, 0])
            logs = [r.profile(p)[1] for p in ("rnn_error", "lstm_error", "lstm_cell_error",
                                              "forget_product", "rnn_jacobian")]
            lo, hi = log_range(*logs)
            for key, profile, name, y in CHAINS:
                log_norm = r.profile(profile)[1][::-1]  # indexed by t - 1
                line = th.recurrent if key == "lstm_cell" else None
                b.chains[key] = NormChain(log_norm, th, y, name, lo, hi, line_color=line)
            every = decade_step(lo, hi)
            for key, label in (("errors", f"‖∂L({T})/∂h(t)‖, ‖∂L({T})/∂cell(t)‖"),
                               ("multipliers", "forget-gate product, RNN ‖∂h(T)/∂h(t)‖")):
                plot = SparseLogPlot(th, T - 1, (lo, hi), "steps back, T − t", label, 10, every)
                b.plots[key] = plot
            b.plots["errors"].move_to([-3.3, -1.85, 0])
            b.plots["multipliers"].move_to([3.5, -1.85, 0])
            statics = [c.static for c in b.chains.values()] + list(b.plots.values())
            # the chains and axes simply appear: fading in hundreds of parts costs seconds
            self.add(title, task, setup, *statics)  # static from here on
            self.play(FadeIn(title), FadeIn(task), FadeIn(setup), run_time=1.0)
            self.wait(0.5)

    def grow_back(self, key: str, profile: str) -> list:
        b = self.board
        chain, r = b.chains[key], b.result
        number = chain.number_at(1, sci(getattr(r, profile)[0]), b.theme)
        b.numbers[key] = number
        # one animation revealing the segments from T back to 1 (not one per segment)
        back = VGroup(*[chain.segments[t] for t in range(r.steps, 0, -1)])
        return [ShowIncreasingSubsets(back, run_time=3.0), FadeIn(number, run_time=3.0)]

    def travel_back_rnn(self):
        b = self.board
        r = b.result
        with beat(b, "simple RNN", f"In the simple RNN the error of L({r.steps}) shrinks at "
                                   f"every step back: {sci(r.rnn_error[0])} at step 1."):
            self.play(*self.grow_back("rnn", "rnn_error"))
            self.wait(0.5)

    def travel_back_lstm(self):
        b = self.board
        r = b.result
        with beat(b, "LSTM", f"In the LSTM it reaches step 1 with {sci(r.lstm_error[0])}: "
                             "along the cell state it is multiplied only by the forget gates."):
            self.play(*self.grow_back("lstm_cell", "lstm_cell_error"),
                      *self.grow_back("lstm_h", "lstm_error"))
            self.wait(0.5)

    def plot_curves(self, plot_key: str, profiles: tuple[str, ...], names: tuple[str, ...]):
        b = self.board
        plot, colors = b.plots[plot_key], self.curve_colors()
        anims, legend = [], VGroup()
        for profile, name in zip(profiles, names):
            distance, log_norm = b.result.profile(profile)
            curve = plot.curve(profile, distance, log_norm, colors[profile], stroke_width=2.5)
            anims += [Create(curve.line), FadeIn(curve.dots)]
            legend.add(Text(name, font="Sans", font_size=15, color=colors[profile]))
        legend.arrange(direction=DOWN, aligned_edge=LEFT, buff=0.08)
        # bottom left is empty: every curve starts at the top left and falls to the right
        legend.align_to(plot.axes, LEFT).align_to(plot.axes, DOWN).shift(RIGHT * 0.3 + UP * 0.15)
        self.play(*anims, FadeIn(legend), run_time=2.0)

    def show_norms(self):
        b = self.board
        with beat(b, "norms", "On one log scale both errors fade geometrically, the LSTM's "
                              "at a far slower rate."):
            self.plot_curves("errors", ("rnn_error", "lstm_error", "lstm_cell_error"),
                             ("simple RNN, h", "LSTM, h", "LSTM, cell"))
            self.wait(0.8)

    def show_multipliers(self):
        b = self.board
        r = b.result
        with beat(b, "multipliers", "What the error is multiplied by: the forget gates' "
                                    f"product, {sci(r.forget_product[0])} over all the steps, "
                                    f"against the RNN's Jacobian, {sci(r.rnn_jacobian[0])}."):
            self.plot_curves("multipliers", ("forget_product", "rnn_jacobian"),
                             ("mean of f(t+1)⋯f(T), LSTM", "‖∂h(T)/∂h(t)‖, simple RNN"))
            self.wait(2.0)
