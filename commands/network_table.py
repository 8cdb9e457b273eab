"""``unrolled trace``'s printout of a network of any shape: the head, then every layer
direction's states and errors, then the gradient totals."""

from __future__ import annotations

from rich.table import Table

from rnn.network import DIRECTION_NAMES, NetworkTrace


def _vec(v) -> str:
    return "[" + " ".join(f"{x:+.3f}" for x in v) + "]"


def _name(tr: NetworkTrace, i: int) -> str:
    classes = tr.extra.get("classes")
    if tr.shape.task == "last" and classes:
        return repr(classes[i])
    chars = tr.vocabulary.chars if tr.vocabulary else None
    return repr(chars[i]) if chars else str(i)


def _steps(tr: NetworkTrace) -> str:
    window = tr.extra.get("window")
    return f"{window['start']}..{window['stop']}" if window else f"1..{tr.T}"


def print_network_trace(console, tr: NetworkTrace, window: int | None = None) -> None:
    """Tables of one network trace (``window``: its index in a truncated run)."""
    shape = tr.shape
    where = f" window {window + 1}" if window is not None else ""
    kind = " ".join(filter(None, [shape.words(), tr.kind]))
    if not tr.losses.size:  # a truncated run's window before the one label: forward only
        console.print(f"{kind}{where}: steps {_steps(tr)}, no label: one label per sequence is "
                      "read after the last window; no loss, zero gradients, no update")
    head = Table(title=f"{kind}{where}: outputs, loss {tr.loss:.6f}", title_justify="left")
    for col in ("output", "target", "yhat(target)", "L"):
        head.add_column(col, justify="right")
    for i in range(len(tr.losses)):
        at = f"t={i + 1}" if shape.task == "every" else f"after t={tr.T}"
        target = int(tr.targets[i])
        head.add_row(at, _name(tr, target), f"{tr.yhat[i, target]:.4f}", f"{tr.losses[i]:.4f}")
    if tr.losses.size:
        console.print(head)
    top = shape.layers - 1
    for l, d in shape.slots:
        from_where = "from the output" if l == top else "from above"
        table = Table(title=f"layer {l + 1} {DIRECTION_NAMES[d]}"
                      f"{' (reads from the end)' if d else ''}", title_justify="left")
        for col in ("t", "h(t)", f"dL/dh {from_where}", "dL/dh from its next step"):
            table.add_column(col, justify="right" if col == "t" else "left")
        h, above = tr.seq(l, d, "h"), tr.seq(l, d, "dL_dh_from_output")
        nxt = tr.seq(l, d, "dL_dh_from_next")
        for t in range(tr.T):
            table.add_row(str(t + 1), _vec(h[t]), _vec(above[t]), _vec(nxt[t]))
        console.print(table)
    grads = Table(title="gradient totals (sum over t of per-step contributions)",
                  title_justify="left")
    grads.add_column("param")
    grads.add_column("gradient")
    for name, g in tr.grads.items():
        rows = g if g.ndim == 2 else g[None, :]
        grads.add_row(name, "\n".join(_vec(r) for r in rows))
    console.print(grads)
    if tr.update:
        u = tr.update
        console.print(f"{u.method} lr={u.lr} clip={u.clip} ({u.clip_mode}): "
                      f"gradient norm {u.grad_norm:.6f} -> {u.grad_norm_clipped:.6f}")
