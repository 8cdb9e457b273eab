"""The three passes on a network of any shape: the same Stage and unit beats, row by row.

A ``NetworkTrace`` is drawn as rows of (layer, direction) (``components.layer_rows``); each row
is filled from its own ``Trace`` by the unit helpers of ``beats.stage`` (``forward_units``,
``error_units``), through a view of the Stage on that row: the beats below only decide the
order (layer by layer going up, then down again) and say what is drawn. Every number is the
Trace's: the rows' states, gates and errors, the head's ``yhat``, ``dL_do`` and ``losses``,
the gradients' ``grads``.
"""

from __future__ import annotations

import dataclasses

from manim import Create, Indicate, SurroundingRectangle

from rnn.errors import UnrolledError
from rnn.network import cell_names, suffix
from scenes.beats.band import gradient_blocks, settle
from scenes.beats.bptt import grow_arrows
from scenes.beats.stage import Stage, error_units, forward_units, loss_label, scale_of, show_units
from scenes.beats.travel import follow, show_overview
from scenes.components.chain_camera import loss_colors
from scenes.components.layer_rows import NetworkErrorFlow, slot_name
from scenes.components.strips import HeatPanel
from scenes.components.theme import format_value

STEP_SECONDS = 0.4  # one step of a row filling in: the direction's own time


def is_network(trace) -> bool:
    """Whether ``trace`` is a network's (rows of layers and directions), not one layer's."""
    return hasattr(trace, "layers") and hasattr(trace, "shape")


def row_stage(stage: Stage, slot) -> Stage:
    """The Stage as one row sees it: that row's Trace, its drawing by own step."""
    return dataclasses.replace(stage, trace=stage.trace.layer(*slot), net=stage.net.row(slot))


def _reads(stage: Stage, l: int) -> str:
    if l == 0:
        return "Layer 1 reads x(t)"
    both = " (both directions' h(t), side by side)" if stage.trace.shape.bidirectional else ""
    return f"Layer {l + 1} reads layer {l}'s h(t){both}"


def _title(stage: Stage) -> str:
    tr = stage.trace
    text = tr.extra.get("text")
    about = f" on “{text}”" if text else ""
    words = tr.shape.words()
    task = ", one label per sequence" if tr.shape.task == "last" else ""
    return (f"{(words + ' ') if words else ''}{tr.spec.title}{about}, "
            f"{tr.params.hidden_size} units a direction{task}")


def _band(stage: Stage, *lines: str | None) -> None:
    band = stage.band
    anims = []
    for k, line in enumerate(lines):
        text = band.text(line, 0.2 if k == 0 else 0.24) if line else None
        anims += band.set(k, text)
    stage.play(*anims, run_time=0.8)


# Forward --------------------------------------------------------------------------------------
def _fill_forward(stage: Stage, slot, t: int, animate: bool) -> list:
    view = row_stage(stage, slot)
    gates, states = forward_units(view, t)
    return show_units(view.net, [*gates, *states], animate)


def _head_output(stage: Stage, i: int, animate: bool) -> list:
    tr, net = stage.trace, stage.net
    label = loss_label(stage, i)
    stage.loss_labels.add(label)
    if not animate:
        net.cells("yhat", i).show(tr.yhat[i - 1], 1.0)
        return []
    label.set_opacity(0.0)
    return [*net.cells("yhat", i).show_animations(tr.yhat[i - 1], 1.0),
            label.animate.set_opacity(1.0)]


def show_network_forward_state(stage: Stage) -> None:
    """The result of the forward pass at once: every row's units, the outputs and losses."""
    if "forward" in stage.shown:
        return
    if stage.net not in stage.scene.mobjects:
        stage.scene.add(stage.net)
    for slot in stage.net.slots:
        for t in range(1, stage.T + 1):
            _fill_forward(stage, slot, t, False)
    for i in range(1, len(stage.trace.losses) + 1):
        _head_output(stage, i, False)
    stage.scene.add(stage.loss_labels)
    stage.shown.add("forward")


