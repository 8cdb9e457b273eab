"""Vanishing and exploding errors: the error of one late loss term travelling back in time."""

from __future__ import annotations

from dataclasses import dataclass, field

from manim import *

from rnn.errors import UnrolledError
from rnn.limits import check_range
from rnn.model import text_model
from rnn.problems import error_decay
from rnn.trace import Trace
from scenes.beats.inputs import SceneInput, own_input, with_defaults
from scenes.beats.stage import beat, open_board
from scenes.components import ErrorArrow
from scenes.components.plot import LogNormPlot, log_range, norm_color
from scenes.components.theme import Theme, get_theme

VANISHING_TEXT = "hello wor"  # 8 steps
SMALL_RADIUS = 0.5  # the fading case, shown beside the chosen radius
DEFAULTS = {"radius": 1.8}
# Small weights keep tanh in its linear range, where the spectral radius alone decides
# whether the errors shrink or grow; with saturated units the growth is tamed.
INIT_SCALE = 0.005
MAX_CHAIN_STEPS = 10


def prepare_input(options: dict, theme: str = "dark", values: bool = False,
                  text: str | None = None, hidden: int | None = None,
                  seed: int = 0) -> SceneInput:
    """Two traces of the same model and text, W rescaled to spectral radius 0.5 and ``radius``.

    ``extra`` holds both traces (``small``, ``large``), their radii and the decay profile of
    the last loss term's error in each (``rnn.problems.error_decay``).
    """
    get_theme(theme)  # an unknown theme is refused here, before any trace is built
    radius = with_defaults("vanishing", options, DEFAULTS)["radius"]
    check_range("radius", radius)  # finite, positive, at most rnn.limits.MAX_SCALE
    text = VANISHING_TEXT if text is None else text
    if not 3 <= len(text) <= MAX_CHAIN_STEPS + 1:
        raise UnrolledError(f"the vanishing scene draws 2 to {MAX_CHAIN_STEPS} steps: give a text "
                            f"of 3 to {MAX_CHAIN_STEPS + 1} characters, got {len(text)}")
    H = 3 if hidden is None else hidden
    traces = {}
    for key, r in (("small", SMALL_RADIUS), ("large", float(radius))):
        model = text_model(text, hidden=H, seed=seed, init_scale=INIT_SCALE, radius=r)
        traces[key] = model.trace()
    extra = {"scene": "vanishing", "radii": {"small": SMALL_RADIUS, "large": float(radius)},
             **traces, "decay": {k: error_decay(t) for k, t in traces.items()}}
    return SceneInput(trace=traces["large"], theme=theme, values=values, extra=extra)


class ErrorChain(VGroup):
    """One hidden state per step in a row; L(s)'s error arrows run back along it.

    Arrow widths follow the norm of dL(s)/dh(t) (relative to the row's largest) and colours
    its log10 on the plot's range; the norm is printed under each step.
    """

    def __init__(self, trace: Trace, log_norm, theme: Theme, y: float, title: str,
                 lo: float, hi: float, left: float = -4.6, right: float = 6.6, **kwargs):
        super().__init__(**kwargs)
        T = trace.T
        norms = trace.error_by_source_norms()[T - 1]  # dL(T)/dh(t), t = 1..T
        self.source = T
        step = (right - left) / max(T - 1, 1)
        xs = [left + i * step for i in range(T)]
        self.nodes = VGroup(*[Circle(radius=0.15, stroke_color=theme.muted, stroke_width=1.5)
                              .set_fill(theme.background, opacity=1.0).move_to([x, y, 0])
                              for x in xs])
        self.title = Text(title, font="Sans", color=theme.text).scale_to_fit_height(0.22)
        self.title.move_to([-6.0, y, 0])
        loss = Text(f"L({T})", font="Sans", color=theme.text).scale_to_fit_height(0.2)
        self.loss = loss.move_to([xs[-1], y + 0.55, 0])
        steps = VGroup(*[Text(f"h({t})", font="Sans", color=theme.muted)
                         .scale_to_fit_height(0.15).move_to([xs[t - 1], y + 0.3, 0])
                         for t in range(1, T)])
        self.static = VGroup(self.title, steps, self.loss, self.nodes)
        top = max(float(v) for v in norms)
        self.arrows: dict[int, ErrorArrow] = {}  # by target step t
        self.numbers: dict[int, Text] = {}
        for t in range(T, 0, -1):
            # log_norm is indexed by distance s - t, the arrow by target t
            color = norm_color(float(log_norm[T - t]), lo, hi, theme)
            if t == T:
                a, b = [xs[-1], y + 0.42, 0], [xs[-1], y + 0.17, 0]
            else:
                a, b = [xs[t] - 0.17, y, 0], [xs[t - 1] + 0.17, y, 0]
            self.arrows[t] = ErrorArrow(a, b, T, t, norms[t - 1], top, color)
            number = Text(f"{norms[t - 1]:.1e}", font="Monospace", color=color)
            self.numbers[t] = number.scale_to_fit_height(0.14).move_to([xs[t - 1], y - 0.33, 0])
        self.add(self.static, *self.arrows.values(), *self.numbers.values())


