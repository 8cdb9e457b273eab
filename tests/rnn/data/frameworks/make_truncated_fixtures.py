"""Make the truncated-BPTT fixtures of stacked networks with PyTorch itself.

For each cell, a 2-layer torch network (``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU``, ``num_layers=2``)
with a linear head learns ``TEXT`` in windows of ``WINDOW`` steps, as a training loop in torch
is written: each window starts from the previous window's final states, detached, and one SGD
step (lr ``LR``) follows each window's backward pass. ``torch_truncated_KIND.npz`` holds the
initial parameters under the engine's names (``W_ih_l0``, ..., ``V``, ``c``; the simple RNN's
one bias ``b_l0`` = b_ih + b_hh, of which only b_ih is stepped so that the sum moves as the
engine's one bias does) and, per window ``k``, ``loss:k`` and ``grad:k:NAME``. Run it
where torch is installed (see make_fixtures.py); the test suite needs no torch.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path

import numpy as np
import torch

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


def main() -> None:
    for seed, kind in enumerate(("rnn", "lstm", "gru")):
        fixture(kind, seed)
    (HERE / "truncated_versions.json").write_text(json.dumps(
        {"torch": torch.__version__, "numpy": np.__version__,
         "python": platform.python_version()}, indent=1) + "\n")


if __name__ == "__main__":
    main()
