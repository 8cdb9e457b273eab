"""One LSTM step as a cell diagram: the gates light up forward, then the error goes back."""

from __future__ import annotations

from manim import *

from rnn.cells.lstm import FORGET_BIAS
from rnn.errors import UnrolledError
from rnn.limits import RANGES
from rnn.model import text_model
from rnn.trace import cell_step
from scenes.beats.contract import TEXT_STEPS, Option, SceneContract
from scenes.beats.inputs import SceneInput, own_input
from scenes.beats.stage import beat, open_board
from scenes.components.cell_board import CellBoard
from scenes.components.cell_diagram import (
    BUS_Y,
    GATE_Y,
    LEFT_X,
    MAX_UNITS,
    MID_Y,
    RIGHT_X,
    TOP_Y,
    CellDiagram,
)
from scenes.components.panels import forget_bias_words
from scenes.components.repaint import PaintsStillOnce
from scenes.components.theme import get_theme

CELL_TEXT = "hello"

# The LSTM's diagram (``CellDiagram``). name: (x, activation symbol); all on GATE_Y
LSTM_BOXES = {"f": (-2.8, "σ"), "i": (-1.4, "σ"), "g": (0.2, "tanh"), "o": (1.5, "σ")}
LSTM_NODES = {"forget_mul": (-2.8, TOP_Y, "×"), "add": (0.2, TOP_Y, "+"),
              "input_mul": (0.2, MID_Y, "×"), "tanh_cell": (2.7, MID_Y, "tanh"),
              "out_mul": (2.7, GATE_Y, "×")}
LSTM_WIRES = [
    [(LEFT_X, TOP_Y), (RIGHT_X, TOP_Y)],  # the cell state
    [(-2.8, GATE_Y), (-2.8, TOP_Y)],  # f -> x cell(t-1)
    [(-1.4, GATE_Y), (-1.4, MID_Y), (0.2, MID_Y)],  # i -> x g
    [(0.2, GATE_Y), (0.2, TOP_Y)],  # g -> x i -> + on the cell line
    [(2.7, TOP_Y), (2.7, GATE_Y)],  # cell(t) -> tanh -> x o
    [(1.5, GATE_Y), (2.7, GATE_Y)],  # o -> x
    [(2.7, GATE_Y), (2.7, BUS_Y), (RIGHT_X, BUS_Y)],  # h(t) out
    [(LEFT_X, BUS_Y), (1.25, BUS_Y)],  # h(t-1) feeding the gates
    [(-3.8, -3.15), (-3.8, BUS_Y)],  # x(t) joins it
]
LSTM_BACK = {  # error paths, each from where the error is to where it goes
    "h": ((RIGHT_X, BUS_Y), (2.9, BUS_Y)),
    "cell": ((RIGHT_X, TOP_Y + 0.25), (0.45, TOP_Y + 0.25)),
    "forget": ((-0.05, TOP_Y + 0.25), (-2.55, TOP_Y + 0.25)),
    "cell_prev": ((-3.05, TOP_Y + 0.25), (LEFT_X, TOP_Y + 0.25)),
    "h_prev": ((1.0, BUS_Y - 0.25), (LEFT_X, BUS_Y - 0.25)),
}
LSTM_LAYOUT = (LSTM_BOXES, LSTM_NODES, LSTM_WIRES, LSTM_BACK, -3.8)  # x(t) enters at -3.8

T_OPTION = Option("t", int, 2, "the step drawn, 1-based", TEXT_STEPS)  # of the cell scenes


def check_cell_input(scene: str, text: str | None, hidden: int | None, t) -> tuple[str, int]:
    """Text and hidden size for a cell scene, or one clear UnrolledError."""
    text = CELL_TEXT if text is None else text
    H = 3 if hidden is None else hidden
    if not 1 <= H <= MAX_UNITS:
        raise UnrolledError(f"the {scene} scene prints 1 to {MAX_UNITS} units, got hidden {H}")
    if isinstance(t, bool) or not isinstance(t, int) or not 1 <= t <= len(text) - 1:
        raise UnrolledError(f"t must be a step of the text, 1..{len(text) - 1}, got {t}")
    return text, H


