"""Error map: the T x T matrix of ||dL(s)/dh(t)|| on a log colour scale, filled in by BPTT.

Row s is the loss term L(s), column t the hidden state h(t) its error reaches; cells with
s < t stay empty (no loss term sends errors forward in time). BPTT computes column T first,
then T-1, ...: the columns are uncovered from the last step back. Colour fading away from the
diagonal is an error vanishing on its way back; brightening, an error exploding.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from manim import *

from rnn.errors import UnrolledError
from rnn.network_views import view_words
from scenes.beats.contract import CELLS, Option, SceneContract
from scenes.beats.inputs import SceneInput, get_scene_input
from scenes.beats.stage import beat, open_board
from scenes.components.heatmap import (
    ColorBar,
    Curtain,
    frame_label,
    heatmap_image,
    log_pixels,
    log_range,
)
from scenes.components.repaint import PaintsStillOnce
from scenes.components.theme import Theme

MAX_STEPS = 500  # larger maps are refused before anything is drawn
FIRST_STEPS = 3  # columns shown one play each; the rest run together
SIDE = 6.2  # the square map's side, scene units
CENTER = (-0.9, -0.35)  # the map's centre


def check_size(inp: SceneInput) -> None:
    """One clear line when the trace is too long for the map, or has no such error path."""
    if inp.trace.T > MAX_STEPS:
        raise UnrolledError(f"error-map draws at most {MAX_STEPS} steps, the trace has "
                            f"{inp.trace.T}")
    layer = inp.extra.get("layer")
    if layer and layer != "h" and "network" not in inp.trace.extra:
        raise UnrolledError("error-map: --layer chooses a layer of a stacked or two-way "
                            "network (--num-layers, --bidirectional); --path chooses the state")
    path = error_path(inp)
    if path not in inp.trace.spec.paths:
        raise UnrolledError(f"error-map: the {inp.trace.spec.title}'s errors travel along "
                            f"{' and '.join(inp.trace.spec.paths)}, not {path}")


def error_path(inp: SceneInput) -> str:
    """The state whose errors the map shows: h, or the LSTM's cell state (option ``path``)."""
    return inp.extra.get("path") or "h"


@dataclass
class Board:
    """What the beats share: the scene, its input and the pictures on screen."""

    scene: Scene
    inp: SceneInput
    theme: Theme
    norms: np.ndarray | None = None  # (T, T) ||dL(s)/dh(t)|| from the Trace, [s-1, t-1]
    lo: int = 0  # the colour scale runs from 10^lo to 10^hi
    hi: int = 1
    image: ImageMobject | None = None  # pixel [s-1, t-1] is the colour of norms[s-1, t-1]
    curtain: Curtain | None = None
    beats: list[str] = field(default_factory=list)

    def __post_init__(self):
        check_size(self.inp)  # before anything is computed or drawn
        self.norms = self.inp.trace.error_by_source_norms(error_path(self.inp))
        self.lo, self.hi = log_range(self.norms)

    @property
    def T(self) -> int:
        return self.inp.trace.T

    @property
    def rows(self) -> int:
        """Loss terms mapped: one per step, or one for one label per sequence."""
        return len(self.norms)

    @property
    def height(self) -> float:
        """The map's height: square with a row per step; one label's row stays readable."""
        return SIDE if self.rows == self.T else max(SIDE * self.rows / self.T, 0.9)

    def col_x(self, t: int) -> float:
        """x of the left edge of column t (t = T + 1: the right edge of the map)."""
        return CENTER[0] - SIDE / 2 + (t - 1) * SIDE / self.T


