"""Each figure's story in words: one function per figure of ``figures.FIGURES``.

A function takes the figure's ``SceneInput`` (and the ``Figure``) and returns a Description
built by ``alt_text.story``. Every number is read from the Trace (or the study the scene
draws) and formatted by ``alt_text``; the words follow what the scene's final frame shows.
"""

from __future__ import annotations

import numpy as np

from scenes.components.theme import get_theme
from scenes.output.alt_text import (
    Description,
    compared,
    losses_words,
    model_words,
    norm,
    num,
    quoted,
    signed,
    story,
    target_chars,
    trace_text,
    vector,
)

MAX_LISTED = 4  # units listed value by value; a wider layer is summed up by its norm
MAX_TERMS = 8  # loss terms whose journey back is told one by one


def _units(v) -> str:
    """A state's values, one by one for a few units, else its norm."""
    return vector(v) if len(v) <= MAX_LISTED else f"of norm {num(norm(v))}"


def _journey(tr, s: int, path: str = "h") -> str:
    """``its error reaches h(1) with norm 0.012, 40 times smaller than at h(4) (0.5)``."""
    norms = tr.error_by_source_norms(path)
    near, far = norms[s - 1, s - 1], norms[s - 1, 0]
    if s == 1:
        return f"its error at {path}(1) has norm {num(near)}"
    return (f"its error reaches {path}(1) with norm {num(far)}, {compared(far, near)} "
            f"at {path}({s}) ({num(near)})")


def _fate(near: float, far: float) -> str:
    """What happens to an error on its way back, from its norms at both ends."""
    if far < near / 10:
        return "vanishes"
    if far > near * 10:
        return "explodes"
    return "shrinks" if far < near else "grows"


def dense(inp, fig) -> Description:
    d = inp.extra["dense"]
    D, H, K = d.sizes
    worst = int(np.argmax(np.abs(d.dL_dh1)))
    return story(
        f"A dense network with {D} inputs, {H} hidden {d.activation} neurons and {K} outputs, "
        f"in backprop: the errors of all {K} outputs converge on each hidden neuron.",
        f"For an example of class {d.target} the network gives that class probability "
        f"{num(d.yhat[d.target])}, a loss of {num(d.loss)}.",
        f"The output errors dL/dz2 are {_units(d.dL_dz2)}; through W2 they give the hidden "
        f"errors dL/dh1 {_units(d.dL_dh1)}, the largest at hidden neuron {worst + 1} "
        f"({signed(d.dL_dh1[worst])}).")


def neurons(inp, fig) -> Description:
    from scenes.neurons import shown_step

    tr, t = inp.trace, shown_step(inp)
    D, H, K = tr.X.shape[1], tr.h.shape[1], tr.o.shape[1]
    y = int(tr.targets[t - 1])
    return story(
        f"The {tr.spec.title} as neurons: {D} inputs below, {H} hidden units that feed "
        f"themselves through W, {K} outputs above, filled with the values of step {t}.",
        f"Step {t} of {quoted(trace_text(tr))} reads {quoted(tr.input_chars()[t - 1])} and "
        f"should predict {quoted(target_chars(tr)[t - 1])}; h({t}) = {_units(tr.h[t - 1])}, "
        f"the target gets probability {num(tr.yhat[t - 1, y])}, so L({t}) = "
        f"{num(tr.losses[t - 1])}.")


def unfolded(inp, fig) -> Description:
    tr = inp.trace
    return story(
        f"The RNN unfolded: {model_words(tr)}, one copy per step, all sharing U, W and V.",
        "Each copy reads one character through U, hands its state h(t) to the next copy "
        "through W and predicts the next character through V.",
        f"The losses are {losses_words(tr)}; their sum L = {num(tr.loss)}.")


def two_steps(inp, fig) -> Description:
    tr = inp.trace
    return story(
        f"The textbook's forward form of {model_words(tr)}, over its first two steps: "
        "x(1) and x(2) enter through U, h(1) feeds h(2) through W, V gives o(1) and o(2).",
        f"h(1) = {_units(tr.h[0])} and h(2) = {_units(tr.h[1])}; "
        f"L(1) = {num(tr.losses[0])} and L(2) = {num(tr.losses[1])}.")


