"""Make the fixtures of networks of every shape: stacked and bidirectional models, with a loss at
every step or one label per sequence, saved by PyTorch and Keras themselves.

Called by ``make_fixtures.py`` (same environment; see its docstring), or alone to remake only
these::

    KERAS_BACKEND=jax /tmp/frameworks/bin/python tests/rnn/data/frameworks/make_shape_fixtures.py

For every model ``NAME`` it writes ``NAME.safetensors`` (torch) or ``NAME.keras``, then
``NAME.classes.json`` (the class names, for one label per sequence) and ``NAME.npz``, in the
engine's names of a network (``rnn.network``): ``loss``; ``h:l0``, ``h:l0_reverse``, ... (T, H)
every layer's and direction's hidden states in sequence order, from the frameworks' own layers;
``cell:l0``, ... the LSTM's cell states; ``grad:W_ih_l0``, ``grad:b_hh_l1_reverse``, ...,
``grad:V``, ``grad:c`` (``grad:embedding``) from torch autograd or ``jax.grad``, in torch's
layout (the simple RNN's and a one-bias Keras layer's ``b_ih`` and ``b_hh`` are the gradient of
the one bias they sum to); ``dL_dx`` (T, D) for one-hot inputs; ``target``, the label's index;
and for the one-way stacks ``torch_*_l2``, truncated BPTT's ``window{i}:loss`` and
``window{i}:grad:NAME`` (``torch_windows``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

os.environ.setdefault("KERAS_BACKEND", "jax")  # Keras and jax are imported where they are
# used, so that make_onnx_fixtures.py can take TorchNet where only torch and onnx are installed

HERE = Path(__file__).resolve().parent
TEXT = "hello world"  # the same text and vocabulary as make_fixtures.py
VOCAB = sorted(set(TEXT))
HIDDEN, EMBED = 4, 3
CLASSES = ["farewell", "greeting", "question"]  # one label per sequence: "greeting", index 1
TARGET = 1
WINDOW = 4  # truncated BPTT of the one-way stacks: windows of 4, 4 and 2 steps
TORCH_CLASSES = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
IDS = np.array([VOCAB.index(ch) for ch in TEXT], dtype=np.int64)


def task_data(last: bool) -> tuple[np.ndarray, np.ndarray]:
    """(input ids, targets): every character and the label, or next-character prediction."""
    return (IDS, np.array([TARGET])) if last else (IDS[:-1], IDS[1:])


def slot(l: int, d: int) -> str:
    return f"l{l}" + ("_reverse" if d else "")


# PyTorch -------------------------------------------------------------------------------
class TorchNet(torch.nn.Module):
    """[Embedding] -> nn.RNN/LSTM/GRU(num_layers, bidirectional) -> Linear on every step's
    output, or on h_n (the last layer's final state of each direction)."""

    def __init__(self, kind: str, layers: int, bi: bool, last: bool, embed: bool):
        super().__init__()
        self.dirs, self.last, self.embed = 1 + bi, last, embed
        if embed:
            self.emb = torch.nn.Embedding(len(VOCAB), EMBED)
        self.rnn = TORCH_CLASSES[kind](EMBED if embed else len(VOCAB), HIDDEN, num_layers=layers,
                                       bidirectional=bi, batch_first=True)
        self.head = torch.nn.Linear(self.dirs * HIDDEN, len(CLASSES) if last else len(VOCAB))

    def forward(self, x):
        out, h_n = self.rnn(x[None])  # (1, T, dirs*H); (L*dirs, 1, H)
        if isinstance(h_n, tuple):  # the LSTM's (h_n, c_n)
            h_n = h_n[0]
        if self.last:
            return self.head(torch.cat(list(h_n[-self.dirs:, 0]), dim=-1))[None]  # (1, K)
        return self.head(out[0])  # (T, K)


def torch_layers(net: TorchNet, x: torch.Tensor) -> dict[str, np.ndarray]:
    """Every layer direction's h (and c) in sequence order, one layer direction at a time by a
    one-layer torch module holding its weights: the stacked module returns only the top's."""
    kind = type(net.rnn)
    out, inputs = {}, x.detach()
    for l in range(net.rnn.num_layers):
        outputs = []
        for d in range(net.dirs):
            h, c = layer_direction(net.rnn, l, d, inputs)
            out[f"h:{slot(l, d)}"] = h.numpy()
            if kind is torch.nn.LSTM:
                out[f"cell:{slot(l, d)}"] = c.numpy()
            outputs.append(h)
        inputs = torch.cat(outputs, dim=1)
    return out


def layer_direction(rnn, l: int, d: int, inputs: torch.Tensor, state=None):
    """Layer l's direction d of the stacked ``rnn`` over ``inputs`` (T, D), sequence order,
    from ``state`` (its h0, or the LSTM's (h0, c0), each (1, 1, H); None: zeros), by a one-layer
    module holding its weights: (h, c), each (T, H) in sequence order (c is h without a cell
    state)."""
    one = type(rnn)(inputs.shape[1], rnn.hidden_size).to(inputs.dtype)
    one.load_state_dict({k.replace(f"_{slot(l, d)}", "_l0"): v for k, v in rnn.state_dict().items()
                         if k.endswith(f"_{slot(l, d)}")})
    seq = inputs if d == 0 else inputs.flip(0)
    hs, cs = [], []
    with torch.no_grad():
        for t in range(len(seq)):
            h, state = one(seq[None, t:t + 1], state)
            hs.append(h[0, 0])
            cs.append(state[1][0, 0] if isinstance(state, tuple) else h[0, 0])
    h, c = torch.stack(hs), torch.stack(cs)
    return (h.flip(0), c.flip(0)) if d else (h, c)


def torch_names(name: str, kind: str) -> str:
    """``rnn.weight_ih_l1_reverse`` -> ``W_ih_l1_reverse``; head and embedding too."""
    if name.startswith("rnn."):
        kind_, part, rest = name[4:].split("_", 2)
        return {"weight": "W", "bias": "b"}[kind_] + f"_{part}_{rest}"
    return {"head.weight": "V", "head.bias": "c", "emb.weight": "embedding"}[name]


def torch_fixture(name: str, kind: str, layers: int, bi: bool, last: bool, seed: int,
                  embed: bool = False) -> None:
    torch.manual_seed(seed)
    net = TorchNet(kind, layers, bi, last, embed)
    with torch.no_grad():  # random biases, so that one read into the wrong place shows
        for key, p in net.rnn.named_parameters():
            if key.startswith("bias"):
                p.uniform_(-0.5, 0.5)
    ids, targets = task_data(last)
    if embed:
        x = net.emb(torch.from_numpy(ids))
    else:
        x = torch.nn.functional.one_hot(torch.from_numpy(ids), len(VOCAB)).float()
        x.requires_grad_(True)
    logits = net(x)
    loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(targets), reduction="sum")
    loss.backward()
    out = {"loss": np.float64(loss.item()), "target": targets, **torch_layers(net, x)}
    with torch.no_grad():  # the stacked module's own top output agrees with the layer by layer one
        seq, _ = net.rnn(x[None])
    last_h = np.hstack([out[f"h:{slot(layers - 1, d)}"] for d in range(net.dirs)])
    assert np.allclose(seq[0].numpy(), last_h, atol=1e-6), name
    for key, p in net.named_parameters():
        out[f"grad:{torch_names(key, kind)}"] = p.grad.numpy()
    if not embed:
        out["dL_dx"] = x.grad.numpy()
    save_file({k: v.contiguous() for k, v in net.state_dict().items()},
              HERE / f"{name}.safetensors")
    finish(name, out, last)