def network_forward(stage: Stage) -> None:
    tr, spec = stage.trace, stage.trace.spec
    rows = "each layer is a row" + (", each direction a row of its own"
                                    if tr.shape.bidirectional else "")
    words = tr.shape.words()
    called = f"a {words} {spec.title}" if words else spec.called
    task = " with one label per sequence" if tr.shape.task == "last" else ""
    with stage.beat("unfold", f"{called[0].upper()}{called[1:]}{task} unfolded in time: "
                              f"{rows}."):
        show_overview(stage, animate=False)
        stage.scene.add(stage.net, stage.loss_labels)
        _band(stage, _title(stage), spec.equations)
    bi = tr.shape.bidirectional
    for l, d in tr.shape.slots:  # layer by layer: a layer reads the whole output below it
        if d == 1:
            caption = (f"The backward direction of layer {l + 1} reads from the end: the same "
                       "inputs from the last step to the first, its arrows pointing the other way.")
        elif bi:
            caption = f"{_reads(stage, l)}: its forward direction from the first step to the last."
        else:
            caption = (f"{_reads(stage, l)} step by step, from the first to the last, each step "
                       "from the states before it.")
        view = stage.net.row((l, d))
        with stage.beat(f"forward {slot_name(l, d, bi)}", caption):
            for t in range(1, stage.T + 1):  # the direction's own time
                c = view.column(t)
                flash = stage.net.input_animations(None, c) if l == 0 else []
                stage.play(*follow(stage, c), *flash, *_fill_forward(stage, (l, d), t, True),
                           run_time=STEP_SECONDS)
    if tr.shape.task == "last":
        reads = ("the forward direction's h after the last step and the backward direction's "
                 "after its own last step, at the first character" if tr.shape.bidirectional
                 else "h after the last step")
        caption = f"One label, read after the last step: V reads {reads}; one output, one loss."
    else:
        both = " of both directions" if tr.shape.bidirectional else ""
        caption = f"V reads the top layer's h(t){both} at every step: ŷ(t) and its loss L(t)."
    with stage.beat("outputs", caption):
        for i in range(1, len(tr.losses) + 1):
            stage.play(*follow(stage, stage.net.head_column(i)), *_head_output(stage, i, True),
                       run_time=STEP_SECONDS)
    with stage.beat("total loss", f"The loss of the sequence, read from the engine: "
                                  f"L = {format_value(tr.loss)}."):
        total = stage.band.text(f"L = {format_value(tr.loss)}", 0.24)
        stage.play(*show_overview(stage), *stage.band.set(3, total), run_time=0.8)
        stage.play(Indicate(stage.loss_labels), run_time=0.6)
    stage.shown.add("forward")


# Backpropagation through time ----------------------------------------------------------------
def network_flow(stage: Stage) -> NetworkErrorFlow:
    if stage.flow is None:
        stage.flow = NetworkErrorFlow(stage.net, stage.trace,
                                      loss_colors(stage.theme, stage.T))
    return stage.flow


def _fill_errors(stage: Stage, slot, t: int, animate: bool) -> list:
    view = row_stage(stage, slot)
    states, pre = error_units(view, t)
    return show_units(view.net, [*states, *pre], animate)


def show_network_error_state(stage: Stage) -> None:
    """The result of backpropagation at once: output errors, every row's errors and arrows."""
    if "errors" in stage.shown:
        return
    show_network_forward_state(stage)
    tr = stage.trace
    for i in range(1, len(tr.losses) + 1):
        stage.net.cells("yhat", i).show(tr.dL_do[i - 1], scale_of(tr.dL_do))
    for slot in stage.net.slots:
        for t in range(1, stage.T + 1):
            _fill_errors(stage, slot, t, False)
    stage.scene.add(*network_flow(stage))
    stage.shown.add("errors")


def network_bptt(stage: Stage) -> None:
    tr, net = stage.trace, stage.net
    down = " and down to the layer below" if tr.shape.layers > 1 else ""
    with stage.beat("backward", f"Backpropagation starts from the loss: the errors go back in "
                                f"time within a layer{down}, one colour per loss term."):
        show_network_forward_state(stage)
        show_overview(stage, animate=False)
        _band(stage, _title(stage), tr.spec.error_equations, None, None)
        network_flow(stage)
    one = tr.shape.task == "last"
    caption = ("The one loss gives the one output's error: dL/do = ŷ minus the one-hot label."
               if one else "Each loss term first gives the error of its own output: "
                           "dL/do(t) = ŷ(t) minus the one-hot target.")
    with stage.beat("output errors", caption):
        vmax = scale_of(tr.dL_do)
        stage.play(*[a for i in range(1, len(tr.losses) + 1)
                     for a in net.cells("yhat", i).show_animations(tr.dL_do[i - 1], vmax)],
                   Indicate(stage.loss_labels, scale_factor=1.1), run_time=1.0)
    bi = tr.shape.bidirectional
    for l, d in sorted(tr.shape.slots, key=lambda slot: (-slot[0], slot[1])):  # top layer first
        if l == tr.shape.layers - 1:
            source = "the output" if one else "the outputs"
        else:
            source = f"layer {l + 2}, through the inputs it read from layer {l + 1} at every step"
        if d == 1:
            caption = (f"Layer {l + 1} backward: its errors also come from {source}; back in its "
                       "own time, they travel towards the end.")
        else:
            caption = (f"{slot_name(l, d, bi).capitalize()}: the errors come from {source}, "
                       "then go back in time, from the last step to the first.")
        view = net.row((l, d))
        with stage.beat(f"backward {slot_name(l, d, bi)}", caption):
            for t in range(stage.T, 0, -1):  # the direction's own time, backwards
                stage.play(*follow(stage, view.column(t)),
                           *grow_arrows(stage, stage.flow.arriving_at((l, d), t)),
                           *_fill_errors(stage, (l, d), t, True), run_time=STEP_SECONDS)
    merged = (" Each arrow back in time carries every loss term's error at once, more "
              "terms than lanes a row can hold." if stage.flow.merged else "")
    with stage.beat("all errors", "Every loss term has sent its error back through every "
                                  "layer and direction; the thicker the arrow, the larger "
                                  f"the error.{merged}"):
        stage.play(*show_overview(stage), run_time=0.8)
        stage.scene.wait(0.5)
    stage.shown.add("errors")


