"""Activations: a units x time heatmap of h(t), filled in as the forward pass runs.

Rows are hidden units, columns time steps, each cell h(t) of one unit on a blue-white-red
scale from -1 to +1. Units are ordered by the variance of their activation over the text,
most varied first (``Trace.units_by_variance``), or chosen with the option ``units`` (1-based
unit numbers, in that order); ``top`` keeps the first N of the order. Under each step, the
input character and, for short texts, the three likeliest next characters of yhat(t).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from manim import *

from rnn.errors import UnrolledError
from rnn.limits import MAX_HIDDEN, Range
from rnn.network_views import view_words
from scenes.beats.contract import CELLS, Option, SceneContract
from scenes.beats.inputs import LAYER, SceneInput, chosen_layer, get_scene_input
from scenes.beats.stage import beat, open_board
from scenes.components.glyphs import glyph_row, shown
from scenes.components.heatmap import (
    Curtain,
    ScaleBar,
    diverging_pixels,
    frame_label,
    heatmap_image,
    scale_tick,
)
from scenes.components.repaint import PaintsStillOnce
from scenes.components.theme import Theme

UNITS = Range(int, 1, MAX_HIDDEN, reason="1-based unit numbers and counts")

MAX_STEPS, MAX_UNITS = 500, 256  # larger maps are refused before anything is drawn
MAX_CHAR_STEPS = 80  # the input characters are printed under the map up to this many steps
MAX_GUESS_STEPS = 32  # and the top guesses up to this many
FIRST_STEPS = 4  # steps shown one play each; the rest run together
LEGEND_TICKS = (-1.0, -0.5, 0.0, 0.5, 1.0)  # the colour bar's numbers
X0, X1, Y0, Y1 = -5.4, 6.6, -0.2, 2.9  # the map's box (left, right, bottom, top)
def unit_rows(inp: SceneInput) -> list[int]:
    """The 0-based units drawn, top row first, after checking the options and the limits."""
    tr = inp.trace
    T, H = tr.h.shape
    defaults = ActivationsScene.contract.defaults
    opts = {**defaults, **{k: v for k, v in inp.extra.items() if k in defaults}}
    if T > MAX_STEPS:
        raise UnrolledError(f"activations draws at most {MAX_STEPS} steps, the trace has {T}")
    if opts["units"]:
        bad = [u for u in opts["units"] if not 1 <= u <= H]
        if bad:
            raise UnrolledError(f"activations: unit {bad[0]} does not exist (units 1..{H})")
        rows = [u - 1 for u in opts["units"]]
    else:
        rows = [int(u) for u in tr.units_by_variance(chosen_layer(inp, "activations"))]
    if opts["top"]:
        rows = rows[:opts["top"]]
    if len(rows) > MAX_UNITS:
        raise UnrolledError(f"activations draws at most {MAX_UNITS} units, {len(rows)} asked; "
                            f"choose fewer with the option top or units")
    return rows


@dataclass
class Board:
    """What the beats share: the scene, its input and the pictures on screen."""

    scene: Scene
    inp: SceneInput
    theme: Theme
    rows: list[int] = field(default_factory=list)  # 0-based units, top row first
    image: ImageMobject | None = None  # the heatmap: pixel [row, t-1] is h(t) of rows[row]
    curtain: Curtain | None = None
    cursor: Rectangle | None = None
    chars: VGroup = field(default_factory=VGroup)  # the input character under each step
    guesses: VGroup = field(default_factory=VGroup)  # the top guesses under each step
    beats: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.rows = unit_rows(self.inp)  # the limits, checked before anything is drawn

    @property
    def T(self) -> int:
        return self.inp.trace.T

    def col_x(self, t: int) -> float:
        """x of the left edge of step t's column (t = T + 1: the right edge of the map)."""
        return X0 + (t - 1) * (X1 - X0) / self.T


