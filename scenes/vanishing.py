"""Vanishing and exploding errors: the error of one late loss term travelling back in time.

Two traces of one model, W rescaled to spectral radius 0.5 and a larger one, over 50 steps by
default. Each chain is one dot per step; beside it, the error map of its trace (every loss
term's error at every step) is uncovered column by column as the error goes back, so the chain
is the map's last row. A log plot of the last loss term's error ends the scene.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from manim import *

from rnn.errors import UnrolledError
from rnn.limits import RANGES
from rnn.model import text_model
from rnn.studies.problems import error_decay
from rnn.trace import Trace
from scenes.beats.contract import Option, SceneContract
from scenes.beats.inputs import SceneInput, own_input
from scenes.beats.stage import beat, open_board
from scenes.components.carousel_chain import SparseLogPlot, decade_step
from scenes.components.heatmap import ColorBar, log_range
from scenes.components.limits import MAX_VANISHING_STEPS
from scenes.components.panels import light
from scenes.components.plot import log_range as decades
from scenes.components.repaint import PaintsStillOnce
from scenes.components.theme import Theme, get_theme
from scenes.components.vanishing_map import ErrorMapPanel, MapChain, numbered_steps

VANISHING_TEXT = "the error of the last step travels back fifty steps"  # 50 steps
SMALL_RADIUS = 0.5  # the fading case, shown beside the chosen radius
# Small weights keep tanh in its linear range at first, where the spectral radius alone
# decides whether the errors shrink or grow; saturated units tame the growth later.
INIT_SCALE = 0.005
FIRST_STEPS = 3  # steps back shown one play each; the rest run together

# Layout (scene units): chains and plot on the left, the maps stacked on the right
CHAIN_LEFT, CHAIN_RIGHT = -4.7, 1.8
CHAIN_Y = {"small": 2.35, "large": 1.15}
MAP_SIDE, MAP_X = 2.35, 4.2
MAP_Y = {"small": 1.57, "large": -1.5}


def prepare_input(options: dict, theme: str = "dark", values: bool = False,
                  text: str | None = None, hidden: int | None = None,
                  seed: int = 0) -> SceneInput:
    """Two traces of the same model and text, W rescaled to spectral radius 0.5 and ``radius``.

    ``extra`` holds both traces (``small``, ``large``), their radii and the decay profile of
    the last loss term's error in each (``rnn.studies.problems.error_decay``).
    """
    get_theme(theme)  # an unknown theme is refused here, before any trace is built
    contract = VanishingScene.contract
    radius = contract.check("radius", contract.with_defaults("vanishing", options)["radius"])
    text = VANISHING_TEXT if text is None else text
    if not 3 <= len(text) <= MAX_VANISHING_STEPS + 1:
        raise UnrolledError(f"the vanishing scene draws 2 to {MAX_VANISHING_STEPS} steps: give "
                            f"a text of 3 to {MAX_VANISHING_STEPS + 1} characters, "
                            f"got {len(text)}")
    H = 3 if hidden is None else hidden
    traces = {}
    for key, r in (("small", SMALL_RADIUS), ("large", float(radius))):
        model = text_model(text, hidden=H, seed=seed, init_scale=INIT_SCALE, radius=r)
        traces[key] = model.trace()
    extra = {"scene": "vanishing", "radii": {"small": SMALL_RADIUS, "large": float(radius)},
             **traces, "decay": {k: error_decay(t) for k, t in traces.items()}}
    return SceneInput(trace=traces["large"], theme=theme, values=values, extra=extra)


def sci(v: float) -> str:
    """A recorded norm as printed on screen and in the captions."""
    return f"{v:.1e}"


@dataclass
class Board:
    """What the beats share: the scene, the norms of both traces and the pictures on screen."""

    scene: Scene
    inp: SceneInput
    theme: Theme
    norms: dict[str, np.ndarray] = field(default_factory=dict)  # (T, T) ||dL(s)/dh(t)||
    lo: int = 0  # the maps' (and chains') colour scale runs from 10^lo to 10^hi, shared
    hi: int = 1
    chains: dict[str, MapChain] = field(default_factory=dict)
    maps: dict[str, ErrorMapPanel] = field(default_factory=dict)
    numbers: dict[str, dict[int, Text]] = field(default_factory=dict)  # by chain, by step t
    plot: SparseLogPlot | None = None
    beats: list[str] = field(default_factory=list)  # names of the beats played, in order

    def __post_init__(self):
        self.norms = {k: self.trace(k).error_by_source_norms() for k in ("small", "large")}
        self.lo, self.hi = log_range(np.concatenate([n.ravel() for n in self.norms.values()]))

    def trace(self, key: str) -> Trace:
        return self.inp.extra[key]

    @property
    def T(self) -> int:
        return self.trace("large").T


class VanishingScene(PaintsStillOnce, Scene):
    """dL(s)/dh(t) shrinking with a small spectral radius and growing with a large one."""

    contract = SceneContract(
        options=(Option("radius", float, 1.8, "spectral radius of W beside 0.5",
                        RANGES["radius"]),),
        prepare=prepare_input,
    )

    def setup(self):
        self.board = open_board(self, own_input("vanishing", prepare_input), Board)

    def construct(self):
        self.show_chains()
        self.travel_back("small")
        self.travel_back("large")
        self.read_maps()
        self.show_plot()

    # Beats ---------------------------------------------------------------------------------
    def show_chains(self):
        b = self.board
        e, th, T = b.inp.extra, b.theme, b.T
        radii = e["radii"]
        with beat(b, "two networks", "The same small RNN twice, with its recurrent matrix W "
                                     f"scaled to spectral radius {radii['small']:g} and "
                                     f"{radii['large']:g}."):
            title = light(Text(f"The error of L({T}) travelling back in time", font="Sans",
                               color=th.text)).scale_to_fit_height(0.3).move_to([0, 3.62, 0])
            note = light(Text(f"weights drawn with scale {e['large'].config.init_scale:g}, W "
                              "rescaled to each spectral radius; beside each chain, the error "
                              "of every L(s) at every step t", font="Sans", color=th.muted))
            note.scale_to_fit_height(0.17).move_to([0, 3.2, 0])
            for key in ("small", "large"):
                norms = b.norms[key]
                name = f"radius {radii[key]:g}"
                b.maps[key] = ErrorMapPanel(norms, b.lo, b.hi, th, (MAP_X, MAP_Y[key]),
                                            MAP_SIDE, f"{name}: ‖∂L(s)/∂h(t)‖")
                # the chain is the map's last row: its norms, its pixels
                b.chains[key] = MapChain(e["decay"][key][1][::-1], b.maps[key].pixels[T - 1],
                                         th, CHAIN_Y[key], name, b.lo, b.hi, CHAIN_LEFT,
                                         CHAIN_RIGHT)
                row = norms[T - 1]  # dL(T)/dh(t), t = 1..T
                b.numbers[key] = {t: b.chains[key].number_at(t, sci(row[t - 1]), th)
                                  for t in numbered_steps(T)}
            bar = ColorBar(b.lo, b.hi, MAP_Y["small"] - MAP_Y["large"] + MAP_SIDE * 0.6,
                           th.muted, width=0.25)
            bar.move_to([MAP_X + MAP_SIDE / 2 + 0.45, (MAP_Y["small"] + MAP_Y["large"]) / 2, 0])
            bar.shift(RIGHT * (MAP_X + MAP_SIDE / 2 + 0.3 - bar.image.get_left()[0]))
            lo, hi = decades(e["decay"]["small"][1], e["decay"]["large"][1])
            b.plot = SparseLogPlot(th, T - 1, (lo, hi), "distance s − t (steps back in time)",
                                   f"‖∂L({T})/∂h(t)‖, log scale", every_x=10 if T > 20 else 1,
                                   every_y=decade_step(lo, hi), width=5.6, height=2.1)
            b.plot.move_to([-1.55, -1.4, 0])
            maps = list(b.maps.values())
            chains = [c.static for c in b.chains.values()]
            # painted once: images and labels first; curtains (animated later) and frames
            # last, the fading title after them all (what follows a moving mobject repaints)
            self.add(*chains, b.plot, bar, *[m.image for m in maps], *[m.labels for m in maps],
                     *[m.curtain for m in maps], *[m.frame for m in maps])
            self.play(FadeIn(title), FadeIn(note), run_time=1.0)
            self.wait(0.3)

    def travel_back(self, key: str):
        b = self.board
        chain, panel, numbers = b.chains[key], b.maps[key], b.numbers[key]
        r, T = b.inp.extra["radii"][key], b.T
        row = b.norms[key][T - 1]
        grows = row[0] > row[T - 1]
        verb, fate = ("grows", "it explodes") if grows else ("shrinks", "it vanishes")
        with beat(b, f"radius {r:g}", f"With radius {r:g}, the error of L({T}) {verb} on its "
                                      f"way back: {sci(row[T - 1])} at step {T}, "
                                      f"{sci(row[0])} at step 1; {fate}."):
            first = min(FIRST_STEPS, T)
            for t in range(T, T - first, -1):
                # step t: its segment on the chain, its column of the map (every L(s), s >= t)
                anims = [Create(chain.segments[t]),
                         panel.curtain.animate.reveal_to(panel.col_x(t))]
                if t in numbers:
                    anims.append(FadeIn(numbers[t]))
                self.play(*anims, run_time=0.5)
            rest = T - first
            if rest:
                back = VGroup()
                for t in range(T - first, 0, -1):
                    back.add(chain.segments[t], *([numbers[t]] if t in numbers else []))
                self.play(ShowIncreasingSubsets(back, rate_func=linear),
                          panel.curtain.animate(rate_func=linear).reveal_to(panel.col_x(1)),
                          run_time=min(3.0, 1.0 + 0.04 * rest))
            self.remove(panel.curtain)
            # the finished chain goes under the rest, over its own dots: painted once from here
            self.bring_to_back(*chain.segments.values(), *numbers.values())
            self.bring_to_back(chain.static)
            self.wait(0.3)

    def read_maps(self):
        b = self.board
        T = b.T
        with beat(b, "the maps", f"Each map holds every loss term L(s) at every step t; its "
                                 f"last row L({T}) is the chain: fading away from the "
                                 "diagonal, the error vanishes; brightening, it explodes."):
            boxes = [m.row_box for m in b.maps.values()]
            self.play(*[Create(box) for box in boxes], run_time=0.8)
            self.wait(0.5)

    def show_plot(self):
        b = self.board
        e, th = b.inp.extra, b.theme
        with beat(b, "log plot", "On a log scale against the distance s − t, a straight line "
                                 "is an error multiplied by the same factor at every step."):
            anims, legend = [], VGroup()
            for key, color in (("small", th.negative), ("large", th.positive)):
                dist, log_norm = e["decay"][key]
                curve = b.plot.curve(key, dist, log_norm, color, stroke_width=2.5)
                if len(dist) > 20:  # dots as far apart as their diameter: smaller ones
                    for dot in curve.dots:
                        dot.scale(0.6)
                anims += [Create(curve.line), FadeIn(curve.dots)]
                legend.add(light(Text(f"radius {e['radii'][key]:g}", font="Sans",
                                      color=color)).scale_to_fit_height(0.18))
            legend.arrange(direction=DOWN, aligned_edge=LEFT, buff=0.1)
            # bottom left is empty: both curves start at the top left
            legend.align_to(b.plot.axes, LEFT).align_to(b.plot.axes, DOWN)
            legend.shift(RIGHT * 0.3 + UP * 0.15)
            self.play(*anims, FadeIn(legend), run_time=2.0)
            self.wait(2.0)