# Gradients ------------------------------------------------------------------------------------
def _panel(stage: Stage, layer_trace, values: dict, end: str):
    blocks, groups = gradient_blocks(layer_trace, values)
    named = {}
    for name, arr in blocks.items():  # torch's names: W_ih_l1_reverse, its gates' blocks kept
        plain = name.rstrip("ᵀ")
        named[plain + end + name[len(plain):]] = (arr, groups.get(name))
    panel = HeatPanel({n: a for n, (a, _) in named.items()}, stage.theme,
                      *stage.band.PANEL_BOX,
                      column_groups={n: g for n, (_, g) in named.items() if g})
    return panel.move_to([0, stage.band.PANEL_Y, 0])


def _put_panel(stage: Stage, panel) -> None:
    if stage.panel is not None:
        stage.scene.remove(stage.panel)
    stage.scene.add(panel)
    settle(stage, panel)
    stage.panel = panel


def network_gradients(stage: Stage, until: int | None = None) -> None:
    tr, net = stage.trace, stage.net
    if until is not None:
        raise UnrolledError("gradients: stage frames shows one step of one layer; a network's "
                            "gradients are shown row by row (stage sum)")
    with stage.beat("gradients", "Each layer's direction has its own weights, shared by its "
                                 "steps: its gradient is the sum of its steps' contributions."):
        show_network_error_state(stage)
        show_overview(stage, animate=False)
        _band(stage, tr.spec.gradient_equations, None, None, None)
        stage.play(stage.loss_labels.animate.set_opacity(0.0), run_time=0.3)
    for slot in net.slots:
        layer = tr.layer(*slot)
        end = suffix(*slot)
        names = cell_names(tr.spec)  # the row's own parameters; the head is the network's
        values = {n: tr.grads[n + end] for n in names}
        center, width, height = net.row_box(slot)
        frame = SurroundingRectangle(stage.net.units[slot, net.items[0], 1], buff=0.0)
        frame.stretch_to_fit_width(width).stretch_to_fit_height(height).move_to(center)
        frame.set_stroke(stage.theme.text, width=2.0)
        listed = ", ".join(n + end for n in names)
        with stage.beat(f"gradients {slot_name(*slot, True)}",
                        f"{slot_name(*slot, tr.shape.bidirectional).capitalize()}: {listed}, "
                        f"each summed over its {stage.T} steps."):
            if stage.frames is not None:
                stage.scene.remove(stage.frames)
            stage.frames = frame
            stage.play(*show_overview(stage), Create(frame), run_time=0.6)
            _put_panel(stage, _panel(stage, layer, values, end))
            stage.scene.wait(1.0)
    with stage.beat("gradients of the output", "The output's V and c, summed over the "
                    + ("one output." if tr.shape.task == "last" else "outputs of every step.")):
        if stage.frames is not None:
            stage.scene.remove(stage.frames)
            stage.frames = None
        panel = HeatPanel({"V": tr.grads["V"], "c": tr.grads["c"]}, stage.theme,
                          *stage.band.PANEL_BOX).move_to([0, stage.band.PANEL_Y, 0])
        _put_panel(stage, panel)
        stage.scene.wait(1.0)
    up = tr.update
    with stage.beat("one update", "Then, once per pass, every parameter is updated with its "
                                  "summed gradient: one update, shared by all the steps."):
        if up is not None:
            stage.band.open_update(up)
        stage.scene.wait(0.5)
