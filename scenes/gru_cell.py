"""One GRU step as a cell diagram: the gates light up forward, then the error goes back."""

from __future__ import annotations

from manim import *

from rnn.model import text_model
from rnn.trace import cell_step
from scenes.beats.contract import SceneContract
from scenes.beats.inputs import SceneInput, own_input
from scenes.beats.stage import beat, open_board
from scenes.components.cell_board import CellBoard
from scenes.components.cell_diagram import (
    BUS_Y,
    GATE_Y,
    LEFT_X,
    MID_Y,
    RIGHT_X,
    TOP_Y,
    CellDiagram,
)
from scenes.components.repaint import PaintsStillOnce
from scenes.components.theme import get_theme
from scenes.lstm_cell import T_OPTION, check_cell_input

# The GRU's diagram (``CellDiagram``): h(t-1) runs straight through along the top
GRU_BOXES = {"z": (-1.0, "σ"), "r": (0.3, "σ"), "n": (2.3, "tanh")}
GRU_NODES = {"keep_mul": (-1.0, TOP_Y, "×"), "add": (2.3, TOP_Y, "+"),
             "one_minus": (0.9, MID_Y, "1−"), "new_mul": (2.3, MID_Y, "×"),
             "reset_mul": (1.3, GATE_Y, "×")}
GRU_WIRES = [
    [(LEFT_X, TOP_Y), (RIGHT_X, TOP_Y)],  # h(t-1) straight through to h(t)
    [(-4.0, TOP_Y), (-4.0, BUS_Y), (2.05, BUS_Y)],  # h(t-1) feeding the gates
    [(-1.0, GATE_Y), (-1.0, TOP_Y)],  # z -> x h(t-1)
    [(-1.0, MID_Y), (0.9, MID_Y), (2.3, MID_Y)],  # z -> 1 - z -> x n
    [(2.3, GATE_Y), (2.3, TOP_Y)],  # n -> x (1 - z) -> + on the top line
    [(0.3, GATE_Y), (1.3, GATE_Y), (2.3, GATE_Y)],  # r -> x (W_hn h + b_hn) -> n
    [(1.3, BUS_Y), (1.3, GATE_Y)],  # W_hn h(t-1) + b_hn, which r multiplies
    [(-3.6, -3.15), (-3.6, BUS_Y)],  # x(t) joins the bus
]
GRU_BACK = {
    "h": ((RIGHT_X, TOP_Y + 0.25), (2.55, TOP_Y + 0.25)),
    "direct": ((2.05, TOP_Y + 0.25), (-0.75, TOP_Y + 0.25)),
    "h_prev": ((-1.25, TOP_Y + 0.25), (LEFT_X, TOP_Y + 0.25)),
    "gates": ((1.8, BUS_Y - 0.25), (-4.0, BUS_Y - 0.25)),
}
GRU_LAYOUT = (GRU_BOXES, GRU_NODES, GRU_WIRES, GRU_BACK, -3.6)  # x(t) enters at -3.6


def prepare_input(options: dict, theme: str = "dark", values: bool = False,
                  text: str | None = None, hidden: int | None = None,
                  seed: int = 0) -> SceneInput:
    """A GRU on ``text`` (torch's initialisation) and the recorded values of step ``t``:
    ``extra["step"]`` is ``rnn.trace.cell_step``."""
    get_theme(theme)
    opts = GRUCellScene.contract.with_defaults("gru-cell", options)
    text, H = check_cell_input("gru-cell", text, hidden, opts["t"])
    trace = text_model(text, hidden=H, seed=seed, cell="gru").trace()
    extra = {"scene": "gru-cell", "t": opts["t"], "text": text,
             "step": cell_step(trace, opts["t"])}
    return SceneInput(trace=trace, theme=theme, values=values, extra=extra)