def folded(inp, fig) -> Description:
    tr = inp.trace
    return story(
        f"The folded, blackboxed {tr.spec.title} of {tr.h.shape[1]} hidden units: x(t) "
        "enters through U, h(t) comes back "
        "through W after a delay of one step, and V gives the output o(t).",
        f"Run on {quoted(trace_text(tr))}, the loop turns {tr.T} times; the total loss is "
        f"L = {num(tr.loss)}.")


def forward(inp, fig) -> Description:
    tr = inp.trace
    worst = int(np.argmax(tr.losses)) + 1
    guesses = "".join(tr.vocabulary.chars[int(k)] for k in tr.yhat.argmax(axis=1)) \
        if tr.vocabulary is not None else None
    guessed = (f" After each character it guesses {quoted(guesses)} where the text goes on "
               f"with {quoted(''.join(target_chars(tr)))}." if guesses else "")
    shown = ", with the real values" if inp.values else ""  # printed inside the units
    return story(
        f"Forward propagation of {model_words(tr)}{shown}; "
        f"the total loss is L = {num(tr.loss)}.",
        f"Step by step: {losses_words(tr)}; the largest is L({worst}).{guessed}")


def bptt(inp, fig) -> Description:
    tr = inp.trace
    s = int(np.argmax(tr.losses)) + 1
    paths = tr.spec.paths
    details = [f"Along the {p} state, {_journey(tr, s, p)}." for p in paths if p != "h"]
    per_term = "; ".join(f"L({k}) = {num(tr.losses[k - 1])}, {_journey(tr, k)}"
                         for k in range(1, min(tr.T, MAX_TERMS) + 1) if k != s)
    if per_term:
        details.append(f"The other terms: {per_term}.")
    colours = len(get_theme(inp.theme).palette)
    if tr.T > colours:  # say so: two terms of one colour must not read as one
        details.append(f"The {colours} colours repeat from L({colours + 1}) on, dashed: "
                       f"L({colours + 1})'s arrows in 2 dashes, one more each round.")
    return story(
        f"Errors flowing back in time through {model_words(tr)}, one colour per loss term, "
        "each named where its errors start; "
        f"the loss L({s}) = {num(tr.losses[s - 1])} is the largest; {_journey(tr, s)}.",
        *details)


def _step_of(inp) -> int:
    return int(inp.extra.get("step") or inp.trace.T)


def gradient_frames(inp, fig) -> Description:
    tr, t = inp.trace, _step_of(inp)
    names = [n for n in tr.grads if not n.endswith("0")]
    parts = ", ".join(f"{n} {num(norm(tr.contributions(n)[t - 1]))}" for n in names)
    return story(
        f"The gradient contributions of step {t} of {model_words(tr)}, each parameter's "
        "in its frame beside the errors it needs.",
        f"At step {t} the error at h({t}) has norm {num(norm(tr.dL_dh[t - 1]))} and at o({t}) "
        f"{num(norm(tr.dL_do[t - 1]))}; the contributions' norms are {parts}.")


def gradient_sum(inp, fig) -> Description:
    tr = inp.trace
    names = [n for n in tr.grads if not n.endswith("0")]
    totals = ", ".join(f"dL/d{n} {num(norm(tr.grads[n]))}" for n in names)  # of each sum
    w = "W" if "W" in names else names[0]
    steps = [norm(c) for c in tr.contributions(w)]
    k = int(np.argmax(steps)) + 1
    return story(
        f"The per-step gradient contributions of {model_words(tr)} summed over time into "
        "one update of the parameters.",
        f"The norms of the sums: {totals}. The largest contribution to {w} comes from step {k} "
        f"(norm {num(steps[k - 1])}).")


def truncated(inp, fig) -> Description:
    tr, e = inp.trace, inp.extra
    cuts = len(inp.windows or ()) - 1
    diff, full = e["difference"], e["full_grads"]
    w = "W" if "W" in diff else next(iter(diff))
    return story(
        f"Truncated BPTT over {tr.T} steps of {quoted(trace_text(tr))} in windows of "
        f"{e['window']} steps: the state crosses each of the {cuts} cuts, the errors do not.",
        f"The full gradient dL/d{w} has norm {num(norm(full[w]))}; the truncated one misses "
        f"what crossed the cuts, a difference of norm {num(norm(diff[w]))}.")