def torch_windows(name: str, kind: str, window: int = WINDOW) -> None:
    """Truncated BPTT of a one-way stack, added to ``NAME.npz``: windows of ``window`` steps,
    every layer's final states carried to the next window as constants, one SGD step (lr 0.1,
    the engine's default) after each. ``window{i}:loss`` and ``window{i}:grad:NAME`` are each
    window's loss and gradients at the parameters of that window. The simple RNN's step moves
    b_ih alone: the engine's one bias b = b_ih + b_hh then moves by lr * dL/db, as it does."""
    from safetensors.torch import load_file

    net = TorchNet(kind, 2, False, False, False)
    net.load_state_dict(load_file(HERE / f"{name}.safetensors"))
    ids, targets = task_data(False)
    x = torch.nn.functional.one_hot(torch.from_numpy(ids), len(VOCAB)).float()
    out, state = dict(np.load(HERE / f"{name}.npz")), None
    for i, start in enumerate(range(0, len(ids), window)):
        net.zero_grad()
        seq, state = net.rnn(x[None, start:start + window], state)
        logits = net.head(seq[0])
        loss = torch.nn.functional.cross_entropy(
            logits, torch.from_numpy(targets[start:start + window]), reduction="sum")
        loss.backward()
        out[f"window{i}:loss"] = np.float64(loss.item())
        with torch.no_grad():
            for key, p in net.named_parameters():
                out[f"window{i}:grad:{torch_names(key, kind)}"] = p.grad.numpy().copy()
                if not (kind == "rnn" and "bias_hh" in key):
                    p -= 0.1 * p.grad
        state = tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()
    np.savez(HERE / f"{name}.npz", **out)


