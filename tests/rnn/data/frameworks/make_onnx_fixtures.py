"""Make the ONNX fixtures: the torch fixtures' very models, exported by ``torch.onnx.export``.

Each ``torch_NAME.safetensors`` (written by ``make_fixtures.py``) is loaded back into the same
module and exported as ``torch_NAME.onnx`` (the stacked and bidirectional ones of
``make_shape_fixtures.py`` too, with their head on every step or on ``h_n``), reading token
ids (with an embedding) or one-hot rows and returning the logits of every step (or of the one
label). The expected numbers stay those of ``torch_NAME.npz``
(torch's forward pass and autograd on the same weights). Run it where torch and onnx are
installed (CPU builds are enough)::

    python -m venv /tmp/frameworks
    /tmp/frameworks/bin/pip install torch==2.13.0 onnx safetensors numpy
    /tmp/frameworks/bin/python tests/rnn/data/frameworks/make_onnx_fixtures.py

The legacy exporter (``dynamo=False``, opset 17) is used: it needs only ``onnx``. What it wrote
is checked here before the file is kept: a GRU must carry ``linear_before_reset = 1`` (torch's
GRU), since another exporter has been seen to write 0 for it. ``onnx_versions.json`` records the
versions used.
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

import numpy as np
import onnx
import torch
from safetensors.torch import load_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_shape_fixtures import TorchNet  # noqa: E402

HERE = Path(__file__).resolve().parent
VOCAB = json.loads((HERE / "vocab.json").read_text())
HIDDEN, EMBED = 5, 4
torch.set_num_threads(1)

# fixture -> (cell, embedding?, names of the embedding, recurrent and head modules, options)
TORCH_NAMES = (("embedding", "rnn", "head"), ("encoder.emb", "core", "decoder"))
FIXTURES = {f"torch_{kind}{'_embed' if embed else ''}": (kind, embed, {})
            for kind in ("rnn", "lstm", "gru") for embed in (False, True)}
FIXTURES.update({f"torch_rnn_relu{'_embed' if embed else ''}": ("rnn", embed,
                                                                 {"nonlinearity": "relu"})
                 for embed in (False, True)})


class Exported(torch.nn.Module):
    """[Embedding] -> one recurrent layer (batch_first) -> Linear, with the fixture's names."""

    def __init__(self, kind: str, embed: bool, **rnn_kwargs):
        super().__init__()
        self.names = TORCH_NAMES[embed]
        size = EMBED if embed else len(VOCAB)
        cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
        modules = {}
        if embed:
            modules[self.names[0]] = torch.nn.Embedding(len(VOCAB), EMBED)
        modules[self.names[1]] = cls(size, HIDDEN, batch_first=True, **rnn_kwargs)
        modules[self.names[2]] = torch.nn.Linear(HIDDEN, len(VOCAB))
        for dotted, module in modules.items():  # "encoder.emb": a submodule of a container
            owner = self
            *path, last = dotted.split(".")
            for part in path:
                if not hasattr(owner, part):
                    owner.add_module(part, torch.nn.Module())
                owner = getattr(owner, part)
            owner.add_module(last, module)
        self.embed = embed

    def part(self, i: int):
        module = self
        for name in self.names[i].split("."):
            module = getattr(module, name)
        return module

    def forward(self, x):
        if self.embed:
            x = self.part(0)(x)  # (T,) ids -> (T, E)
        out, _ = self.part(1)(x[None])  # (1, T, H)
        return self.part(2)(out[0])  # (T, K)


def export(name: str, kind: str, embed: bool, rnn_kwargs: dict) -> None:
    model = Exported(kind, embed, **rnn_kwargs)
    model.load_state_dict(load_file(HERE / f"{name}.safetensors"))
    model.eval()
    ids = torch.tensor([VOCAB.index(c) for c in "hello worl"], dtype=torch.int64)
    x = ids if embed else torch.nn.functional.one_hot(ids, len(VOCAB)).float()
    path = HERE / f"{name}.onnx"
    torch.onnx.export(model, (x,), str(path), dynamo=False, opset_version=17,
                      input_names=["tokens" if embed else "x"], output_names=["logits"])
    graph = onnx.load(str(path)).graph
    for node in graph.node:
        if node.op_type == "GRU":
            lbr = [a.i for a in node.attribute if a.name == "linear_before_reset"]
            assert lbr == [1], f"{name}: the exporter wrote linear_before_reset {lbr}"
    print(f"{name}.onnx: {', '.join(n.op_type for n in graph.node)}", file=sys.stderr)


def export_shape(name: str, kind: str, layers: int, bi: bool, last: bool, embed: bool) -> None:
    """A stacked or bidirectional fixture of make_shape_fixtures.py, exported: every step's
    logits, or those of the one label read from h_n."""
    net = TorchNet(kind, layers, bi, last, embed)
    net.load_state_dict(load_file(HERE / f"{name}.safetensors"))
    net.eval()
    text = "hello world" if last else "hello worl"
    ids = torch.tensor([VOCAB.index(c) for c in text], dtype=torch.int64)
    x = net.emb(ids) if embed else torch.nn.functional.one_hot(ids, len(VOCAB)).float()
    model = torch.nn.Sequential(net.emb, net) if embed else net
    path = HERE / f"{name}.onnx"
    torch.onnx.export(model, ((ids if embed else x),), str(path), dynamo=False,
                      opset_version=17, input_names=["tokens" if embed else "x"],
                      output_names=["logits"])
    graph = onnx.load(str(path)).graph
    ops = [n for n in graph.node if n.op_type in ("RNN", "GRU", "LSTM")]
    assert len(ops) == layers, f"{name}: {len(ops)} recurrent operators"
    print(f"{name}.onnx: {', '.join(n.op_type for n in graph.node)}", file=sys.stderr)


SHAPE_FIXTURES = {f"torch_{kind}_{tail}": (kind, layers, bi, last, kind == "gru" and tail ==
                                           "l2_bi")
                  for kind in ("rnn", "lstm", "gru")
                  for tail, layers, bi, last in (("l2", 2, False, False),
                                                 ("l2_bi", 2, True, False),
                                                 ("l3_bi_last", 3, True, True),
                                                 ("l2_last", 2, False, True))}


def main() -> None:
    for name, (kind, embed, rnn_kwargs) in FIXTURES.items():
        export(name, kind, embed, rnn_kwargs)
    for name, shape in SHAPE_FIXTURES.items():
        export_shape(name, *shape)
    versions = {"torch": torch.__version__, "onnx": onnx.__version__, "numpy": np.__version__,
                "python": platform.python_version(), "opset": 17}
    (HERE / "onnx_versions.json").write_text(json.dumps(versions, indent=2, sort_keys=True)
                                            + "\n")


if __name__ == "__main__":
    main()
