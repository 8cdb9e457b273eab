"""The top band of the chain scenes: the equations and numbers above the unfolded chain.

Two looks, answering the same questions of the beats (``stage.build_stage`` picks the first
for neurons of a cell that typesets its equations, else the second):

- ``TermBand``, the article's, above neurons: the cell's typeset equations whose terms light up
  with the parameter their connections carry, the running loss at the right, one readout line.
- ``LineBand``, above heat columns: four lines of text, the cell's title, its equations as the
  cell writes them (forward, errors, gradients), and two readouts.

A method returns the animations of its part of a play, or plays a play of the band alone.
Every number is read from the Trace.
"""

from __future__ import annotations

from manim import FadeIn, FadeOut, Group, Mobject, ReplacementTransform, Text, VGroup

from scenes.components import ParamPanel, equation, forget_bias_words, light, vector_text
from scenes.components.chain_camera import loss_colors
from scenes.components.strips import HeatPanel
from scenes.components.theme import format_value

READOUT_UNITS = 4  # components of a vector printed; a wide layer shows its first ones


def lift(stage, *mobs: Mobject) -> None:
    """Bring settled ``mobs`` to the front before animating them, so that animating them
    does not make everything drawn after them repaint every frame."""
    stage.scene.bring_to_front(*mobs)


def settle(stage, *mobs: Mobject) -> None:
    """Send ``mobs`` to the back of the scene: manim paints everything before the first
    animated mobject once per play, so text that stays put costs nothing per frame there."""
    stage.scene.bring_to_back(*mobs)