def vanishing(inp, fig) -> Description:
    e = inp.extra
    ends = {}
    for key in ("small", "large"):
        tr = e[key]
        norms = tr.error_by_source_norms()
        ends[key] = (norms[tr.T - 1, tr.T - 1], norms[tr.T - 1, 0])
    T = e["small"].T
    (a0, a1), (b0, b1) = ends["small"], ends["large"]
    return story(
        f"The error of the last loss term L({T}) travelling back {T - 1} steps: with W at "
        f"spectral radius {num(e['radii']['small'])} it {_fate(a0, a1)}, with "
        f"{num(e['radii']['large'])} it {_fate(b0, b1)}.",
        f"At radius {num(e['radii']['small'])} its norm goes from {num(a0)} at h({T}) to "
        f"{num(a1)} at h(1); at radius {num(e['radii']['large'])}, from {num(b0)} to "
        f"{num(b1)}. Beside each chain, its error map; below, both on a log scale.")


def clipping(inp, fig) -> Description:
    e = inp.extra
    up = e["clipped"].update
    return story(
        f"Gradient-norm clipping: with W at spectral radius {num(e['radius'])} the gradient's "
        f"norm is {num(up.grad_norm)}, clipped to {num(up.grad_norm_clipped)} "
        f"(threshold {num(e['clip'])}).",
        f"At learning rate {num(e['lr'])} the parameters' step has norm "
        f"{num(e['step_norm']['plain'])} without clipping and "
        f"{num(e['step_norm']['clipped'])} with it.")


def _cell_step(inp, gates: str, back: str) -> Description:
    s, tr = inp.extra["step"], inp.trace
    t = s["t"]
    values = "; ".join(f"{name} = {_units(v)}" for name, v in s["gates"].items())
    return story(
        f"One {tr.spec.title} step (t = {t}, reading {quoted(s['x_char'])}, target "
        f"{quoted(s['target_char'])}) as a cell diagram: {gates}, then the error goes back.",
        f"The gates: {values}. L({t}) = {num(s['loss'])}; the error at h({t}) is "
        f"{_units(s['dL_dh'])}, {back}")


def lstm_cell(inp, fig) -> Description:
    s = inp.extra["step"]
    return _cell_step(inp, "the gates fill the cell state c(t) and read it out",
                      f"and it reaches c({s['t'] - 1}) as {_units(s['to_cell_prev'])} and "
                      f"h({s['t'] - 1}) as {_units(s['to_h_prev'])}.")


def gru_cell(inp, fig) -> Description:
    s = inp.extra["step"]
    return _cell_step(inp, "the update gate mixes h(t-1) with the new candidate",
                      f"and it reaches h({s['t'] - 1}) as {_units(s['to_h_prev'])}, of which "
                      f"{_units(s['direct'])} directly through the update gate.")


def carousel(inp, fig) -> Description:
    c = inp.extra["carousel"]
    T = c.steps
    return story(
        f"The last loss term's error travelling back through {T} steps, a simple RNN against "
        f"an LSTM of {c.hidden} units, on a log scale.",
        f"In the simple RNN its norm goes from {num(c.rnn_error[-1])} at h({T}) to "
        f"{num(c.rnn_error[0])} at h(1); in the LSTM from {num(c.lstm_error[-1])} to "
        f"{num(c.lstm_error[0])} along h, and to {num(c.lstm_cell_error[0])} along the cell "
        f"state, carried by forget gates whose product averages {num(c.forget_product[0])}.")


def activations(inp, fig) -> Description:
    from scenes.activations import unit_rows
    from scenes.beats.inputs import chosen_layer

    tr = inp.trace
    layer = chosen_layer(inp, "activations")
    values = tr.layer(layer)[:, unit_rows(inp)]  # (T, rows)
    lo, hi = np.unravel_index(values.argmin(), values.shape), \
        np.unravel_index(values.argmax(), values.shape)
    rows = unit_rows(inp)
    return story(
        f"A heatmap of {layer}(t) for {len(rows)} units over the {tr.T} steps of "
        f"{quoted(trace_text(tr))}, blue for -1, white for 0, red for +1.",
        f"The values run from {signed(values[lo])} (unit {rows[lo[1]] + 1}, step {lo[0] + 1}) "
        f"to {signed(values[hi])} (unit {rows[hi[1]] + 1}, step {hi[0] + 1}); the top row, "
        f"unit {rows[0] + 1}, varies most.")


