"""Neuron text: the input text coloured by one hidden unit's activation, as in Karpathy's
char-rnn figures.

Each character sits on the colour of h(t) of one unit just after reading it (blue -1, white 0,
red +1). The units shown, by a documented rule: the unit with the largest variance over the
text (``Trace.units_by_variance``), then the unit whose activation correlates most, in
absolute value, with the position in the line (``Trace.unit_correlations`` of
``Trace.line_positions``) when the text has several lines and that unit is another one. The
option ``unit`` (1-based) shows that unit alone.
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
from scenes.components.heatmap import diverging_pixels, frame_label, heatmap_image
from scenes.components.repaint import PaintsStillOnce
from scenes.components.theme import Theme

MAX_CHARS = 2000  # longer texts are refused before anything is drawn
MAX_COLS = 64  # characters per printed line; longer lines wrap
BOX = (-6.4, 6.4, -3.0, 2.9)  # left, right, bottom, top of the text block, scene units
INK = "#111111"  # dark characters read on every colour of the map


@dataclass(frozen=True)
class Pick:
    """One unit to show and why (the caption's reason)."""

    unit: int  # 0-based
    reason: str


def picks(inp: SceneInput) -> list[Pick]:
    """The units shown, after checking the option and the limits."""
    tr = inp.trace
    T, H = tr.h.shape
    if T > MAX_CHARS:
        raise UnrolledError(f"neuron-text draws at most {MAX_CHARS} characters, the trace has {T}")
    unit = inp.extra.get("unit", NeuronTextScene.contract.defaults["unit"])
    if unit:
        if not 1 <= unit <= H:
            raise UnrolledError(f"neuron-text: unit {unit} does not exist (units 1..{H})")
        return [Pick(unit - 1, "the unit asked for")]
    layer = chosen_layer(inp, "neuron-text")
    first = int(tr.units_by_variance(layer)[0])
    chosen = [Pick(first, "the unit that varies most over the text")]
    if "\n" in tr.input_chars():
        r = tr.unit_correlations(tr.line_positions(), layer)  # (H,)
        best = int(np.argmax(np.abs(r)))
        if best != first:
            chosen.append(Pick(best, f"the unit that follows the position in the line most "
                                     f"closely (correlation {r[best]:+.2f})"))
    return chosen


def text_cells(chars: list[str], cols: int = MAX_COLS) -> list[tuple[int, int]]:
    """(line, column) of every character: lines break after a newline and wrap at ``cols``."""
    cells, line, col = [], 0, 0
    for c in chars:
        if col == cols:
            line, col = line + 1, 0
        cells.append((line, col))
        col += 1
        if c == "\n":
            line, col = line + 1, 0
    return cells


@dataclass
class Board:
    """What the beats share: the scene, its input and the pictures on screen."""

    scene: Scene
    inp: SceneInput
    theme: Theme
    picks: list[Pick] = field(default_factory=list)
    cells: list[tuple[int, int]] = field(default_factory=list)  # of step t at index t-1
    images: dict[int, ImageMobject] = field(default_factory=dict)  # by 0-based unit
    beats: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.picks = picks(self.inp)  # the limits, checked before anything is drawn
        self.cells = text_cells(self.inp.trace.input_chars())

    @property
    def grid(self) -> tuple[int, int]:
        """(lines, columns) of the text block."""
        return 1 + max(r for r, _ in self.cells), 1 + max(c for _, c in self.cells)


class NeuronTextScene(PaintsStillOnce, Scene):
    """The text on the colours of one unit's activation, for the units the rule picks."""

    contract = SceneContract(options=(
        Option("unit", int, None, "the hidden unit the text is coloured by, 1-based (default: "
               "the units its rule picks)", Range(int, 1, MAX_HIDDEN)), LAYER), cells=tuple(CELLS))

    def setup(self):
        self.board = open_board(self, get_scene_input(), Board)

    def construct(self):
        self.show_text()
        for pick in self.board.picks:
            self.show_unit(pick)

    # Beats ---------------------------------------------------------------------------------
    def show_text(self):
        b = self.board
        th = b.theme
        with beat(b, "the text", "The text the network reads, one character per step."):
            name = b.inp.trace.layer_label(chosen_layer(b.inp, "neuron-text"))
            title = frame_label(f"the text, coloured by one unit's activation {name}"
                                f"{view_words(b.inp.trace)}", th.text,
                                0.28).move_to([0, 3.6, 0])
            self.glyphs = self._glyphs()
            paper = self._paper(np.zeros(b.inp.trace.T))  # white cells: value 0, no unit yet
            legend = self._legend()
            self.unit_label = frame_label(" ", th.text, 0.22)
            self.add(title, legend, paper)
            self.play(FadeIn(title), FadeIn(paper), FadeIn(self.glyphs), FadeIn(legend),
                      run_time=1.0)

    def show_unit(self, pick: Pick):
        b = self.board
        th, tr = b.theme, b.inp.trace
        n = pick.unit + 1
        with beat(b, f"unit {n}", f"Unit {n}, {pick.reason}: each character on the colour "
                                  "of its activation just after reading it."):
            image = self._paper(tr.layer(chosen_layer(b.inp, "neuron-text"))[:, pick.unit])
            b.images[pick.unit] = image
            label = frame_label(f"unit {n}", th.text, 0.24).move_to([0, 3.15, 0])
            old = [m for m in b.images.values() if m is not image and m in self.mobjects]
            self.add(image, self.glyphs)  # the colours go behind the characters
            self.play(FadeIn(image), *[FadeOut(m) for m in old],
                      FadeTransform(self.unit_label, label), run_time=1.0)
            self.unit_label = label
            self.wait(0.5)

    # Parts ---------------------------------------------------------------------------------
    def _paper(self, values: np.ndarray) -> ImageMobject:
        """The cells of the text block coloured by ``values`` (T,), one per character."""
        b = self.board
        lines, cols = b.grid
        pixels = np.zeros((lines, cols, 4), dtype=np.uint8)  # unused cells: transparent
        rows, columns = zip(*b.cells)
        pixels[list(rows), list(columns)] = diverging_pixels(values)  # (T, 4)
        cw, ch = self._cell()
        image = heatmap_image(pixels, cols * cw, lines * ch)
        return image.move_to([BOX[0] + cols * cw / 2, BOX[3] - lines * ch / 2, 0])

    def _cell(self) -> tuple[float, float]:
        """Width and height of one character's cell."""
        lines, cols = self.board.grid
        width = min((BOX[1] - BOX[0]) / cols, 0.45)
        height = min(1.6 * width, (BOX[3] - BOX[2]) / lines)
        return min(width, height), height

    def _glyphs(self) -> VGroup:
        """The characters, each centred in its cell, one row of glyphs per printed line."""
        b = self.board
        chars = [shown(c, space=False) for c in b.inp.trace.input_chars()]
        cw, ch = self._cell()
        out = VGroup()
        for line in range(b.grid[0]):
            steps = [i for i, (r, _) in enumerate(b.cells) if r == line]
            xs = [BOX[0] + (b.cells[i][1] + 0.5) * cw for i in steps]
            out.add(*glyph_row([chars[i] for i in steps], xs, BOX[3] - (line + 0.5) * ch,
                               0.5 * ch, [INK] * len(steps)))
        return out

    def _legend(self) -> Group:
        th = self.board.theme
        scale = heatmap_image(diverging_pixels(np.linspace(-1.0, 1.0, 101)[None, :]), 3.0, 0.2)
        scale.move_to([0, -3.55, 0])
        lo = frame_label("−1", th.muted, 0.18).next_to(scale, LEFT, buff=0.15)
        hi = frame_label("+1", th.muted, 0.18).next_to(scale, RIGHT, buff=0.15)
        return Group(scale, lo, hi)
