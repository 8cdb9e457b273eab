"""Models trained in PyTorch and Keras, imported and run by the engine, against the frameworks'
own forward pass and autograd (the fixtures ``tests/rnn/data/frameworks/*.npz``, made by
``make_fixtures.py`` with the frameworks themselves; they compute in float32).

The ReLU simple RNN (``torch_rnn_relu*``, torch's ``nn.RNN(nonlinearity="relu")``) is the
registered cell ``rnn-relu``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rnn import UnrolledError
from rnn.engine import run as run_engine
from rnn.imports import load_model
from rnn.imports.adapter import embedding_gradient, input_errors, inputs, to_engine

DATA = Path(__file__).parent / "data" / "frameworks"
TEXT = json.loads((DATA / "versions.json").read_text())["text"]
MODELS = [f"{fw}_{cell}{embed}" for fw in ("torch", "keras") for cell in ("rnn", "lstm", "gru")
          for embed in ("", "_embed")] + ["torch_rnn_relu", "torch_rnn_relu_embed",
                                          "keras_gru_reset_before", "keras_gru_reset_before_embed"]
SUFFIX = {"torch": ".safetensors", "keras": ".keras"}
# Engine gradient -> the torch name it is compared with (the simple RNN's b is b_ih + b_hh,
# so its gradient is each bias's).
SIMPLE = {"W_ih": "U", "W_hh": "W", "b_ih": "b", "b_hh": "b", "V": "V", "c": "c"}
GATED = {k: k for k in SIMPLE}


def model_file(name: str) -> Path:
    return DATA / (name + SUFFIX[name.split("_")[0]])


def close(ours: np.ndarray, theirs: np.ndarray, rtol: float = 1e-5) -> None:
    """Equal to float32 precision, relative to the array's scale."""
    assert ours.shape == theirs.shape
    scale = max(float(np.abs(theirs).max()), 1e-6)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=rtol * scale)


@pytest.fixture(scope="module", params=MODELS)
def run(request):
    name = request.param
    model = load_model(model_file(name))
    params = to_engine(model)
    X, y = inputs(model, TEXT)
    return name, model, run_engine(params, X, y), np.load(DATA / f"{name}.npz")


def test_the_cell_is_read_from_the_file(run):
    name, model, trace, _ref = run
    cell = name.split("_")[1]
    assert model.cell == ("rnn-relu" if "_relu" in name else
                          "cho-gru" if "_reset_before" in name else cell)
    assert model.framework == name.split("_")[0]
    assert (model.embedding is not None) == name.endswith("_embed")
    assert "".join(model.vocabulary.chars) == json.loads((DATA / "vocab.json").read_text())


def test_loss_and_every_hidden_state_equal_the_framework(run):
    _name, _model, trace, ref = run
    assert trace.loss == pytest.approx(float(ref["loss"]), rel=1e-5)
    close(trace.h, ref["h"])
    if "cell" in ref:
        close(trace.cell, ref["cell"])


def test_gradients_equal_the_framework_autograd(run):
    name, model, trace, ref = run
    names = SIMPLE if model.cell in ("rnn", "rnn-relu") else GATED
    for theirs, ours in names.items():
        close(trace.grads[ours], ref[f"grad:{theirs}"])
    if model.embedding is not None:
        close(embedding_gradient(model, TEXT, trace), ref["grad:embedding"])
    else:  # one-hot inputs: the framework's gradient of its input tensor
        close(input_errors(trace), ref["dL_dx"])


def test_an_embedding_feeds_its_rows_as_inputs():
    model = load_model(model_file("torch_lstm_embed"))
    X, y = inputs(model, TEXT)
    ids = model.vocabulary.encode(TEXT)
    assert X.shape == (len(TEXT) - 1, model.embedding.shape[1])
    np.testing.assert_array_equal(X[3], model.embedding[ids[3]])
    np.testing.assert_array_equal(y, ids[1:])