class ErrorMapScene(PaintsStillOnce, Scene):
    """Every loss term's error at every earlier step, column by column as BPTT runs back."""

    contract = SceneContract(options=(
        Option("path", str, "h", "the state whose errors are mapped: h, or an LSTM's cell"),
        Option("layer", str, "", "of a stacked or two-way network, the layer mapped: 2 (counted "
               "from the bottom), 1-backward (default: the top layer, forward)")),
        cells=tuple(CELLS))

    def setup(self):
        self.board = open_board(self, get_scene_input(), Board)

    def construct(self):
        self.show_map()
        self.fill_last_steps()
        self.fill_the_rest()
        self.read_the_map()

    # Beats ---------------------------------------------------------------------------------
    def show_map(self):
        b = self.board
        th, T = b.theme, b.T
        p = error_path(b.inp)
        with beat(b, "the map", "Each cell is the size of the error that loss term L(s) "
                                f"sends back to {p}(t), on a log colour scale."):
            what = ("the error of each loss term at each step" if b.rows == T else
                    "the error of the one loss at each step")
            title = frame_label(f"‖∂L(s)/∂{p}(t)‖: {what}{view_words(b.inp.trace)}",
                                th.text, 0.28).move_to([0, 3.65, 0])
            b.image = heatmap_image(log_pixels(b.norms, b.lo, b.hi), SIDE, b.height)
            b.image.move_to([*CENTER, 0])
            frame = Rectangle(width=SIDE, height=b.height, stroke_color=th.muted,
                              stroke_width=1).move_to(b.image)
            axes = self._axes()
            bar = ColorBar(b.lo, b.hi, SIDE * 0.8, th.muted)
            bar.move_to([CENTER[0] + SIDE / 2 + 0.9, CENTER[1], 0])
            b.curtain = Curtain(b.col_x(1) - 0.01, b.col_x(T + 1) + 0.01,
                                CENTER[1] - b.height / 2 - 0.01,
                                CENTER[1] + b.height / 2 + 0.01, th.background, side="right")
            # painted once: everything static before the curtain, which moves
            self.add(b.image, frame, axes, bar, title, b.curtain)
            self.play(FadeIn(title), FadeIn(frame), FadeIn(axes), FadeIn(bar), run_time=1.0)

    def fill_last_steps(self):
        b = self.board
        T = b.T
        first = min(FIRST_STEPS, T)
        told = (f"BPTT starts at the last step: column {T} holds the error L({T}) sends to "
                f"h({T}); each step back adds a column." if b.rows == T else
                f"One label, read after step {T}: its loss sends its error to h({T}) first; "
                "each step back adds a column.")
        with beat(b, "last steps", told):
            for t in range(T, T - first, -1):
                self.play(b.curtain.animate.reveal_to(b.col_x(t)), run_time=0.6)

    def fill_the_rest(self):
        b = self.board
        rest = b.T - min(FIRST_STEPS, b.T)
        caption = (f"The remaining {rest} steps back fill the map, down to h(1)."
                   if rest else "Every step back has its column.")
        with beat(b, "the rest", caption):
            if rest:
                self.play(b.curtain.animate.reveal_to(b.col_x(1)),
                          run_time=min(6.0, 1.0 + 0.03 * rest), rate_func=linear)
            self.remove(b.curtain)

    def read_the_map(self):
        b = self.board
        with beat(b, "reading", "Along a row, the colour follows one error back in time: "
                                "fading away from the diagonal, it vanishes; brightening, "
                                "it explodes."):
            self.wait(0.5)

    # Parts ---------------------------------------------------------------------------------
    def _axes(self) -> VGroup:
        th, T = self.board.theme, self.board.T
        left, top = CENTER[0] - SIDE / 2, CENTER[1] + self.board.height / 2
        cell = SIDE / T
        group = VGroup()
        if self.board.rows != T:  # one label: its one loss term, read after step T
            group.add(frame_label(f"L (after {T})", th.muted, 0.15).move_to(
                [left - 0.55, CENTER[1], 0]))
        step = max(10, (T // 50 + 1) * 10)  # about five numbered steps, multiples of ten
        ticks = [1, *[t for t in range(step, T, step) if T - t >= step / 2], T] if T > 12 \
            else range(1, T + 1)
        for t in ticks:
            x = left + (t - 0.5) * cell
            group.add(frame_label(str(t), th.muted, 0.15).move_to([x, top + 0.2, 0]))
            if self.board.rows == T:
                y = top - (t - 0.5) * cell
                group.add(frame_label(str(t), th.muted, 0.15).move_to([left - 0.25, y, 0]))
        p = error_path(self.board.inp)
        state = "the hidden state h(t)" if p == "h" else f"the state {p}(t)"
        across = frame_label(f"t: {state} the error reaches", th.muted, 0.17)
        group.add(across.move_to([CENTER[0], top + 0.5, 0]))
        if self.board.rows == T:
            down = frame_label("s: the loss term L(s)", th.muted, 0.17).rotate(PI / 2)
            group.add(down.move_to([left - 0.6, CENTER[1], 0]))
        return group