class TermBand:
    """Typeset equations with terms to colour, the running loss, one readout line."""

    PANEL_BOX = (12.6, 1.1)  # width, height of the numbers of the gradients

    def __init__(self, stage) -> None:
        self.stage = stage
        self.top = VGroup()  # what the band shows, each item a top-level, settled mobject
        self.eq: dict[str, Mobject] = {}  # equations on screen, by key
        self.marks: dict[tuple[str, str], Mobject] = {}  # coloured terms
        self.loss_total: Mobject | None = None  # the running loss
        self.readout: Mobject | None = None  # numbers of the current BPTT step

    # Placing -------------------------------------------------------------------------------
    def place(self, mob: Mobject, line: int = 0, max_width: float = 13.0) -> Mobject:
        """Fit ``mob`` into line ``line`` (0 = highest) of the band."""
        if mob.width > max_width:
            mob.scale_to_fit_width(max_width)
        lay = self.stage.net.layout
        return mob.move_to([0, (lay.top_y, lay.panel_y + 0.25, 1.75)[line], 0])

    def show(self, *items: Mobject, run_time: float = 0.6) -> None:
        """Replace what the band shows with ``items``."""
        stage, old = self.stage, list(self.top)
        self.top = VGroup(*items)  # bookkeeping only: the items are added one by one
        anims = [FadeIn(m) for m in items] + [FadeOut(m) for m in self.marks.values()]
        self.marks.clear()
        if old:
            lift(stage, *old)
            anims += [FadeOut(m) for m in old]
        stage.play(*anims, run_time=run_time)
        settle(stage, *items)

    def mark(self, eq: str, term: str, color=None) -> list:
        """Animations colouring ``term`` of equation ``eq`` (None: back to plain).

        A coloured copy fades in over the term, so the settled equation itself never moves.
        """
        anims = []
        old = self.marks.pop((eq, term), None)
        if old is not None:
            anims.append(FadeOut(old))
        if color is not None:
            mark = self.eq[eq].select(term).copy().set_color(color)
            self.marks[eq, term] = mark
            anims.append(FadeIn(mark))
        return anims

    def equation(self, role: str, font_size: float):
        """The cell's typeset equation for ``role`` (``Cell.typeset``)."""
        return equation(self.stage.trace.spec.typeset[role], self.stage.theme, font_size)

    def param(self, name: str):
        return self.stage.theme.param_color(name)

    def link(self, src: str, dst: str) -> str:
        """The parameter of the connections from layer ``src`` to ``dst``: the term it is in
        the equations (U, W, V)."""
        return self.stage.net.link(src, dst)

    # Forward -------------------------------------------------------------------------------
    def running_loss(self, t: int) -> Text:
        """The loss accumulated up to step t, from the engine's cumulative losses."""
        stage = self.stage
        value = "" if t == 0 else format_value(stage.trace.cumulative_losses[t - 1])
        label = f"L(1..{t}) = {value}" if t else "L = 0"
        text = light(Text(label, font="Monospace", color=stage.theme.text))
        return text.scale_to_fit_height(0.26).move_to([4.6, stage.net.layout.panel_y + 0.25, 0])

    def open_forward(self) -> None:
        eqs = VGroup(*[self.equation(k, 30) for k in ("a", "h", "o")])
        eqs.arrange(buff=0.7)
        self.eq = {"a": eqs[0], "h": eqs[1], "o": eqs[2]}
        self.loss_total = self.running_loss(0)
        self.show(self.place(eqs), self.loss_total, run_time=1.0)

    def step_input(self, t: int) -> list:
        x = self.link("x", "h")
        return self.mark("a", x, self.param(x))

    def step_state(self, t: int) -> list:
        x, w = self.link("x", "h"), self.link("h", "h")
        return [*self.mark("a", x), *self.mark("a", w, self.param(w))]

    def step_output(self, t: int) -> list:
        w, v = self.link("h", "h"), self.link("h", "o")
        return [*self.mark("a", w), *self.mark("o", v, self.param(v))]

    def new_loss(self, t: int) -> list:
        """The running loss becoming L(1..t)."""
        new_total = self.running_loss(t)
        lift(self.stage, self.loss_total)
        anims = [ReplacementTransform(self.loss_total, new_total)]
        self.top.submobjects = [new_total if m is self.loss_total else m for m in self.top]
        self.loss_total = new_total  # the Text on screen now says the new total
        return anims

    def step_done(self, t: int) -> list:
        """What step t leaves lit, put out with the next play."""
        settle(self.stage, self.loss_total)
        return self.mark("o", self.link("h", "o"))

    def rest_done(self, last: int) -> list:
        return self.new_loss(last)

    def total(self) -> Mobject:
        lift(self.stage, self.loss_total)
        return self.loss_total

    # Backward ------------------------------------------------------------------------------
    def open_backward(self) -> None:
        self.eq = {"dL_dh": self.place(self.equation("dL_dh", 30), 0),
                   "dL_da": self.place(self.equation("dL_da", 28), 1)}
        self.show(self.eq["dL_dh"], self.eq["dL_da"], run_time=0.8)

    def _readout(self, t: int) -> VGroup:
        """The two recorded parts of dL/dh(t) and their recorded sum, on the third line."""
        stage = self.stage
        tr, th = stage.trace, stage.theme
        H = tr.h.shape[1]
        n = min(H, READOUT_UNITS)  # a wide layer: its first units, readable
        more = "" if n == H else f" units 1-{n} of {H}"
        parts = VGroup(
            vector_text(tr.dL_dh_from_output[t - 1][:n], th, f"from L({t}): "),
            vector_text(tr.dL_dh_from_next[t - 1][:n], th, f"+ from h({t + 1}): "),
            vector_text(tr.dL_dh[t - 1][:n], th, f"= dL/dh({t}){more}: "),
        ).arrange(buff=0.35)
        parts[0].set_color(loss_colors(th, stage.T)[t - 1])
        parts[1].set_color(th.recurrent)
        return self.place(parts, 2)

    def error_own(self, t: int) -> list:
        """With the error of L(t): its term coloured, the last step's readout out."""
        old, self.readout = self.readout, None
        if old is not None:
            lift(self.stage, old)
        color = loss_colors(self.stage.theme, self.stage.T)[t - 1]
        return [*self.mark("dL_dh", "out", color), *self.mark("dL_dh", "next"),
                *self.mark("dL_da", "lhs"), *([FadeOut(old)] if old is not None else [])]

    def error_incoming(self, t: int) -> list:
        return self.mark("dL_dh", "next", self.stage.theme.recurrent)

    def error_sum(self, t: int) -> list:
        self.readout = self._readout(t)
        return [FadeIn(self.readout)]

    def error_pre(self, t: int) -> list:
        settle(self.stage, self.readout)
        return self.mark("dL_da", "lhs", self.param("b"))

    def rest_start(self) -> list:
        """Out with a step's readout and marks, before the steps run together."""
        anims = [*self.mark("dL_dh", "out"), *self.mark("dL_dh", "next"),
                 *self.mark("dL_da", "lhs")]
        old, self.readout = self.readout, None
        if old is not None:
            lift(self.stage, old)
            anims.insert(0, FadeOut(old))
        return anims

    def rest_readout(self, t: int) -> list:
        return []  # numbers only in a step's own beat: the rest run past too fast to read

    # Gradients -----------------------------------------------------------------------------
    def open_gradients(self) -> None:
        stage = self.stage
        if self.readout is not None:
            lift(stage, self.readout)
            stage.play(FadeOut(self.readout), run_time=0.3)
            self.readout = None
        self.eq = {"grad": self.place(self.equation("grad", 30), 0)}
        self.show(self.eq["grad"], run_time=0.8)

    def panel(self, title: str, blocks: dict) -> VGroup | Group:
        stage = self.stage
        head = light(Text(title, font="Sans", color=stage.theme.muted)).scale_to_fit_height(0.2)
        if stage.net.layout.any_strip:  # too many numbers to print: each block as a heatmap
            group = Group(head, HeatPanel(blocks, stage.theme, *self.PANEL_BOX))
        else:
            group = VGroup(head, ParamPanel(blocks, stage.theme, *self.PANEL_BOX))
        group.arrange(direction=[0, -1, 0], buff=0.12)
        return group.move_to([0, 2.3, 0])

    def contribution(self, t: int) -> list:
        if ("grad", "term") in self.marks:
            return []
        return self.mark("grad", "term", self.param(self.link("h", "h")))

    def summed(self) -> list:
        return [*self.mark("grad", "term"),
                *self.mark("grad", "lhs", self.param(self.link("h", "h")))]

    def open_update(self, up) -> None:
        stage = self.stage
        lr = light(Text(f"{up.method}, learning rate {up.lr:g}", font="Sans",
                        color=stage.theme.muted)).scale_to_fit_height(0.2)
        self.eq["update"] = self.place(self.equation("update", 30), 0)
        lr.next_to(self.eq["update"], direction=[1, 0, 0], buff=0.5)
        self.show(self.eq["update"], lr, run_time=0.6)


