"""Make the framework fixtures: small character models saved by PyTorch and Keras themselves,
with the frameworks' own forward pass and autograd results beside them.

The test suite needs neither framework: it reads the files written here. Run this script in a
separate environment that has them (CPU builds are enough)::

    python -m venv /tmp/frameworks
    /tmp/frameworks/bin/pip install torch==2.13.0 safetensors keras "jax[cpu]" h5py
    KERAS_BACKEND=jax /tmp/frameworks/bin/python tests/rnn/data/frameworks/make_fixtures.py

For every model ``NAME`` it writes ``NAME.safetensors`` (torch) or ``NAME.keras`` and
``NAME.npz``: ``loss`` (summed cross-entropy of next-character prediction on ``TEXT``), ``h``
(T, H) every hidden state, ``cell`` (T, H) the LSTM's cell states, and ``grad:<name>`` the
gradient of the loss for every weight in torch's layout (``W_ih``, ``W_hh``, ``b_ih``, ``b_hh``,
``V``, ``c``, ``embedding``), plus ``dL_dx`` (T, D) for the models fed one-hot rows. The
refusal fixtures (``refuse_*``) are models the importer must refuse, saved the same way.
``make_shape_fixtures.py`` adds the stacked, bidirectional and one-label models.
``versions.json`` records the frameworks that made them; ``vocab.json`` the vocabulary.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_shape_fixtures  # noqa: E402

HERE = Path(__file__).resolve().parent
TEXT = "hello world"  # 11 characters: 10 steps of next-character prediction
VOCAB = sorted(set(TEXT))  # 8 characters, in index order
HIDDEN = 5
EMBED = 4
torch.set_num_threads(1)


def ids(text: str) -> np.ndarray:
    return np.array([VOCAB.index(ch) for ch in text], dtype=np.int64)


INPUTS, TARGETS = ids(TEXT)[:-1], ids(TEXT)[1:]


# PyTorch -------------------------------------------------------------------------------
class TorchChar(torch.nn.Module):
    """[Embedding] -> one recurrent layer -> Linear, under names a user might pick."""

    def __init__(self, kind: str, embed: bool, names: tuple[str, str, str], **rnn_kwargs):
        super().__init__()
        self.names = names
        size = EMBED if embed else len(VOCAB)
        cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
        if embed:
            setattr(self, names[0], torch.nn.Embedding(len(VOCAB), EMBED))
        setattr(self, names[1], cls(size, HIDDEN, batch_first=True, **rnn_kwargs))
        setattr(self, names[2], torch.nn.Linear(HIDDEN, len(VOCAB)))
        self.embed = embed

    def inputs(self) -> torch.Tensor:
        if self.embed:
            return getattr(self, self.names[0])(torch.from_numpy(INPUTS))  # (T, E)
        x = torch.nn.functional.one_hot(torch.from_numpy(INPUTS), len(VOCAB)).float()
        return x.requires_grad_(True)  # (T, V): its gradient is dL/dx(t)

    def forward(self, x):
        out, _ = getattr(self, self.names[1])(x[None])  # (1, T, H)
        return out[0], getattr(self, self.names[2])(out[0])


def torch_cell_states(rnn: torch.nn.LSTM, x: torch.Tensor) -> np.ndarray:
    """(T, H) cell states, one step at a time: nn.LSTM returns only the last one."""
    state, cells = None, []
    with torch.no_grad():
        for t in range(len(x)):
            _, state = rnn(x[None, t:t + 1], state)
            cells.append(state[1][0, 0].numpy().copy())
    return np.stack(cells)


def torch_fixture(name: str, kind: str, embed: bool, names, seed: int, metadata=None,
                  **rnn_kwargs) -> None:
    torch.manual_seed(seed)
    model = TorchChar(kind, embed, names, **rnn_kwargs)
    x = model.inputs()
    h, logits = model(x)
    loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(TARGETS), reduction="sum")
    loss.backward()
    out = {"loss": np.float64(loss.item()), "h": h.detach().numpy()}
    emb, rnn, head = names
    torch_names = {"W_ih": f"{rnn}.weight_ih_l0", "W_hh": f"{rnn}.weight_hh_l0",
                   "b_ih": f"{rnn}.bias_ih_l0", "b_hh": f"{rnn}.bias_hh_l0",
                   "V": f"{head}.weight", "c": f"{head}.bias"}
    if embed:
        torch_names["embedding"] = f"{emb}.weight"
    params = dict(model.named_parameters())
    for ours, theirs in torch_names.items():
        out[f"grad:{ours}"] = params[theirs].grad.numpy()
    if not embed:
        out["dL_dx"] = x.grad.numpy()
    if kind == "lstm":
        out["cell"] = torch_cell_states(getattr(model, rnn), x.detach())
    save_file({k: v.contiguous() for k, v in model.state_dict().items()},
              HERE / f"{name}.safetensors", metadata=metadata)
    np.savez(HERE / f"{name}.npz", **out)


def torch_refusal(name: str, kind: str, **rnn_kwargs) -> None:
    torch.manual_seed(0)
    model = TorchChar(kind, False, ("embedding", "rnn", "head"), **rnn_kwargs)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()},
              HERE / f"{name}.safetensors")


# Keras ---------------------------------------------------------------------------------
def keras_model(kind: str, embed: bool, seed: int, **rnn_kwargs) -> keras.Sequential:
    keras.utils.set_random_seed(seed)
    cls = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[kind]
    rnn_kwargs.setdefault("return_sequences", True)
    layers = [keras.Input(shape=(None,), dtype="int32") if embed
              else keras.Input(shape=(None, len(VOCAB)))]
    if embed:
        layers.append(keras.layers.Embedding(len(VOCAB), EMBED))
    layers += [cls(HIDDEN, **rnn_kwargs), keras.layers.Dense(len(VOCAB))]
    model = keras.Sequential(layers)
    # random biases, so that a bias read into the wrong place shows (Keras starts them at 0)
    rng = np.random.default_rng(seed)
    for var in model.weights:
        if var.path.endswith("bias"):
            var.assign(rng.uniform(-0.5, 0.5, var.shape).astype("float32"))
    return model


def keras_inputs(embed: bool) -> np.ndarray:
    if embed:
        return INPUTS[None].astype("int32")  # (1, T)
    return np.eye(len(VOCAB), dtype="float32")[INPUTS][None]  # (1, T, V)


def keras_to_torch(kind: str, grads: dict[str, np.ndarray], H: int,
                   reset_after: bool = True) -> dict[str, np.ndarray]:
    """Gradients of the Keras variables, renamed and laid out as torch's parameters.

    Keras stores kernels transposed (D, G*H); its LSTM gates are i, f, c, o (torch's i, f, g,
    o), its GRU's z, r, h (torch's r, z, n), and one bias where torch has two: the gradient of
    each torch bias is then that of the Keras bias (both enter the same sum).
    """
    kernel, recurrent, bias = grads["kernel"], grads["recurrent_kernel"], grads["bias"]
    if kind == "gru":
        def reorder(m):  # last axis blocks z, r, h -> r, z, n
            z, r, hh = (m[..., k * H:(k + 1) * H] for k in range(3))
            return np.concatenate([r, z, hh], axis=-1)
        kernel, recurrent, bias = reorder(kernel), reorder(recurrent), reorder(bias)
        if reset_after:  # input-side and recurrent-side biases
            b_ih, b_hh = bias[0], bias[1]
        else:  # one bias; the importer's b_hh = 0 enters every gate's sum beside it
            b_ih = b_hh = bias
    else:
        b_ih = b_hh = bias
    out = {"W_ih": kernel.T, "W_hh": recurrent.T, "b_ih": b_ih, "b_hh": b_hh,
           "V": grads["dense_kernel"].T, "c": grads["dense_bias"]}
    if "embeddings" in grads:
        out["embedding"] = grads["embeddings"]
    return out


def keras_fixture(name: str, kind: str, embed: bool, seed: int, **rnn_kwargs) -> None:
    model = keras_model(kind, embed, seed, **rnn_kwargs)
    x = keras_inputs(embed)
    rnn = next(layer for layer in model.layers if isinstance(layer, keras.layers.RNN))
    dense = model.layers[-1]

    def loss_of(trainable, inputs):
        logits, _ = model.stateless_call(trainable, [v.value for v in model.non_trainable_variables],
                                         inputs)
        logp = jax.nn.log_softmax(logits[0], axis=-1)
        return -jnp.sum(logp[jnp.arange(len(TARGETS)), TARGETS])

    trainable = [v.value for v in model.trainable_variables]
    argnums = 0 if embed else (0, 1)  # integer ids have no gradient
    loss, grads = jax.value_and_grad(loss_of, argnums=argnums)(trainable, x)
    grads, dx = (grads, None) if embed else grads
    by_name = {}
    for var, grad in zip(model.trainable_variables, grads):
        short = var.path.rsplit("/", 1)[-1]
        owner = "dense_" if any(var is w for w in dense.trainable_variables) else ""
        by_name[owner + short] = np.asarray(grad)
    hidden_model = keras.Model(model.inputs, rnn.output)
    out = {"loss": np.float64(loss), "h": np.asarray(hidden_model(x))[0]}
    reset_after = rnn_kwargs.get("reset_after", True)
    for ours, g in keras_to_torch(kind, by_name, HIDDEN, reset_after).items():
        out[f"grad:{ours}"] = g
    if not embed:
        out["dL_dx"] = np.asarray(dx)[0]
    if kind == "lstm":
        seq = model.layers[0](x) if embed else x  # (1, T, E or V)
        states = [np.zeros((1, HIDDEN), "float32")] * 2
        cells = []
        for t in range(seq.shape[1]):
            _, states = rnn.cell(seq[:, t], states)
            cells.append(np.asarray(states[1])[0])
        out["cell"] = np.stack(cells)
    model.save(HERE / f"{name}.keras")
    np.savez(HERE / f"{name}.npz", **out)


def reset_before_fixtures() -> None:
    """Keras GRU(reset_after=False), Cho et al.'s GRU (the importer's cell cho-gru)."""
    for embed in (False, True):
        keras_fixture(f"keras_gru_reset_before{'_embed' if embed else ''}", "gru", embed,
                      seed=40 + embed, reset_after=False)


def keras_refusal(name: str, layers) -> None:
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(None, len(VOCAB))), *layers,
                              keras.layers.Dense(len(VOCAB))])
    model.save(HERE / f"{name}.keras")


def main() -> None:
    torch_names = (("embedding", "rnn", "head"), ("encoder.emb", "core", "decoder"))
    for n, kind in enumerate(("rnn", "lstm", "gru")):
        for embed in (False, True):
            names = torch_names[embed]
            suffix = "_embed" if embed else ""
            torch_fixture(f"torch_{kind}{suffix}", kind, embed, names, seed=10 + n)
            keras_fixture(f"keras_{kind}{suffix}", kind, embed, seed=20 + n)
        if kind == "rnn":  # nn.RNN(nonlinearity="relu"): a state_dict alone cannot say so
            for embed in (False, True):
                torch_fixture(f"torch_rnn_relu{'_embed' if embed else ''}", "rnn", embed,
                              torch_names[embed], seed=30 + embed,
                              metadata={"nonlinearity": "relu"}, nonlinearity="relu")

    reset_before_fixtures()
    # a bidirectional GRU whose head reads H units: not both directions' 2H
    torch_refusal("refuse_torch_bidirectional", "gru", bidirectional=True)
    torch_refusal("refuse_torch_proj_size", "lstm", proj_size=2)
    torch.manual_seed(0)
    torch.save(TorchChar("lstm", False, ("embedding", "rnn", "head")).state_dict(),
               HERE / "refuse_pickle.pt")
    L = keras.layers
    keras_refusal("refuse_keras_hard_sigmoid",
                  [L.LSTM(HIDDEN, recurrent_activation="hard_sigmoid", return_sequences=True)])
    keras_refusal("refuse_keras_last_step", [L.LSTM(HIDDEN)])  # with no class names beside
    make_shape_fixtures.main()  # stacked and bidirectional models, and their refusals

    (HERE / "vocab.json").write_text(json.dumps("".join(VOCAB)) + "\n")
    versions = {"torch": torch.__version__, "keras": keras.__version__,
                "jax": jax.__version__, "numpy": np.__version__,
                "python": platform.python_version(), "text": TEXT}
    (HERE / "versions.json").write_text(json.dumps(versions, indent=2, sort_keys=True) + "\n")
    print(f"fixtures written to {HERE.name}/ with {versions}", file=sys.stderr)


if __name__ == "__main__":
    main()