@dataclass
class Board:
    """What the beats share: the scene and the pictures on screen."""

    scene: Scene
    inp: SceneInput
    theme: Theme
    chains: dict[str, ErrorChain] = field(default_factory=dict)
    plot: LogNormPlot | None = None
    beats: list[str] = field(default_factory=list)  # names of the beats played, in order


class VanishingScene(Scene):
    """dL(s)/dh(t) shrinking with a small spectral radius and growing with a large one."""

    def setup(self):
        self.board = open_board(self, own_input("vanishing", prepare_input), Board)

    def construct(self):
        self.show_chains()
        self.travel_back("small")
        self.travel_back("large")
        self.show_plot()

    # Beats ---------------------------------------------------------------------------------
    def show_chains(self):
        b = self.board
        e, th = b.inp.extra, b.theme
        T = e["large"].T
        lo, hi = log_range(e["decay"]["small"][1], e["decay"]["large"][1])
        radii = e["radii"]
        with beat(b, "two networks", "The same small RNN twice, with its recurrent matrix W "
                                     f"scaled to spectral radius {radii['small']:g} and "
                                     f"{radii['large']:g}."):
            title = Text(f"The error of L({T}) travelling back in time", font="Sans",
                         color=th.text).scale_to_fit_height(0.3).move_to([0, 3.6, 0])
            # what the picture assumes, said on screen: tanh kept near its linear range
            note = Text(f"weights drawn with scale {e['large'].config.init_scale:g}, W rescaled "
                        "to each spectral radius: tanh stays close to linear", font="Sans",
                        color=th.muted).scale_to_fit_height(0.17).move_to([0, 3.15, 0])
            for key, y in (("small", 2.2), ("large", 0.85)):
                b.chains[key] = ErrorChain(e[key], e["decay"][key][1], th, y,
                                           f"radius {radii[key]:g}", lo, hi)
            b.plot = LogNormPlot(th, T - 1, (lo, hi), "distance s − t (steps back in time)",
                                 f"‖∂L({T})/∂h(t)‖, log scale", width=8.0, height=2.6)
            b.plot.move_to([0.3, -2.1, 0])
            statics = [c.static for c in b.chains.values()]
            self.add(title, note, *statics, b.plot)  # static from here on
            self.play(FadeIn(title), FadeIn(note), *[FadeIn(s) for s in statics], FadeIn(b.plot),
                      run_time=1.0)
            self.wait(0.3)

    def travel_back(self, key: str):
        b = self.board
        chain, r = b.chains[key], b.inp.extra["radii"][key]
        s = chain.source
        fate = "shrinks at every step back: it vanishes" if key == "small" else \
            "grows at every step back: it explodes"
        with beat(b, f"radius {r:g}", f"With radius {r:g}, the error of L({s}) {fate}; "
                                      "width and colour follow its real norm."):
            steps = [AnimationGroup(GrowArrow(chain.arrows[t]), FadeIn(chain.numbers[t]))
                     for t in range(s, 0, -1)]
            self.play(LaggedStart(*steps, lag_ratio=0.6), run_time=3.0)
            self.wait(0.5)

    def show_plot(self):
        b = self.board
        e, th = b.inp.extra, b.theme
        with beat(b, "log plot", "On a log scale both are close to straight lines: the "
                                 "error changes geometrically with the distance s − t."):
            anims, legend = [], VGroup()
            for key, color in (("small", th.negative), ("large", th.positive)):
                dist, log_norm = e["decay"][key]
                curve = b.plot.curve(key, dist, log_norm, color)
                anims += [Create(curve.line), FadeIn(curve.dots)]
                legend.add(Text(f"radius {e['radii'][key]:g}", font="Sans", color=color)
                           .scale_to_fit_height(0.2))
            legend.arrange(direction=DOWN, aligned_edge=LEFT, buff=0.15)
            legend.next_to(b.plot.axes, direction=RIGHT, buff=0.3)
            self.play(*anims, FadeIn(legend), run_time=2.0)
            self.wait(2.0)
