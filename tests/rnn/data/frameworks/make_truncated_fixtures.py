"""Make the truncated-BPTT fixtures of stacked networks with PyTorch itself.

For each cell, a 2-layer torch network (``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU``, ``num_layers=2``)
with a linear head learns ``TEXT`` in windows of ``WINDOW`` steps, as a training loop in torch
is written: each window starts from the previous window's final states, detached, and one SGD
step (lr ``LR``) follows each window's backward pass. ``torch_truncated_KIND.npz`` holds the
initial parameters under the engine's names (``W_ih_l0``, ..., ``V``, ``c``; the simple RNN's
one bias ``b_l0`` = b_ih + b_hh, of which only b_ih is stepped so that the sum moves as the
engine's one bias does) and, per window ``k``, ``loss:k`` and ``grad:k:NAME``. Run it
where torch is installed (see make_fixtures.py); the test suite needs no torch.

``torch_truncated_KIND_SHAPE.npz`` (SHAPE ``l2_bi``, ``l2_last``, ``l2_bi_last``) are the other
shapes of 2-layer networks, windows of ``WINDOW`` steps with detached states as the engine cuts
them: a forward direction starts each window from the previous window's final states; a
backward direction (``bidirectional=True``) from zeros in every window, since it reads each
window from its end; one label per sequence (the head on ``h_n``, every character of ``TEXT``
an input, label ``TARGET`` of ``CLASSES``) is read after the last window only, so the windows
before it run under ``torch.no_grad`` with no step. Per window ``k``: ``h:k:l0``,
``h:k:l0_reverse``, ... every layer direction's states (sequence order; ``cell:k:...`` the
LSTM's), from one-layer torch modules holding each layer direction's weights and started from
that window's states (the stacked module returns only its top layer's, checked equal), and
for a window with a loss ``loss:k`` and ``grad:k:NAME``.
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_shape_fixtures import layer_direction, slot  # noqa: E402

HERE = Path(__file__).resolve().parent
TEXT = "hello world, hello"
VOCAB = sorted(set(TEXT))
HIDDEN, WINDOW, LR = 4, 5, 0.1
torch.set_num_threads(1)


def names(kind: str, torch_name: str) -> str:
    """torch's ``weight_ih_l1`` as the engine's ``W_ih_l1`` (``U_l1`` for a simple RNN)."""
    part, layer = torch_name.rsplit("_l", 1)
    simple = {"weight_ih": "U", "weight_hh": "W"}
    gated = {"weight_ih": "W_ih", "weight_hh": "W_hh", "bias_ih": "b_ih", "bias_hh": "b_hh"}
    return f"{(simple if kind == 'rnn' else gated)[part]}_l{layer}"


def fixture(kind: str, seed: int) -> None:
    torch.manual_seed(seed)
    cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
    rnn = cls(len(VOCAB), HIDDEN, num_layers=2, batch_first=True).double()
    head = torch.nn.Linear(HIDDEN, len(VOCAB)).double()
    out = {}
    for n, p in rnn.named_parameters():
        if kind == "rnn" and n.startswith("bias"):
            continue
        out[names(kind, n)] = p.detach().numpy().copy()
    if kind == "rnn":
        for layer in (0, 1):
            b = getattr(rnn, f"bias_ih_l{layer}") + getattr(rnn, f"bias_hh_l{layer}")
            out[f"b_l{layer}"] = b.detach().numpy().copy()
    out["V"], out["c"] = head.weight.detach().numpy().copy(), head.bias.detach().numpy().copy()
    ids = torch.tensor([VOCAB.index(ch) for ch in TEXT])
    x = torch.nn.functional.one_hot(ids[:-1], len(VOCAB)).double()[None]
    y = ids[1:]
    params = list(rnn.parameters()) + list(head.parameters())
    state = None
    for k, start in enumerate(range(0, len(y), WINDOW)):
        stop = min(start + WINDOW, len(y))
        hs, state = rnn(x[:, start:stop], state)
        loss = torch.nn.functional.cross_entropy(head(hs[0]), y[start:stop], reduction="sum")
        for p in params:
            p.grad = None
        loss.backward()
        out[f"loss:{k}"] = np.array(loss.item())
        for n, p in rnn.named_parameters():
            if kind == "rnn" and n.startswith("bias_hh"):
                continue
            key = names(kind, n) if not (kind == "rnn" and n.startswith("bias_ih")) else \
                f"b_l{n[-1]}"
            out[f"grad:{k}:{key}"] = p.grad.numpy().copy()
        out[f"grad:{k}:V"], out[f"grad:{k}:c"] = head.weight.grad.numpy().copy(), \
            head.bias.grad.numpy().copy()
        with torch.no_grad():
            for n, p in [*rnn.named_parameters(), *head.named_parameters()]:
                if kind == "rnn" and n.startswith("bias_hh"):
                    continue  # b = b_ih + b_hh moves once by lr * grad, as the engine's one b
                p -= LR * p.grad
        state = tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()
    np.savez(HERE / f"torch_truncated_{kind}.npz", **out)


CLASSES, TARGET = ["farewell", "greeting", "question"], 1
SHAPES = {"l2_bi": (True, False), "l2_last": (False, True), "l2_bi_last": (True, True)}
KINDS = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}


def engine_name(kind: str, torch_name: str) -> str | None:
    """``weight_ih_l1_reverse`` -> ``W_ih_l1_reverse``; the simple RNN's ``bias_ih_l0`` ->
    ``b_l0`` (its one bias) and ``bias_hh_l0`` -> None (folded into it)."""
    part, rest = torch_name.rsplit("_l", 1)
    if kind == "rnn" and part.startswith("bias"):
        return f"b_l{rest}" if part == "bias_ih" else None
    return names(kind, f"{part}_l0")[:-3] + f"_l{rest}"


def layer_states(rnn, x, h0, c0) -> dict[str, torch.Tensor]:
    """Every layer direction's h and c over ``x`` (T, D) from the states ``h0``/``c0``
    (L*dirs, 1, H), one layer direction at a time (make_shape_fixtures.layer_direction)."""
    dirs = 2 if rnn.bidirectional else 1
    out, inputs = {}, x
    for l in range(rnn.num_layers):
        outputs = []
        for d in range(dirs):
            i = l * dirs + d
            state = (h0[i:i + 1], c0[i:i + 1]) if c0 is not None else h0[i:i + 1]
            h, c = layer_direction(rnn, l, d, inputs, state)
            out[f"h:{slot(l, d)}"], out[f"cell:{slot(l, d)}"] = h, c
            outputs.append(h)
        inputs = torch.cat(outputs, dim=1)
    return out


def shape_fixture(kind: str, shape: str, seed: int) -> None:
    bi, last = SHAPES[shape]
    dirs = 2 if bi else 1
    torch.manual_seed(seed)
    rnn = KINDS[kind](len(VOCAB), HIDDEN, num_layers=2, batch_first=True,
                      bidirectional=bi).double()
    head = torch.nn.Linear(dirs * HIDDEN, len(CLASSES) if last else len(VOCAB)).double()
    with torch.no_grad():  # random biases, so that one read into the wrong place shows
        for n, p in rnn.named_parameters():
            if n.startswith("bias"):
                p.uniform_(-0.5, 0.5)
    out = {}
    for n, p in rnn.named_parameters():
        if engine_name(kind, n):
            out[engine_name(kind, n)] = p.detach().numpy().copy()
    if kind == "rnn":  # the one bias of each layer direction: b_ih + b_hh
        for l in range(2):
            for d in range(dirs):
                b = getattr(rnn, f"bias_ih_{slot(l, d)}") + getattr(rnn, f"bias_hh_{slot(l, d)}")
                out[f"b_{slot(l, d)}"] = b.detach().numpy().copy()
    out["V"], out["c"] = head.weight.detach().numpy().copy(), head.bias.detach().numpy().copy()
    ids = torch.tensor([VOCAB.index(ch) for ch in TEXT])
    inputs = ids if last else ids[:-1]
    x = torch.nn.functional.one_hot(inputs, len(VOCAB)).double()
    T, params = len(x), list(rnn.parameters()) + list(head.parameters())
    h0 = torch.zeros(2 * dirs, 1, HIDDEN, dtype=torch.float64)
    c0 = h0.clone() if kind == "lstm" else None
    for k, start in enumerate(range(0, T, WINDOW)):
        stop = min(start + WINDOW, T)
        labelled = not last or stop == T
        with torch.set_grad_enabled(labelled):
            state = (h0, c0) if c0 is not None else h0
            hs, state = rnn(x[None, start:stop], state)
            h_n = state[0] if isinstance(state, tuple) else state
            if last:  # h_n of the top layer: each direction's state after its own last step
                logits = head(torch.cat(list(h_n[-dirs:, 0]), dim=-1))[None]
                want = torch.tensor([TARGET])
            else:
                logits, want = head(hs[0]), ids[1:][start:stop]
            loss = torch.nn.functional.cross_entropy(logits, want, reduction="sum")
        with torch.no_grad():
            layers = layer_states(rnn, x[start:stop], h0, c0)
            assert torch.allclose(hs[0], torch.cat([layers[f"h:{slot(1, d)}"]
                                                    for d in range(dirs)], dim=1), atol=1e-12)
            for key, v in layers.items():
                if kind == "lstm" or key.startswith("h:"):
                    out[key.replace(":", f":{k}:", 1)] = v.numpy().copy()
        if labelled:
            for p in params:
                p.grad = None
            loss.backward()
            out[f"loss:{k}"] = np.array(loss.item())
            for n, p in rnn.named_parameters():
                if engine_name(kind, n):
                    out[f"grad:{k}:{engine_name(kind, n)}"] = p.grad.numpy().copy()
            out[f"grad:{k}:V"] = head.weight.grad.numpy().copy()
            out[f"grad:{k}:c"] = head.bias.grad.numpy().copy()
            with torch.no_grad():  # the simple RNN's b_hh stays: b moves once, as the engine's
                for n, p in [*rnn.named_parameters(), *head.named_parameters()]:
                    if not (kind == "rnn" and n.startswith("bias_hh")):
                        p -= LR * p.grad
        # detached: forward directions go on from where they stopped, backward ones restart
        h0 = h_n.detach().clone()
        c0 = state[1].detach().clone() if c0 is not None else None
        if bi:
            for i in range(1, 2 * dirs, 2):
                h0[i] = 0
                if c0 is not None:
                    c0[i] = 0
    np.savez(HERE / f"torch_truncated_{kind}_{shape}.npz", **out)


def main() -> None:
    for seed, kind in enumerate(("rnn", "lstm", "gru")):
        fixture(kind, seed)
        for i, shape in enumerate(SHAPES):
            shape_fixture(kind, shape, 10 * (i + 1) + seed)
    (HERE / "truncated_versions.json").write_text(json.dumps(
        {"torch": torch.__version__, "numpy": np.__version__,
         "python": platform.python_version()}, indent=1) + "\n")


if __name__ == "__main__":
    main()