class GRUCellScene(PaintsStillOnce, Scene):
    """Forward through the gates r, z, n of one step, then the error back through them."""

    contract = SceneContract(options=(T_OPTION,), cells=("gru",), prepare=prepare_input)

    def setup(self):
        self.board = open_board(self, own_input("gru-cell", prepare_input), CellBoard)

    def construct(self):
        self.show_cell()
        self.show_gates()
        self.show_candidate()
        self.show_new_state()
        self.show_errors_arrive()
        self.show_gate_errors()
        self.show_direct_path()

    # Forward -------------------------------------------------------------------------------
    def show_cell(self):
        b = self.board
        e, th, s = b.inp.extra, b.theme, b.step
        t = s["t"]
        with beat(b, "the cell", f"One step of a GRU, step {t}: h runs along the top, the "
                                 "gates r, z and n sit below it."):
            b.diagram = CellDiagram(GRU_LAYOUT, th, len(s["h"]))
            title = Text(f"GRU, step t = {t} of “{e['text']}”: input “{s['x_char']}”, "
                         f"target “{s['target_char']}”", font="Sans", color=th.text)
            title.scale_to_fit_height(0.3).move_to([0, 3.6, 0])
            setup = Text("torch's GRUCell: r multiplies W_hn h(t−1) + b_hn, after the product",
                         font="Sans", color=th.muted)
            setup.scale_to_fit_height(0.17).move_to([0, 3.2, 0])
            x_label = Text(f"x(t) = “{s['x_char']}”", font="Sans", color=th.text)
            x_label.scale_to_fit_height(0.2).next_to(b.diagram.input_point(), direction=DOWN,
                                                     buff=0.02)
            anims = b.put("h_prev", s["h_prev"], 1.0, "prev_top", "h(t−1)")
            anims += b.readout("r, z: σ(W_i· x(t) + b_i· + W_h· h(t−1) + b_h·)")
            self.add(title, setup, b.diagram, x_label)
            self.play(FadeIn(title), FadeIn(setup), FadeIn(b.diagram), FadeIn(x_label), *anims,
                      run_time=1.2)
            self.wait(0.5)

    def show_gates(self):
        b = self.board
        gates = b.step["gates"]
        with beat(b, "reset and update", "The reset gate r and the update gate z are "
                                         "sigmoids of x(t) and h(t−1)."):
            anims = b.put("z", gates["z"], 1.0, "z", "z(t)")
            anims += b.put("r", gates["r"], 1.0, "r", "r(t)")
            self.play(*b.light_gates("r", "z"), *anims, run_time=1.0)
            self.wait(0.6)

    def show_candidate(self):
        b = self.board
        s = b.step
        with beat(b, "candidate", "The candidate n is a tanh; r scales the recurrent part "
                                  "W_hn h(t−1) + b_hn before it is added."):
            anims = b.put("n", s["gates"]["n"], 1.0, "n", "n(t)")
            anims += b.readout("n(t) = tanh(W_in x(t) + b_in + r(t) ⊙ (W_hn h(t−1) + b_hn))",
                               [("W_hn h(t−1) + b_hn = ", s["hn"])])
            self.play(*b.light_gates("n"), Indicate(b.diagram.nodes["reset_mul"]), *anims,
                      run_time=1.0)
            self.wait(0.6)

    def show_new_state(self):
        b = self.board
        with beat(b, "new state", "The new state mixes n and h(t−1): z keeps part of the old "
                                  "state unchanged."):
            anims = b.put("h", b.step["h"], 1.0, "next_top", "h(t)")
            anims += b.readout("h(t) = (1 − z(t)) ⊙ n(t) + z(t) ⊙ h(t−1)")
            nodes = [Indicate(b.diagram.nodes[n], color=b.theme.recurrent)
                     for n in ("keep_mul", "one_minus", "new_mul", "add")]
            self.play(*nodes, *anims, run_time=1.2)
            self.wait(0.8)

    # Backward ------------------------------------------------------------------------------
    def show_errors_arrive(self):
        b = self.board
        s, th = b.step, b.theme
        with beat(b, "errors arrive", "Backward: the error reaches h(t) from its own loss and "
                                      "from step t+1."):
            anims = b.put("h", s["dL_dh"], s["error_scale"], "next_top", "∂L/∂h(t)",
                          error=True, color=th.positive)
            anims += b.readout([("∂L/∂h(t) = from L(t) ", s["dL_dh_from_output"]),
                                ("+ from step t+1 ", s["dL_dh_from_next"])])
            self.play(b.error_arrow("h"), *anims, *b.dim_gates(), run_time=1.4)
            self.wait(1.0)

    def show_gate_errors(self):
        b = self.board
        s, th = b.step, b.theme
        with beat(b, "gate errors", "It splits through the gates: n and z get theirs from "
                                    "h(t), and r gets its share through n."):
            anims = []
            for n in ("r", "z", "n"):
                anims += b.put(n, s["gate_errors"][n], s["error_scale"], n, f"∂L/∂{n}",
                               error=True, color=th.positive)
                anims.append(FadeOut(b.columns[n]))
                anims.append(FadeOut(b.labels.pop(f"{n}:False")))
            anims += b.readout("errors at the gates' inputs, before their σ or tanh")
            self.play(*anims, run_time=1.2)
            self.wait(0.8)

    def show_direct_path(self):
        b = self.board
        s, th = b.step, b.theme
        with beat(b, "direct path", "Along the top line the error is only multiplied by z(t); "
                                    "the rest goes back through the gates and W_hh."):
            anims = b.put("h_prev", s["to_h_prev"], s["error_scale"], "prev_top",
                          "∂L/∂h(t−1)", error=True, color=th.positive)
            anims += b.readout(
                [("z(t) ⊙ ∂L/∂h(t) = ", s["direct"])],
                [("∂L/∂h(t−1), with the gates' part = ", s["to_h_prev"])])
            self.play(b.error_arrow("direct"), b.error_arrow("h_prev"), b.error_arrow("gates"),
                      Indicate(b.diagram.nodes["keep_mul"], color=th.positive), *anims,
                      run_time=1.6)
            self.wait(1.5)