class ActivationsScene(PaintsStillOnce, Scene):
    """h(t) of every unit over the whole text, column by column as the forward pass runs."""

    contract = SceneContract(options=(
        Option("units", list, None, "1-based unit numbers, in the order drawn (default: every "
               "unit, most varied first)", UNITS),
        Option("top", int, None, "keep the first N units of the order (default: all)", UNITS),
        LAYER), cells=tuple(CELLS))

    def setup(self):
        self.board = open_board(self, get_scene_input(), Board)

    def construct(self):
        self.show_map()
        self.fill_first_steps()
        self.fill_the_rest()

    # Beats ---------------------------------------------------------------------------------
    def show_map(self):
        b = self.board
        tr, th = b.inp.trace, b.theme
        T, n = b.T, len(b.rows)
        order = "chosen units" if b.inp.extra.get("units") else "units, most varied first"
        layer = chosen_layer(b.inp, "activations")
        name = tr.layer_label(layer)
        what = "the hidden state h(t)" if layer == "h" else name
        with beat(b, "the map", f"Each column is {what} of one step, each row "
                                f"one of {n} units, from −1 in blue to +1 in red."):
            title = frame_label(f"{name} of every unit, step by step{view_words(tr)}", th.text,
                                0.3)
            title.move_to([0, 3.55, 0])
            values = tr.layer(layer)[:, b.rows].T  # (units, T): row r is unit rows[r]
            b.image = heatmap_image(diverging_pixels(values), X1 - X0, Y1 - Y0)
            b.image.move_to([(X0 + X1) / 2, (Y0 + Y1) / 2, 0])
            frame = Rectangle(width=X1 - X0, height=Y1 - Y0, stroke_color=th.muted,
                              stroke_width=1).move_to(b.image)
            labels = self._unit_labels(order)
            below = self._text_rows()
            legend = self._legend()
            bottom = min(Y0 - 0.1, below.get_bottom()[1] - 0.05) if len(below) else Y0
            b.curtain = Curtain(X0 - 0.01, X1 + 0.05, bottom, Y1 + 0.02, th.background)
            b.cursor = Rectangle(width=(X1 - X0) / T, height=Y1 - bottom,
                                 stroke_color=th.text, stroke_width=2)
            b.cursor.move_to([b.col_x(1) + (X1 - X0) / T / 2, (Y1 + bottom) / 2, 0])
            # painted once: everything static before the curtain, which moves
            self.add(b.image, *below, frame, labels, legend, title, b.curtain)
            self.play(FadeIn(title), FadeIn(frame), FadeIn(labels), FadeIn(legend),
                      run_time=1.0)

    def fill_first_steps(self):
        b = self.board
        first = min(FIRST_STEPS, b.T)
        guess = " and its three likeliest next characters" if len(b.guesses) else ""
        with beat(b, "first steps", "Step by step, the forward pass computes h(t) from x(t) "
                                    f"and h(t−1); under it, the input{guess}."):
            self.play(FadeIn(b.cursor), run_time=0.3)
            for t in range(1, first + 1):
                self.play(b.curtain.animate.reveal_to(b.col_x(t + 1)),
                          b.cursor.animate.set_x(b.col_x(t) + (b.col_x(t + 1) - b.col_x(t)) / 2),
                          run_time=0.6)

    def fill_the_rest(self):
        b = self.board
        first = min(FIRST_STEPS, b.T)
        rest = b.T - first
        caption = (f"The remaining {rest} steps run the same way, one column each."
                   if rest else "That was every step of the text.")
        with beat(b, "the rest", caption):
            if rest:
                end = b.col_x(b.T + 1)
                self.play(b.curtain.animate.reveal_to(end),
                          b.cursor.animate.set_x(end - (end - b.col_x(b.T)) / 2),
                          run_time=min(6.0, 1.0 + 0.03 * rest), rate_func=linear)
            self.play(FadeOut(b.cursor), run_time=0.3)
            self.remove(b.curtain)

    # Parts ---------------------------------------------------------------------------------
    def _unit_labels(self, order: str) -> VGroup:
        b, th = self.board, self.board.theme
        n = len(b.rows)
        row_h = (Y1 - Y0) / n
        labels = VGroup()
        numbered = range(n) if n <= 24 else (0, n - 1)  # every row, or the first and last
        for r in numbered:
            size = 0.16 if n > 24 else min(0.16, 0.8 * row_h)
            label = frame_label(f"unit {b.rows[r] + 1}", th.muted, size)
            labels.add(label.move_to([X0 - 0.1 - label.width / 2, Y1 - (r + 0.5) * row_h, 0]))
        side = frame_label(order, th.muted, 0.17).rotate(PI / 2)
        labels.add(side.move_to([X0 - 1.25, (Y1 + Y0) / 2, 0]))
        return labels

    def _text_rows(self) -> VGroup:
        """The input characters and top guesses under their steps (empty for long texts)."""
        b, th, tr = self.board, self.board.theme, self.board.inp.trace
        T = b.T
        col_w = (X1 - X0) / T
        out = VGroup()
        if T > MAX_CHAR_STEPS:
            note = frame_label(f"{T} steps: the text and the guesses are printed for at most "
                               f"{MAX_CHAR_STEPS} steps", th.muted, 0.17)
            out.add(note.move_to([(X0 + X1) / 2, Y0 - 0.35, 0]))
            return out
        size = min(0.22, 0.6 * col_w)
        xs = [b.col_x(t) + col_w / 2 for t in range(1, T + 1)]
        chars = [shown(c) for c in tr.input_chars()]
        b.chars = glyph_row(chars, xs, Y0 - 0.3, size, [th.text] * T)
        out.add(b.chars)
        if tr.extra.get("one_label"):  # one output, after the last step: no guess per step
            return out
        if T > MAX_GUESS_STEPS or tr.vocabulary is None:
            note = frame_label(f"top guesses printed for at most {MAX_GUESS_STEPS} steps",
                               th.muted, 0.15)
            out.add(note.move_to([(X0 + X1) / 2, Y0 - 0.75, 0]))
            return out
        top = tr.top_guesses(3)  # (T, 3) indices into the vocabulary
        vocab = tr.vocabulary.chars
        for k in range(top.shape[1]):
            guesses = [shown(vocab[int(i)]) for i in top[:, k]]
            # the right guess (the target) in the positive colour
            colors = [th.positive if int(i) == int(y) else th.muted
                      for i, y in zip(top[:, k], tr.targets)]
            b.guesses.add(*glyph_row(guesses, xs, Y0 - 0.8 - 0.32 * k, 0.8 * size, colors))
        label = frame_label("top 3 guesses", th.muted, 0.15)
        out.add(b.guesses, label.move_to([X0 - 0.2 - label.width / 2, Y0 - 1.12, 0]))
        return out

    def _legend(self) -> Group:
        """The map's colour bar with its numbers: the blue-white-red scale is -1..+1 for
        every layer; values beyond it, which only an unbounded state has, say so."""
        b = self.board
        th = b.theme
        ticks = LEGEND_TICKS
        bar = ScaleBar(diverging_pixels(np.linspace(-1.0, 1.0, 101)[None, :]), -1.0, 1.0,
                       ticks, [scale_tick(v) for v in ticks], 3.0, 0.2, th.muted)
        bar.move_to([0, -3.3, 0])
        values = b.inp.trace.layer(chosen_layer(b.inp, "activations"))[:, b.rows]
        beyond = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 0.0
        if beyond > 1.0:
            note = frame_label(f"beyond ±1 (up to {beyond:.2f}): the end colours", th.muted, 0.16)
            bar.add(note.next_to(bar.image, RIGHT, buff=0.25))
        return bar