def prepare_input(options: dict, theme: str = "dark", values: bool = False,
                  text: str | None = None, hidden: int | None = None,
                  seed: int = 0) -> SceneInput:
    """An LSTM on ``text`` (torch's initialisation, forget-gate bias ``forget_bias``) and the
    recorded values of step ``t``: ``extra["step"]`` is ``rnn.trace.cell_step``."""
    get_theme(theme)
    opts = LSTMCellScene.contract.with_defaults("lstm-cell", options)
    bias = opts["forget_bias"]
    if isinstance(bias, bool) or not isinstance(bias, (int, float)) or not abs(bias) < 1e3:
        raise UnrolledError(f"forget_bias must be a number, got {bias}")
    text, H = check_cell_input("lstm-cell", text, hidden, opts["t"])
    trace = text_model(text, hidden=H, seed=seed, cell="lstm", forget_bias=bias).trace()
    extra = {"scene": "lstm-cell", "t": opts["t"], "forget_bias": float(bias), "text": text,
             "step": cell_step(trace, opts["t"])}
    return SceneInput(trace=trace, theme=theme, values=values, extra=extra)


class LSTMCellScene(PaintsStillOnce, Scene):
    """Forward through the gates i, f, g, o of one step, then the error back through them."""

    contract = SceneContract(
        options=(T_OPTION, Option("forget_bias", float, FORGET_BIAS,
                                  "added to the forget gate's bias",
                                  RANGES["forget_bias"])),
        cells=("lstm",),
        prepare=prepare_input,
    )

    def setup(self):
        self.board = open_board(self, own_input("lstm-cell", prepare_input), CellBoard)

    def construct(self):
        self.show_cell()
        self.show_forget()
        self.show_input()
        self.show_cell_state()
        self.show_output()
        self.show_errors_arrive()
        self.show_gate_errors()
        self.show_cell_path()

    # Forward -------------------------------------------------------------------------------
    def show_cell(self):
        b = self.board
        e, th, s = b.inp.extra, b.theme, b.step
        t = s["t"]
        with beat(b, "the cell", f"One step of an LSTM, step {t}: the cell state runs along "
                                 "the top, the gates i, f, g and o sit below it."):
            b.diagram = CellDiagram(LSTM_LAYOUT, th, len(s["h"]))
            title = Text(f"LSTM, step t = {t} of “{e['text']}”: input “{s['x_char']}”, "
                         f"target “{s['target_char']}”", font="Sans", color=th.text)
            title.scale_to_fit_height(0.3).move_to([0, 3.6, 0])
            setup = Text(f"initialised as torch does, {forget_bias_words(e['forget_bias'])}",
                         font="Sans", color=th.muted)
            setup.scale_to_fit_height(0.17).move_to([0, 3.2, 0])
            x_label = Text(f"x(t) = “{s['x_char']}”", font="Sans", color=th.text)
            x_label.scale_to_fit_height(0.2).next_to(b.diagram.input_point(), direction=DOWN,
                                                     buff=0.02)
            anims = b.put("cell_prev", s["cell_prev"], 1.0, "prev_top", "cell(t−1)")
            anims += b.put("h_prev", s["h_prev"], 1.0, "prev_bus", "h(t−1)")
            anims += b.readout("gates = W_ih x(t) + b_ih + W_hh h(t−1) + b_hh, "
                               "split into i, f, g, o")
            self.add(title, setup, b.diagram, x_label)
            self.play(FadeIn(title), FadeIn(setup), FadeIn(b.diagram), FadeIn(x_label), *anims,
                      run_time=1.2)
            self.wait(0.5)

    def show_forget(self):
        b = self.board
        with beat(b, "forget gate", "The forget gate f, a sigmoid, says how much of each unit "
                                    "of cell(t−1) to keep."):
            anims = b.put("f", b.step["gates"]["f"], 1.0, "f", "f(t)")
            anims += b.readout("f(t) = σ(f block of the gates)     each value in (0, 1)")
            self.play(*b.light_gates("f"), *anims, run_time=1.0)
            self.wait(0.6)

    def show_input(self):
        b = self.board
        gates = b.step["gates"]
        with beat(b, "input gate", "The input gate i scales the candidate g, a tanh, "
                                   "before it is added to the cell."):
            anims = b.put("i", gates["i"], 1.0, "i", "i(t)")
            anims += b.put("g", gates["g"], 1.0, "g", "g(t)")
            anims += b.readout("i(t) = σ(i block)     g(t) = tanh(g block)")
            self.play(*b.light_gates("i", "g"), *anims, run_time=1.0)
            self.wait(0.6)

    def show_cell_state(self):
        b = self.board
        with beat(b, "new cell state", "The new cell state is f times the old one plus i "
                                       "times g: a sum, with no weight matrix on the way."):
            anims = b.put("cell", b.step["cell"], 1.0, "next_top", "cell(t)")
            anims += b.readout("cell(t) = f(t) ⊙ cell(t−1) + i(t) ⊙ g(t)")
            nodes = [Indicate(b.diagram.nodes[n], color=b.theme.recurrent)
                     for n in ("forget_mul", "input_mul", "add")]
            self.play(*nodes, *anims, run_time=1.2)
            self.wait(0.6)

    def show_output(self):
        b = self.board
        with beat(b, "output gate", "The output gate o lets a squashed copy of the cell out "
                                    "as h(t)."):
            anims = b.put("o", b.step["gates"]["o"], 1.0, "o", "o(t)")
            anims += b.put("h", b.step["h"], 1.0, "next_bus", "h(t)")
            anims += b.readout("o(t) = σ(o block)     h(t) = o(t) ⊙ tanh(cell(t))")
            self.play(*b.light_gates("o"), *anims, run_time=1.0)
            self.wait(0.8)

    # Backward ------------------------------------------------------------------------------
    def show_errors_arrive(self):
        b = self.board
        s, th = b.step, b.theme
        vmax = s["error_scale"]
        with beat(b, "errors arrive", "Backward: the error reaches h(t) from its own loss and "
                                      "from step t+1, and cell(t) from h(t) and cell(t+1)."):
            anims = b.put("h", s["dL_dh"], vmax, "next_bus", "∂L/∂h(t)", error=True,
                          color=th.positive)
            anims += b.put("cell", s["dL_dcell"], vmax, "next_top", "∂L/∂cell(t)", error=True,
                           color=th.positive)
            anims += b.readout(
                [("∂L/∂h(t) = from L(t) ", s["dL_dh_from_output"]),
                 ("+ from step t+1 ", s["dL_dh_from_next"])],
                [("∂L/∂cell(t) = through h(t) ", s["dL_dcell_from_h"]),
                 ("+ from cell(t+1)·f(t+1) ", s["dL_dcell_from_next"])])
            self.play(b.error_arrow("h"), b.error_arrow("cell"),
                      *anims, *b.dim_gates(), run_time=1.4)
            self.wait(1.0)

    def show_gate_errors(self):
        b = self.board
        s, th = b.step, b.theme
        vmax = s["error_scale"]
        with beat(b, "gate errors", "The error splits through the gates: o gets its part "
                                    "from h(t), and i, f and g from cell(t)."):
            anims = []
            for n in ("i", "f", "g", "o"):
                anims += b.put(n, s["gate_errors"][n], vmax, n, f"∂L/∂{n}", error=True,
                               color=th.positive)
                anims.append(FadeOut(b.columns[n]))
                anims.append(FadeOut(b.labels.pop(f"{n}:False")))
            anims += b.readout("errors at the gates' inputs, before their σ or tanh: "
                               "each is the error times the gate's local slope")
            self.play(*anims, run_time=1.2)
            self.wait(0.8)

    def show_cell_path(self):
        b = self.board
        s, th = b.step, b.theme
        vmax = s["error_scale"]
        with beat(b, "cell path", "Along the cell state the error is only multiplied by the "
                                  "forget gate f(t): the constant error carousel."):
            anims = b.put("cell_prev", s["to_cell_prev"], vmax, "prev_top", "∂L/∂cell(t−1)",
                          error=True, color=th.positive)
            anims += b.put("h_prev", s["to_h_prev"], vmax, "prev_bus", "∂L/∂h(t−1)",
                           error=True, color=th.positive)
            anims += b.readout(
                [("∂L/∂cell(t) ", s["dL_dcell"]), ("⊙ f(t) ", s["gates"]["f"]),
                 ("= ", s["to_cell_prev"])],
                "to h(t−1) the error goes back through the gates and W_hh, as in a simple RNN")
            self.play(b.error_arrow("forget"), b.error_arrow("cell_prev"), b.error_arrow("h_prev"),
                      Indicate(b.diagram.nodes["forget_mul"], color=th.positive),
                      *anims, run_time=1.6)
            self.wait(1.5)