def finish(name: str, out: dict, last: bool) -> None:
    if last:
        (HERE / f"{name}.classes.json").write_text(json.dumps(CLASSES) + "\n")
    np.savez(HERE / f"{name}.npz", **out)


# Keras ---------------------------------------------------------------------------------
KERAS_CLASSES = {"rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}


def keras_net(kind: str, layers: int, bi: bool, last: bool, seed: int) -> keras.Sequential:
    import keras

    keras.utils.set_random_seed(seed)
    cls = getattr(keras.layers, KERAS_CLASSES[kind])
    stack = [keras.Input(shape=(None, len(VOCAB)))]
    for l in range(layers):
        rnn = cls(HIDDEN, return_sequences=not (last and l == layers - 1))
        stack.append(keras.layers.Bidirectional(rnn, merge_mode="concat") if bi else rnn)
    stack.append(keras.layers.Dense(len(CLASSES) if last else len(VOCAB)))
    model = keras.Sequential(stack)
    rng = np.random.default_rng(seed)
    for var in model.weights:  # random biases (Keras starts them at 0)
        if var.path.endswith("bias"):
            var.assign(rng.uniform(-0.5, 0.5, var.shape).astype("float32"))
    return model


def keras_directions(layer) -> list:
    import keras

    if isinstance(layer, keras.layers.Bidirectional):
        return [layer.forward_layer, layer.backward_layer]
    return [layer]


def keras_step(rnn, seq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import keras

    """(T, H) h and cell states of a Keras recurrent layer's cell, stepped over ``seq``."""
    states = [np.zeros((1, HIDDEN), "float32")] * (2 if isinstance(rnn, keras.layers.LSTM) else 1)
    hs, cs = [], []
    for t in range(len(seq)):
        h, states = rnn.cell(seq[None, t], states)
        hs.append(np.asarray(h)[0])
        cs.append(np.asarray(states[-1])[0])
    return np.stack(hs), np.stack(cs)


def keras_grads(kind: str, cell, grads: dict, suffix: str) -> dict[str, np.ndarray]:
    """One layer direction's gradients in torch's layout (see make_fixtures.keras_to_torch)."""
    kernel, recurrent, bias = (grads[v.path] for v in (cell.kernel, cell.recurrent_kernel,
                                                       cell.bias))
    H = recurrent.shape[0]
    if kind == "gru":  # blocks z, r, h -> r, z, n
        order = np.concatenate([np.arange(H, 2 * H), np.arange(H), np.arange(2 * H, 3 * H)])
        kernel, recurrent, bias = kernel[:, order], recurrent[:, order], bias[..., order]
    b_ih, b_hh = (bias[0], bias[1]) if bias.ndim == 2 else (bias, bias)
    return {f"grad:W_ih{suffix}": kernel.T, f"grad:W_hh{suffix}": recurrent.T,
            f"grad:b_ih{suffix}": b_ih, f"grad:b_hh{suffix}": b_hh}


def keras_fixture(name: str, kind: str, layers: int, bi: bool, last: bool, seed: int) -> None:
    import jax
    import jax.numpy as jnp
    import keras

    model = keras_net(kind, layers, bi, last, seed)
    ids, targets = task_data(last)
    x = np.eye(len(VOCAB), dtype="float32")[ids][None]  # (1, T, V)

    def loss_of(trainable, inputs):
        logits, _ = model.stateless_call(trainable, [v.value for v in
                                                     model.non_trainable_variables], inputs)
        logp = jax.nn.log_softmax(logits.reshape(-1, logits.shape[-1]), axis=-1)
        return -jnp.sum(logp[jnp.arange(len(targets)), targets])

    trainable = [v.value for v in model.trainable_variables]
    loss, (grads, dx) = jax.value_and_grad(loss_of, argnums=(0, 1))(trainable, x)
    by_path = {v.path: np.asarray(g) for v, g in zip(model.trainable_variables, grads)}
    out = {"loss": np.float64(loss), "target": targets, "dL_dx": np.asarray(dx)[0]}
    seq = x[0]
    recurrent = [lay for lay in model.layers if not isinstance(lay, keras.layers.Dense)]
    for l, layer in enumerate(recurrent):
        outputs = []
        for d, rnn in enumerate(keras_directions(layer)):
            h, c = keras_step(rnn, seq if d == 0 else seq[::-1])
            h, c = (h, c) if d == 0 else (h[::-1], c[::-1])
            out[f"h:{slot(l, d)}"] = h
            if kind == "lstm":
                out[f"cell:{slot(l, d)}"] = c
            out.update(keras_grads(kind, rnn.cell, by_path, f"_{slot(l, d)}"))
            outputs.append(h)
        seq = np.hstack(outputs).astype("float32")
        own = np.asarray(keras.Model(model.inputs, layer.output)(x))[0]
        stepped = seq[-1] if own.ndim == 1 else seq  # the model's own layer output agrees
        if own.ndim == 1 and bi:
            stepped = np.concatenate([seq[-1, :HIDDEN], seq[0, HIDDEN:]])
        assert np.allclose(own, stepped, atol=1e-5), (name, l)
    dense = model.layers[-1]
    out["grad:V"], out["grad:c"] = by_path[dense.kernel.path].T, by_path[dense.bias.path]
    model.save(HERE / f"{name}.keras")
    finish(name, out, last)


def main() -> None:
    for n, kind in enumerate(("rnn", "lstm", "gru")):
        torch_fixture(f"torch_{kind}_l2_bi", kind, 2, True, False, seed=50 + n,
                      embed=kind == "gru")
        torch_fixture(f"torch_{kind}_l3_bi_last", kind, 3, True, True, seed=60 + n)
        torch_fixture(f"torch_{kind}_l2_last", kind, 2, False, True, seed=70 + n)
        torch_fixture(f"torch_{kind}_l2", kind, 2, False, False, seed=100 + n)
        torch_windows(f"torch_{kind}_l2", kind)
        keras_fixture(f"keras_{kind}_l2_bi", kind, 2, True, False, seed=80 + n)
        keras_fixture(f"keras_{kind}_l2_bi_last", kind, 2, True, True, seed=90 + n)
    keras_fixture("keras_lstm_l3_last", "lstm", 3, False, True, seed=99)
    refusals()


def refusals() -> None:
    """Shapes that cannot be drawn, saved by the frameworks themselves."""
    import keras

    L = keras.layers
    keras.utils.set_random_seed(0)
    for mode in ("sum",):
        model = keras.Sequential([keras.Input(shape=(None, len(VOCAB))),
                                  L.Bidirectional(L.GRU(HIDDEN, return_sequences=True),
                                                  merge_mode=mode), L.Dense(len(VOCAB))])
        model.save(HERE / f"refuse_keras_merge_{mode}.keras")
    model = keras.Sequential([keras.Input(shape=(None, len(VOCAB))),
                              *[L.SimpleRNN(HIDDEN, return_sequences=True) for _ in range(5)],
                              L.Dense(len(VOCAB))])
    model.save(HERE / "refuse_keras_five_layers.keras")
    model = keras.Sequential([keras.Input(shape=(None, len(VOCAB))), L.LSTM(HIDDEN),
                              L.Dense(len(CLASSES), activation="relu")])
    model.save(HERE / "refuse_keras_relu_head.keras")
    torch.manual_seed(0)
    rnn = torch.nn.GRU(len(VOCAB), HIDDEN, num_layers=5)
    head = torch.nn.Linear(HIDDEN, len(VOCAB))
    arrays = {f"rnn.{k}": v for k, v in rnn.state_dict().items()}
    arrays.update({f"head.{k}": v for k, v in head.state_dict().items()})
    save_file({k: v.contiguous() for k, v in arrays.items()},
              HERE / "refuse_torch_five_layers.safetensors")


if __name__ == "__main__":
    main()