class LineBand:
    """Four lines of text: the cell's title, its equations, and two readouts."""

    TOP_Y = (3.7, 3.35, 3.0, 2.65)  # y of the lines: title, equations, two readouts
    GATE_UNITS = 3  # components of each gate printed (three or four gates share one line)
    PANEL_Y = 2.85  # centre of the gradients' panel, under the top line, over the losses
    PANEL_BOX = (13.0, 1.45)  # width, height

    def __init__(self, stage) -> None:
        self.stage = stage
        self.lines: dict[int, Mobject] = {}  # line -> what it shows

    def text(self, s: str, height: float = 0.24, color=None) -> Text:
        return light(Text(s, font="Sans", color=color or self.stage.theme.text)
                     ).scale_to_fit_height(height)

    def set(self, line: int, mob: Mobject | None) -> list:
        """Animations putting ``mob`` on ``line`` in place of what was there."""
        anims = []
        old = self.lines.pop(line, None)
        if old is not None:
            anims.append(FadeOut(old))
        if mob is not None:
            if mob.height > 0.26:
                mob.scale_to_fit_height(0.26)
            if mob.width > 13.0:
                mob.scale_to_fit_width(13.0)
            self.lines[line] = mob.move_to([0, self.TOP_Y[line], 0])
            anims.append(FadeIn(mob))
        return anims

    def title(self) -> Text:
        stage = self.stage
        tr = stage.trace
        text = tr.extra.get("text")
        about = f" on “{text}”" if text else ""
        if tr.extra.get("weights"):
            return self.text(f"{tr.spec.title}{about}, {tr.h.shape[1]} units, trained weights "
                             f"from {tr.extra['weights']}", 0.2, stage.theme.muted)
        bias = tr.extra.get("forget_bias")
        takes_bias = "forget_bias" in tr.spec.init_options
        setup = f", {forget_bias_words(bias)}" if takes_bias and bias is not None else ""
        return self.text(f"{tr.spec.title}{about}, {tr.h.shape[1]} units, initialised as "
                         f"torch does{setup}", 0.2, stage.theme.muted)

    def running_loss(self, t: int) -> Text:
        """The loss accumulated up to step t, from the engine's cumulative losses."""
        tr = self.stage.trace
        label = f"L(1..{t}) = {format_value(tr.cumulative_losses[t - 1])}" if t else "L = 0"
        return light(Text(label, font="Monospace", color=self.stage.theme.text)
                     ).scale_to_fit_height(0.24)

    def gate_readout(self, t: int) -> Text:
        """The recorded gate activations of step t in one Text, one vector per gate."""
        tr, n = self.stage.trace, self.GATE_UNITS
        more = "" if tr.h.shape[1] <= n else f" (units 1-{n})"
        parts = [f"{name}({t}) [{' '.join(format_value(v) for v in tr.gate(name)[t - 1][:n])}]"
                 for name in tr.gate_names]
        return light(Text("   ".join(parts) + more, font="Monospace", font_size=22,
                          color=self.stage.theme.text))

    # Forward -------------------------------------------------------------------------------
    def open_forward(self) -> None:
        self.stage.play(*self.set(0, self.title()),
                        *self.set(1, self.text(self.stage.trace.spec.equations, 0.26)),
                        *self.set(3, self.running_loss(0)), run_time=1.0)

    def step_input(self, t: int) -> list:
        return self.set(2, self.gate_readout(t)) if self.stage.trace.gate_names else []

    def step_state(self, t: int) -> list:
        return []

    def step_output(self, t: int) -> list:
        return []

    def new_loss(self, t: int) -> list:
        return self.set(3, self.running_loss(t))

    def step_done(self, t: int) -> list:
        return []

    def rest_done(self, last: int) -> list:
        return [*self.step_input(last), *self.new_loss(last)]

    def total(self) -> Mobject:
        return self.lines[3]

    # Backward ------------------------------------------------------------------------------
    def open_backward(self) -> None:
        self.stage.play(*self.set(0, self.title()),
                        *self.set(1, self.text(self.stage.trace.spec.error_equations, 0.26)),
                        *self.set(2, None), *self.set(3, None), run_time=0.8)

    def state_readout(self, state: str, t: int) -> VGroup:
        """The two recorded parts of a state's error at step t (as the cell names them) and
        their recorded sum."""
        stage = self.stage
        tr, words = stage.trace, stage.words
        # a state whose parts the cell does not declare shows its total alone
        declared = tr.spec.error_parts.get(state, ())
        shown = [(getattr(tr, key)[t - 1], words(label, t)) for key, label in declared]
        shown.append((getattr(tr, f"dL_d{state}")[t - 1], f"= ∂L/∂{state}({t}): "))
        parts = VGroup(*[vector_text(values[:READOUT_UNITS], stage.theme, label)
                         for values, label in shown])
        parts.arrange(buff=0.35)
        if declared:
            if state == "h":  # the loss term enters through h: its part in that term's colour
                parts[0].set_color(loss_colors(stage.theme, stage.T)[t - 1])
            parts[1].set_color(stage.theme.recurrent)
        return parts

    def error_own(self, t: int) -> list:
        return [a for k in range(len(self.stage.states)) for a in self.set(2 + k, None)]

    def error_incoming(self, t: int) -> list:
        return []

    def error_sum(self, t: int) -> list:
        """Each state's error readout on its line, h's first."""
        return [a for k, state in enumerate(self.stage.trace.spec.states)
                for a in self.set(2 + k, self.state_readout(state, t))]

    def error_pre(self, t: int) -> list:
        return []

    def rest_start(self) -> list:
        return []

    def rest_readout(self, t: int) -> list:
        return self.error_sum(t)

    # Gradients -----------------------------------------------------------------------------
    def open_gradients(self) -> None:
        equations = self.text(self.stage.trace.spec.gradient_equations, 0.24)
        self.stage.play(*self.set(0, equations), *self.set(1, None), *self.set(2, None),
                        *self.set(3, None), run_time=0.8)

    def panel(self, title: str, values: dict) -> Group:
        """The parameters as heatmaps, the stacked ones with their gate blocks named."""
        blocks, groups = gradient_blocks(self.stage.trace, values)
        panel = HeatPanel(blocks, self.stage.theme, *self.PANEL_BOX, column_groups=groups)
        return panel.move_to([0, self.PANEL_Y, 0])

    def contribution(self, t: int) -> list:
        return []

    def summed(self) -> list:
        return []

    def open_update(self, up) -> None:
        rule = self.text(f"new parameters: θ ← θ − lr ∇θ ({up.method}, learning rate "
                         f"{up.lr:g}), one update per pass", 0.24)
        self.stage.play(*self.set(0, rule), run_time=0.6)


def gradient_blocks(trace, values: dict) -> tuple[dict, dict]:
    """``values`` (name -> array of a parameter's shape) as the panel shows them, in the order
    of the parameters, and the gate blocks of each: a stacked parameter (G H rows, one block
    per gate) is shown transposed, its gate blocks side by side (``W_hhᵀ``), so its heatmap is
    as wide as it is tall rather than a thin column."""
    G, H = len(trace.gate_names), trace.h.shape[1]
    blocks, groups = {}, {}
    for name in (n for n in trace.params.names if n in values):  # a network row: its own
        arr = values[name]
        if G and arr.shape[0] == G * H:
            shown = f"{name}ᵀ" if arr.ndim == 2 else name
            blocks[shown] = arr.T if arr.ndim == 2 else arr.reshape(1, -1)
            groups[shown] = trace.gate_names
        else:
            blocks[name] = arr
    return blocks, groups
