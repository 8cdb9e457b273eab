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
from rnn.network import Shape
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
    printed_weights,
    recurrent_block,
)
from scenes.beats.truncated_network import CompactNetwork, NetworkLayout
from scenes.components import ParamPanel
from scenes.components.barrier import Barrier
from scenes.components.repaint import PaintsStillOnce
from scenes.components.strips import HeatPanel, magnitude
from scenes.components.theme import Theme, get_theme

TRUNCATED_TEXT = "hello hello hello"  # 16 steps at most, 5 characters
LEARNING_RATE = 0.1


def prepare_input(options: dict, theme: str = "dark", values: bool = False,
                  text: str | None = None, hidden: int | None = None,
                  seed: int = 0, cell: str = DEFAULT_CELL, num_layers: int = 1,
                  bidirectional: bool = False, label: str | None = None,
                  classes=None) -> SceneInput:
    """Traces of truncated BPTT over ``steps`` steps in windows of ``window``, and of full BPTT,
    of a model of ``cell`` (initialised as ``unrolled trace`` does); with ``num_layers``,
    ``bidirectional`` or ``label`` and ``classes``, of a network of that shape
    (NetworkTraces).

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
    if num_layers != 1 or bidirectional:  # every band must still read: refused before building
        shape = Shape(layers=num_layers, bidirectional=bidirectional)
        NetworkLayout(T=steps, H=hidden, bands=len(shape.slots),
                      states=len(get_cell(cell).states))
    text = TRUNCATED_TEXT if text is None else text
    chars = steps + (label is None)  # one label: every character is an input
    if len(text) < chars:
        raise UnrolledError(f"{steps} steps need a text of at least {chars} characters, "
                            f"got {len(text)}")
    model = text_model(text[:chars], hidden=hidden, seed=seed, cell=cell,
                       num_layers=num_layers, bidirectional=bidirectional, label=label,
                       classes=classes)
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
    seq: CompactSequence | CompactNetwork
    barriers: list[Barrier] = field(default_factory=list)
    errors: list = field(default_factory=list)  # WindowErrors or NetworkWindowErrors
    updates: list[UpdatePanel] = field(default_factory=list)
    losses: VGroup = field(default_factory=VGroup)
    comparison: ParamPanel | None = None
    beats: list[str] = field(default_factory=list)  # names of the beats played, in order

    @property
    def T(self) -> int:
        return self.seq.layout.T

    @property
    def network(self) -> bool:
        return isinstance(self.seq, CompactNetwork)


def drawing(trace, theme: Theme, windows) -> CompactSequence | CompactNetwork:
    """The compact columns of a trace: one row of states, or a band per layer direction
    (whose backward rows start again at every cut)."""
    if getattr(trace, "shape", None) is None:
        return CompactSequence(trace, theme, lanes=max((w.T for w in windows), default=1))
    cuts = {w.extra["window"]["stop"] for w in windows}
    return CompactNetwork(trace, theme, restarts=cuts)


def network_called(spec, shape) -> str:
    """How the title names a network: "a 2-layer bidirectional LSTM, one label"."""
    words = shape.words()
    name = f"a {words} {spec.called.split(' ', 1)[1]}" if words else spec.called
    return name + (", one label" if shape.task == "last" else "")


def crossing(b: Board) -> str:
    """What crosses a cut, as the captions say it."""
    both = "cell" in b.seq.carried
    if not b.network:
        return ("the hidden state and the cell state cross" if both
                else "the hidden state crosses")
    state = "hidden and cell states" if both else "hidden states"
    if b.seq.shape.bidirectional:
        return (f"the forward rows' {state} cross each cut, and the backward rows start "
                "again at every window's end (they have not read past it)")
    return f"every layer's {state} cross"


class TruncatedScene(PaintsStillOnce, Scene):
    """Forward across the cuts, backward inside each window, one update of W per window."""

    contract = SceneContract(
        options=(Option("window", int, 4, "steps per window", RANGES["window"]),
                 Option("steps", int, 12, "length of the sequence", TEXT_STEPS)),
        cells=CELLS,
        prepare=prepare_input,
        shapes=True,
    )

    def setup(self):
        inp = own_input("truncated", prepare_input, needs=lambda inp: bool(inp.windows))
        self.board = open_board(self, inp, lambda scene, inp, theme: Board(
            scene, inp, theme, drawing(inp.trace, theme, inp.windows)))

    def construct(self):
        self.show_sequence()
        for k, trace in enumerate(self.board.inp.windows, start=1):
            self.run_window_forward(k, trace)
            if trace.update is None:  # one label: the windows before the last have no loss
                continue
            self.run_window_backward(k, trace)
            self.show_update(k, trace)
        self.compare()

    # Beats ---------------------------------------------------------------------------------
    def show_sequence(self):
        b = self.board
        lay, th = b.seq.layout, b.theme
        K, T = b.inp.extra.get("window", b.T), b.T
        spec = b.inp.trace.spec
        said = crossing(b)
        said = said if b.network and b.seq.shape.bidirectional else f"{said} each cut"
        with beat(b, "sequence", f"A sequence of {T} steps is cut into windows of {K}: "
                                 f"{said}, the errors will not."):
            cell = "" if spec.name == DEFAULT_CELL else f" of {spec.called}"
            if b.network:
                cell = f" of {network_called(spec, b.seq.shape)}"
            title = Text(f"Truncated BPTT{cell}: {T} steps, windows of {K}", font="Sans",
                         color=th.text).scale_to_fit_height(0.3).move_to([0, lay.title_y, 0])
            if title.width > 13.0:
                title.scale_to_fit_width(13.0)
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
        carried = "" if k == 1 else " It starts from the states the previous window ended in."
        if k > 1 and b.network and b.seq.shape.bidirectional:
            carried = (" Its forward rows start from the states the previous window ended in; "
                       "its backward rows from zeros at its last step.")
        elif k > 1 and not b.network:
            state = "hidden state and cell state" if "cell" in b.seq.carried else "hidden state"
            carried = f" It starts from the {state} the previous window ended in."
        unlabelled = (" It has no loss: the label is read after the last step, so no error "
                      "and no update." if trace.update is None else "")
        with beat(b, f"forward window {k}", f"Window {k} runs forward over steps "
                                            f"{w['start']} to {w['stop']}.{carried}"
                                            f"{unlabelled}"):
            steps = range(w["start"], w["stop"] + 1)
            self.bring_to_front(*[s for t in steps for s in b.seq.stacks(t)])
            anims = [Transform(stack, target) for stack, target in
                     b.seq.window_fills(trace, w["start"], self.scales())]
            for label in b.seq.loss_labels(trace, w["start"]):
                b.losses.add(label)
                anims.append(FadeIn(label))
            if k > 1:
                # a flash on a copy, so the drawn arrow stays in the static background
                for arrow in b.seq.carried_arrows(w["start"]):
                    carry = arrow.copy().set_stroke(width=7)
                    anims.append(ShowPassingFlash(carry, time_width=0.6))
            self.play(*anims, run_time=0.9)
            self.wait(0.15)

    def scales(self) -> dict:
        """Each state's colour scale: h in -1..1; another (an LSTM's cell state) on the whole
        run's largest value of it."""
        full, b = self.board.inp.trace, self.board
        if not b.network:
            return {"h": 1.0, **({"cell": scale_of(full.cell)} if "cell" in b.seq.carried
                                 else {})}
        return {"h": 1.0, **{p: max(scale_of(full.seq(l, d, p)) for l, d in b.seq.slots)
                             for p in b.seq.carried if p != "h"}}

    def run_window_backward(self, k: int, trace):
        b = self.board
        w = trace.extra["window"]
        down = " and down through the layers" if b.network and b.seq.shape.layers > 1 else ""
        with beat(b, f"backward window {k}", f"Its errors travel back{down} only as far as "
                                             f"step {w['start']}: the cut stops them."):
            errors = b.seq.window_errors(trace, w["start"])
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
        key, name = printed_weights(b.inp.trace)
        which = " of layer 1" if b.network else ""
        with beat(b, "compare", f"At the same starting parameters, the truncated gradient of "
                                f"{key}{which} misses what the errors crossing the cuts "
                                "would have added."):
            blocks = {f"∇{name} full BPTT": recurrent_block(spec, extra["full_grads"][key]),
                      f"∇{name} truncated": recurrent_block(spec, extra["truncated_grads"][key]),
                      "difference": recurrent_block(spec, extra["difference"][key])}
            if b.seq.layout.H <= PRINTED_UNITS:  # numbers that read at 1080p
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
