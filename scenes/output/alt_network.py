"""The stories of a network's pictures (stacked, two-way or one label), in words from its
NetworkTrace: what the chain scenes' last frames show, for their descriptions (alt text).

Every number is the Trace's (``rnn.network.NetworkTrace``), formatted by ``alt_text``.
"""

from __future__ import annotations

import numpy as np

from rnn.network import DIRECTION_NAMES
from scenes.output.alt_text import Description, compared, norm, num, quoted, story


def _where(trace, l: int, d: int) -> str:
    """``layer 2 (backward)``: how a sentence names a layer direction (layers from 1)."""
    way = f" ({DIRECTION_NAMES[d]})" if trace.shape.bidirectional else ""
    return f"layer {l + 1}{way}"


def model_words(trace) -> str:
    """``the 2-layer bidirectional LSTM on 'hello', 4 steps, 3 hidden units a layer``."""
    shape, H, T = trace.shape, trace.params.hidden_size, trace.T
    kind = " ".join(filter(None, [shape.words(), trace.spec.title]))
    text = trace.extra.get("text") or ""
    label = ""
    if shape.task == "last":
        classes = trace.extra.get("classes") or ()
        y = int(trace.targets[0])
        label = f", one label ({quoted(classes[y]) if y < len(classes) else y})"
    return (f"the {kind} on {quoted(text)}, {T} step{'s' * (T != 1)}, {H} hidden "
            f"unit{'s' * (H != 1)} a layer{label}")


def _source(trace) -> int:
    """The loss term the story follows: the largest (the one label's, when one)."""
    return int(np.argmax(trace.losses))


def _journey(trace, s: int) -> str:
    """Where loss term s's error is at the top and at the bottom layer's first step read."""
    top = trace.shape.layers - 1
    at = s if trace.shape.task == "every" else trace.T - 1
    near = float(trace.error_by_source_norms(top, 0)[s, at])
    far = float(trace.error_by_source_norms(0, 0)[s, 0])
    name = f"L({s + 1})" if trace.shape.task == "every" else "the one loss"
    return (f"the error of {name} has norm {num(near)} at {_where(trace, top, 0)}'s "
            f"h({at + 1}) and reaches {_where(trace, 0, 0)}'s h(1) with norm {num(far)}"
            f"{'' if far == 0 or near == 0 else ', ' + compared(far, near) + ' at the top'}")


def _rows(trace) -> str:
    """Every layer direction's error at its steps, by norm: how the picture's rows compare."""
    parts = []
    for l, d in trace.shape.slots:
        parts.append(f"{_where(trace, l, d)} {num(norm(trace.seq(l, d, 'dL_dh')))}")
    return "The norm of ∂L/∂h over all the steps of " + "; ".join(parts) + "."


def network_story(name: str, inp) -> Description:
    """The description of scene ``name``'s last frame for a network's trace."""
    trace = inp.trace
    words = model_words(trace)
    loss = f"the loss L = {num(trace.loss)}"
    said = f"The loss L = {num(trace.loss)}."
    if name == "forward":
        return story(f"The unfolded {words[4:]}, computed step by step; {loss}.",
                     "Each layer reads the layer below at every step; a backward direction "
                     "reads the text from its end.", _rows(trace))
    if name == "truncated":
        return _truncated(inp, words)
    s = _source(trace)
    if name == "bptt":
        return story(f"Errors travel back through {words}: {_journey(trace, s)}.",
                     said, _rows(trace))
    if name in ("gradients", "lecture"):
        update = trace.update
        grad = "" if update is None else (f"; the update's gradient norm is "
                                          f"{num(update.grad_norm)}")
        return story(f"Each step's gradient contributions of {words}, summed into one "
                     f"update{grad}.", said, _rows(trace))
    return story(f"{name} of {words}; {loss}.", _rows(trace))


def _truncated(inp, words: str) -> Description:
    """Truncated BPTT of a network: what crosses the cuts, and what the cuts cost layer 1."""
    trace, e = inp.trace, inp.extra
    windows = inp.windows or ()
    states = "hidden and cell states" if "cell" in trace.spec.states else "hidden states"
    if trace.shape.bidirectional:
        crossing = (f"the forward directions' {states} cross each of the {len(windows) - 1} "
                    "cuts and the backward directions start again at every window's end; the "
                    "errors cross none")
    else:
        crossing = (f"every layer's {states} cross each of the {len(windows) - 1} cuts, the "
                    "errors do not")
    silent = sum(w.update is None for w in windows)
    label = (f" Only the last window holds the loss, read after the last step: the "
             f"{silent} before it have no error and no update." if silent else "")
    w = trace.spec.recurrent + "_l0"
    return story(
        f"Truncated BPTT of {words}, in windows of {e['window']} steps: "
        f"{crossing}.{label}",
        f"The full gradient dL/d{w} has norm {num(norm(e['full_grads'][w]))}; the truncated "
        f"one misses what crossed the cuts, a difference of norm "
        f"{num(norm(e['difference'][w]))}.")