def neuron_text(inp, fig) -> Description:
    from scenes.beats.inputs import chosen_layer
    from scenes.neuron_text import picks

    tr = inp.trace
    layer, chars = chosen_layer(inp, "neuron-text"), tr.input_chars()
    shown = []
    for pick in picks(inp):
        v = tr.layer(layer)[:, pick.unit]  # (T,)
        lo, hi = int(v.argmin()), int(v.argmax())
        shown.append(f"unit {pick.unit + 1}, {pick.reason}, goes from {signed(v[lo])} at "
                     f"{quoted(chars[lo])} (step {lo + 1}) to {signed(v[hi])} at "
                     f"{quoted(chars[hi])} (step {hi + 1})")
    return story(
        f"The text {quoted(''.join(chars))} with each character on the colour of one hidden "
        "unit's activation after reading it, blue for -1, white for 0, red for +1.",
        "; ".join(shown).capitalize() + ".")


def error_map(inp, fig) -> Description:
    from rnn.network_views import view_words

    tr = inp.trace
    path = inp.extra.get("path") or "h"
    norms = tr.error_by_source_norms(path)
    T, where = tr.T, f"{model_words(tr)}{view_words(tr)}"
    if len(norms) == 1:  # one label per sequence: one loss, one row
        return story(
            f"The norm of the one loss's error at {path}(t) for every step t of {where}, on a "
            "log colour scale.",
            f"It is {num(norms[0, T - 1])} at {path}({T}) and {num(norms[0, 0])} at {path}(1).")
    finite = np.where(np.isfinite(norms), norms, np.nan)
    hi = np.unravel_index(np.nanargmax(finite), norms.shape)
    lo = np.unravel_index(np.nanargmin(finite), norms.shape)
    empty = bool(np.isnan(norms[np.triu_indices(T, 1)]).all())
    return story(
        f"The norm of dL(s)/d{path}(t) for every loss term s and step t of {where}, "
        f"on a log colour scale{'; the cells with s < t stay empty' if empty else ''}.",
        f"The largest is {num(norms[hi])}, from L({hi[0] + 1}) at {path}({hi[1] + 1}); the "
        f"smallest {num(norms[lo])}, from L({lo[0] + 1}) at {path}({lo[1] + 1}). The last term's "
        f"error is {num(norms[T - 1, T - 1])} at {path}({T}) and {num(norms[T - 1, 0])} at "
        f"{path}(1).")


STORIES = {
    "dense-backprop": dense, "rnn-neurons": neurons, "unfolded": unfolded,
    "two-steps": two_steps, "folded": folded, "forward-values": forward, "bptt-errors": bptt,
    "gradient-frames": gradient_frames, "gradient-sum": gradient_sum, "truncated": truncated,
    "vanishing": vanishing, "clipping": clipping, "lstm-cell": lstm_cell, "gru-cell": gru_cell,
    "lstm-unfolded": bptt, "carousel": carousel, "activations": activations,
    "neuron-text": neuron_text, "error-map": error_map,
}


def describe(fig, inp) -> Description:
    """The description of figure ``fig`` (a ``figures.Figure``) drawn from ``inp`` (a
    network's chain: ``alt_network``)."""
    if hasattr(inp.trace, "layers"):
        from scenes.output.alt_network import network_story

        return network_story(fig.scene, inp)
    return STORIES[fig.name](inp, fig)


# The last frame of each scene, as ``unrolled render --format png`` writes it: the story of
# the figure that stops there (gradients and the lecture end on the summed update)
SCENE_STORIES = {
    "forward": forward, "bptt": bptt, "gradients": gradient_sum, "lecture": gradient_sum,
    "truncated": truncated, "vanishing": vanishing, "clipping": clipping, "dense": dense,
    "neurons": neurons, "unfold": unfolded, "blackbox": folded, "activations": activations,
    "neuron-text": neuron_text, "error-map": error_map, "lstm-cell": lstm_cell,
    "gru-cell": gru_cell, "carousel": carousel,
}


def describe_scene(name: str, inp) -> Description:
    """The description of the last frame of scene ``name`` drawn from ``inp`` (a network's
    chain: ``alt_network``)."""
    if hasattr(inp.trace, "layers"):
        from scenes.output.alt_network import network_story

        return network_story(name, inp)
    return SCENE_STORIES[name](inp, None)