def test_a_relu_rnn_runs_as_the_registered_relu_cell():
    model = load_model(DATA / "torch_rnn_relu.safetensors")
    params = to_engine(model)
    trace = run_engine(params, *inputs(model, TEXT))
    assert params.kind == "rnn-relu" and (trace.h == 0).any()  # units off: not a tanh
    np.testing.assert_array_equal(trace.h, np.maximum(trace.a, 0.0))


def test_keras_gru_blocks_are_reordered_to_torch():
    """Keras GRU blocks z, r, h become torch's r, z, n; its bias rows become b_ih and b_hh."""
    import io
    import zipfile

    import h5py

    with zipfile.ZipFile(model_file("keras_gru")) as zf:
        h5 = h5py.File(io.BytesIO(zf.read("model.weights.h5")))
        kernel = h5["layers/gru/cell/vars/0"][()]
        bias = h5["layers/gru/cell/vars/2"][()]
    model = load_model(model_file("keras_gru"))
    H = model.hidden_size
    np.testing.assert_array_equal(model.W_ih[:H], kernel[:, H:2 * H].T)  # r
    np.testing.assert_array_equal(model.W_ih[H:2 * H], kernel[:, :H].T)  # z
    np.testing.assert_array_equal(model.b_hh[2 * H:], bias[1, 2 * H:])  # n's recurrent bias


def _as_half(tmp_path, dtype: str) -> Path:
    """The GRU fixture rewritten with 16-bit floats (F16, or BF16: a float32's top 16 bits)."""
    import struct

    raw = (DATA / "torch_gru.safetensors").read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    entries, blobs, offset = {}, [], 0
    for name, info in header.items():
        b, e = info["data_offsets"]
        a = np.frombuffer(raw[8 + n + b:8 + n + e], "<f4")
        data = (a.astype("<f2").tobytes() if dtype == "F16"
                else (a.view("<u4") >> 16).astype("<u2").tobytes())
        entries[name] = {"dtype": dtype, "shape": info["shape"],
                         "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(entries).encode()
    path = tmp_path / "half.safetensors"
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    return path


# the BF16 file is written by truncating float32 (errors up to 2^-7), F16 by rounding
@pytest.mark.parametrize("dtype, rtol", [("F16", 2**-11), ("BF16", 2**-7)])
def test_16_bit_weights_become_float64(tmp_path, dtype, rtol):
    full = load_model(model_file("torch_gru"))
    half = load_model(_as_half(tmp_path, dtype), vocab="".join(full.vocabulary.chars))
    assert half.W_hh.dtype == np.float64
    for name in ("W_ih", "W_hh", "b_ih", "b_hh", "V", "c"):
        ours, theirs = getattr(half, name), getattr(full, name)
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=1e-7)
        assert not np.array_equal(ours, theirs)  # rounded, so it really went through 16 bits


def test_vocabulary_beside_the_model_by_name_first(tmp_path):
    import shutil

    target = tmp_path / "char.safetensors"
    shutil.copy(model_file("torch_gru"), target)
    (tmp_path / "vocab.json").write_text(json.dumps(list("abcdefgh")))
    assert "".join(load_model(target).vocabulary.chars) == "abcdefgh"
    (tmp_path / "char.vocab.json").write_text(json.dumps(" dehlorw"))
    assert "".join(load_model(target).vocabulary.chars) == " dehlorw"
    (tmp_path / "char.vocab.json").write_text(json.dumps(["ab", "c"]))
    with pytest.raises(UnrolledError, match="single character"):
        load_model(target)


def test_an_embedding_models_traces_name_their_input_characters():
    from rnn.imports.adapter import text_model

    model = load_model(model_file("keras_gru_embed"))
    built = text_model(model, TEXT)
    assert "".join(built.trace().input_chars()) == TEXT[:-1]
    windows = built.windows(4)
    assert "".join(c for w in windows for c in w.input_chars()) == TEXT[:-1]
    # the one-hot rule would not do: an embedding row's argmax is not its character
    assert [int(i) for i in built.X.argmax(axis=1)] != model.vocabulary.encode(TEXT)[:-1].tolist()
