"""What both Trace documents write the same way (a one-layer trace's, ``rnn.traces.document``,
and a network's, ``rnn.traces.network_doc``): the format's name and version, a recorded
array as a document column, and an update."""

from __future__ import annotations

import numpy as np

from rnn.trace import Trace

FORMAT = "unrolled.trace"
VERSION = 2
# per-step objects keyed by gate name, and the recorded (T, G, H) part each one is
GATE_GROUPS = {"gates": "gates", "pre": "pre", "gate_errors": "dL_dpre"}


def _update(trace) -> dict:
    u = trace.update
    return {
        "update": {
            "method": u.method, "lr": u.lr, "clip": u.clip, "clip_mode": u.clip_mode,
            "grad_norm": u.grad_norm, "grad_norm_clipped": u.grad_norm_clipped,
            "grads_applied": dict(u.grads_applied),
        },
        "params_after": u.params_after.as_dict(),
    }


def _column(trace: Trace, name: str):
    """One step key of the document as a (T, ...) array, or {gate: (T, H)} for a group."""
    if name in GATE_GROUPS:
        blocks = trace.parts[GATE_GROUPS[name]]
        return {g: np.ascontiguousarray(blocks[:, k]) for k, g in enumerate(trace.gate_names)}
    if name == "x":
        return trace.X
    if name == "loss":
        return trace.losses
    if name in trace.parts:
        return trace.parts[name]
    if hasattr(type(trace), name) or name in trace.__dataclass_fields__:
        return getattr(trace, name)
    return trace.spec.column(trace, name)
