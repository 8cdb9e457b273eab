"""Truncated BPTT: the state crosses each cut, the errors do not, and W is updated per window.

Any cell: an LSTM's cell state crosses the cuts beside h; the panels print the recurrent
weights (a gated cell's W_hh block of the gate that keeps the state, ``recurrent_block``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from manim import *

from rnn.cells import DEFAULT_CELL, get_cell
from rnn.errors import UnrolledError
from rnn.learning.optim import Optimizer
from rnn.limits import RANGES
from rnn.model import text_model
from rnn.studies.problems import gradient_difference, truncated_gradients
from scenes.beats.contract import CELLS, TEXT_STEPS, Option, SceneContract
from scenes.beats.inputs import SceneInput, own_input
from scenes.beats.stage import beat, open_board, scale_of
from scenes.beats.truncated import (
    MAX_COMPACT_HIDDEN,
    MAX_COMPACT_STEPS,
    PRINTED_UNITS,
    CompactSequence,
    UpdatePanel,
    WindowErrors,
    recurrent_block,
    recurrent_name,
)
from scenes.components import ParamPanel
from scenes.components.barrier import Barrier
from scenes.components.repaint import PaintsStillOnce
from scenes.components.strips import HeatPanel, magnitude
from scenes.components.theme import Theme, get_theme

TRUNCATED_TEXT = "hello hello hello"  # 16 steps at most, 5 characters
LEARNING_RATE = 0.1


def prepare_input(options: dict, theme: str = "dark", values: bool = False,
                  text: str | None = None, hidden: int | None = None,
                  seed: int = 0, cell: str = DEFAULT_CELL) -> SceneInput:
    """Traces of truncated BPTT over ``steps`` steps in windows of ``window``, and of full BPTT,
    of a model of ``cell`` (initialised as ``unrolled trace`` does).

    ``windows`` holds one Trace per window (the parameters updated after each); ``trace`` is
    full BPTT over the same steps; ``extra`` holds both gradients of the whole sequence at the
    starting parameters and their difference.
    """
    get_theme(theme)  # an unknown theme is refused here, before any trace is built
    contract = TruncatedScene.contract
    opts = contract.with_defaults("truncated", options)
    window, steps = contract.check("window", opts["window"]), contract.check("steps", opts["steps"])
    if steps > MAX_COMPACT_STEPS:
        raise UnrolledError(f"the truncated scene draws at most {MAX_COMPACT_STEPS} steps, "
                            f"got {steps}")
    hidden = 3 if hidden is None else hidden
    get_cell(cell)  # an unknown cell is one line, before anything is built
    if not 1 <= hidden <= MAX_COMPACT_HIDDEN:
        raise UnrolledError(f"the truncated scene draws 1 to {MAX_COMPACT_HIDDEN} hidden units, "
                            f"got {hidden}")
    text = TRUNCATED_TEXT if text is None else text
    if len(text) < steps + 1:
        raise UnrolledError(f"{steps} steps need a text of at least {steps + 1} characters, "
                            f"got {len(text)}")
    model = text_model(text[:steps + 1], hidden=hidden, seed=seed, cell=cell)
    optimizer = Optimizer(method="sgd", lr=LEARNING_RATE)
    windows = model.windows(window, optimizer)
    full = model.trace(Optimizer(method="sgd", lr=LEARNING_RATE))
    cut = truncated_gradients(model.params, model.X, model.y, window)
    extra = {"scene": "truncated", "window": window, "steps": steps, "full_grads": full.grads,
             "truncated_grads": cut, "difference": gradient_difference(full.grads, cut)}
    return SceneInput(trace=full, theme=theme, values=values, windows=windows, extra=extra)


@dataclass
class Board:
    """What the beats share: the scene and the pictures on screen."""

    scene: Scene
    inp: SceneInput
    theme: Theme
    seq: CompactSequence
    barriers: list[Barrier] = field(default_factory=list)
    errors: list[WindowErrors] = field(default_factory=list)
    updates: list[UpdatePanel] = field(default_factory=list)
    losses: VGroup = field(default_factory=VGroup)
    comparison: ParamPanel | None = None
    beats: list[str] = field(default_factory=list)  # names of the beats played, in order

    @property
    def T(self) -> int:
        return self.seq.layout.T


class TruncatedScene(PaintsStillOnce, Scene):
    """Forward across the cuts, backward inside each window, one update of W per window."""

    contract = SceneContract(
        options=(Option("window", int, 4, "steps per window", RANGES["window"]),
                 Option("steps", int, 12, "length of the sequence", TEXT_STEPS)),
        cells=CELLS,
        prepare=prepare_input,
    )

    def setup(self):
        inp = own_input("truncated", prepare_input, needs=lambda inp: bool(inp.windows))
        self.board = open_board(self, inp, lambda scene, inp, theme: Board(
            scene, inp, theme, CompactSequence(inp.trace, theme)))

    def construct(self):
        self.show_sequence()
        for k, trace in enumerate(self.board.inp.windows, start=1):
            self.run_window_forward(k, trace)
            self.run_window_backward(k, trace)
            self.show_update(k, trace)
        self.compare()

    # Beats ---------------------------------------------------------------------------------
    def show_sequence(self):
        b = self.board
        lay, th = b.seq.layout, b.theme
        K, T = b.inp.extra.get("window", b.T), b.T
        spec = b.inp.trace.spec
        state = ("the hidden state and the cell state cross" if "cell" in b.seq.carried
                 else "the hidden state crosses")
        with beat(b, "sequence", f"A sequence of {T} steps is cut into windows of {K}: "
                                 f"{state} each cut, the errors will not."):
            cell = "" if spec.name == DEFAULT_CELL else f" of {spec.called}"
            title = Text(f"Truncated BPTT{cell}: {T} steps, windows of {K}", font="Sans",
                         color=th.text).scale_to_fit_height(0.3).move_to([0, lay.title_y, 0])
            names = VGroup()
            for k, tr in enumerate(b.inp.windows, start=1):
                w = tr.extra["window"]
                mid = (lay.column_x(w["start"]) + lay.column_x(w["stop"])) / 2
                name = Text(f"window {k}", font="Sans", color=th.muted)
                names.add(name.scale_to_fit_height(0.18).move_to([mid, lay.window_y, 0]))
                if w["stop"] < T:
                    b.barriers.append(Barrier(lay.cut_x(w["stop"]), w["stop"], th))
            # Static parts first and each hidden stack on its own: an animated mobject
            # repaints everything added after it, so the stacks of a window are brought
            # to the front before they change.
            stacks = [s for t in range(1, T + 1) for s in b.seq.stacks(t)]
            self.add(title, b.seq.arrows, b.seq.labels, *b.barriers, names, *stacks)
            self.play(FadeIn(title), FadeIn(b.seq.arrows), FadeIn(b.seq.labels),
                      *[FadeIn(x) for x in stacks], *[Create(x) for x in b.barriers],
                      FadeIn(names), run_time=1.0)
            self.wait(0.6)

    def run_window_forward(self, k: int, trace):
        b = self.board
        w = trace.extra["window"]
        state = "hidden state and cell state" if "cell" in b.seq.carried else "hidden state"
        carried = "" if k == 1 else f" It starts from the {state} the previous window ended in."
        with beat(b, f"forward window {k}", f"Window {k} runs forward over steps "
                                            f"{w['start']} to {w['stop']}.{carried}"):
            anims = []
            steps = range(w["start"], w["stop"] + 1)
            self.bring_to_front(*[s for t in steps for s in b.seq.stacks(t)])
            for i, t in enumerate(steps):
                anims.append(Transform(b.seq.units[t], b.seq.show_hidden(t, trace.h[i])))
                if t in b.seq.cell_units:  # one colour scale for the cell state of all steps
                    anims.append(Transform(b.seq.cell_units[t], b.seq.show_cell(
                        t, trace.cell[i], scale_of(b.inp.trace.cell))))
                label = b.seq.loss_label(t, trace.losses[i])
                b.losses.add(label)
                anims.append(FadeIn(label))
            if k > 1:
                # a flash on a copy, so the drawn arrow stays in the static background
                for arrows in (b.seq.recurrent, b.seq.cell_recurrent):
                    if w["start"] in arrows:
                        carry = arrows[w["start"]].copy().set_stroke(width=7)
                        anims.append(ShowPassingFlash(carry, time_width=0.6))
            self.play(*anims, run_time=0.9)
            self.wait(0.15)

    def run_window_backward(self, k: int, trace):
        b = self.board
        w = trace.extra["window"]
        with beat(b, f"backward window {k}", f"Its errors travel back only as far as step "
                                             f"{w['start']}: the cut stops them."):
            errors = WindowErrors(b.seq, trace, w["start"])
            b.errors.append(errors)
            walls = [x.wall for x in b.barriers if x.after in (w["start"] - 1, w["stop"])]
            self.play(LaggedStart(*[GrowArrow(a) for a in errors], lag_ratio=0.05),
                      *[ShowPassingFlash(x.copy().set_stroke(width=9), time_width=0.5)
                        for x in walls],
                      run_time=0.9)
            self.wait(0.15)

    def show_update(self, k: int, trace):
        b = self.board
        lay, w = b.seq.layout, trace.extra["window"]
        with beat(b, f"update window {k}", f"The parameters are updated once, from window {k}'s "
                                          "gradients, before the next window runs."):
            width = lay.cut_x(w["stop"]) - lay.cut_x(w["start"] - 1)
            panel = UpdatePanel(trace, k, b.theme, width)
            panel.move_to([(lay.cut_x(w["stop"]) + lay.cut_x(w["start"] - 1)) / 2,
                           lay.panel_y, 0])
            b.updates.append(panel)
            self.play(FadeIn(panel, shift=0.2 * DOWN), run_time=0.6)
            self.wait(0.6)  # time to read the new values

    def compare(self):
        b = self.board
        extra, th = b.inp.extra, b.theme
        spec = b.inp.trace.spec
        name = recurrent_name(spec)
        with beat(b, "compare", f"At the same starting parameters, the truncated gradient of "
                                f"{spec.recurrent} misses what the errors crossing the cuts "
                                "would have added."):
            blocks = {f"∇{name} full BPTT": recurrent_block(
                          spec, extra["full_grads"][spec.recurrent]),
                      f"∇{name} truncated": recurrent_block(
                          spec, extra["truncated_grads"][spec.recurrent]),
                      "difference": recurrent_block(spec, extra["difference"][spec.recurrent])}
            if b.inp.trace.h.shape[1] <= PRINTED_UNITS:  # numbers that read at 1080p
                panel = ParamPanel(blocks, th, width=11.0, height=1.5)
            else:  # heatmaps: the two gradients on one scale, the difference on its own
                full, cut = list(blocks)[:2]
                both = max(magnitude(blocks[full]), magnitude(blocks[cut]))
                panel = HeatPanel(blocks, th, width=11.0, height=1.5,
                                  scales={full: both, cut: both})
            panel.move_to([0, b.seq.layout.panel_y, 0])
            b.comparison = panel
            self.bring_to_front(*b.updates)  # only they and the new panel are repainted
            self.play(*[FadeOut(p) for p in b.updates], run_time=0.4)
            self.play(FadeIn(panel), run_time=0.6)
            self.wait(2.0)  # time to compare the three matrices

