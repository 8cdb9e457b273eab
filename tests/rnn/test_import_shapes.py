"""Models of every shape saved by PyTorch and Keras, and the torch ones exported to ONNX by
``torch.onnx.export`` (stacked, bidirectional, a loss at every step or one label per sequence),
run through the engine: loss, every layer's and direction's h, the LSTM's cell states and every
gradient equal the framework's forward pass and autograd
(``tests/rnn/data/frameworks/make_shape_fixtures.py``) to float32 precision."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from rnn import UnrolledError
from rnn.cells import Params
from rnn.data import embedding_gradient
from rnn.imports import load_model
from rnn.imports.weights import imported_text_model
from rnn.network import NetworkParams, NetworkTrace, Shape

DATA = Path(__file__).parent / "data" / "frameworks"
TEXT = "hello world"
CLASSES = ("farewell", "greeting", "question")  # the fixtures' label is "greeting"
SHAPES = {"l2": Shape(2, False, "every"), "l2_bi": Shape(2, True, "every"),
          "l3_bi_last": Shape(3, True, "last"), "l2_last": Shape(2, False, "last"),
          "l2_bi_last": Shape(2, True, "last"), "l3_last": Shape(3, False, "last")}
FIXTURES = sorted(p.name for p in DATA.glob("*_l[23]*") if p.suffix in (".safetensors",
                                                                         ".keras", ".onnx"))
RTOL, ATOL = 1e-4, 2e-6  # float32 frameworks against the float64 engine


def shape_of(name: str) -> Shape:
    return SHAPES[Path(name).stem.split("_", 2)[2]]


@pytest.fixture(scope="module", params=FIXTURES)
def run(request):
    """(fixture name, TextModel, NetworkTrace, the framework's expected numbers)."""
    name = request.param
    label = "greeting" if shape_of(name).task == "last" else None
    model = imported_text_model(DATA / name, TEXT, label=label)
    return name, model, model.trace(), np.load(DATA / name.replace(Path(name).suffix, ".npz"))


def test_every_fixture_is_there():
    assert len(FIXTURES) == 31  # 12 from torch, the same 12 exported to ONNX, 7 from Keras


def test_the_shape_is_read_from_the_file(run):
    name, model, trace, _ = run
    assert isinstance(model.params, NetworkParams) and isinstance(trace, NetworkTrace)
    assert model.shape == shape_of(name)
    assert model.cell == name.split("_")[1]
    assert model.classes == (CLASSES if model.shape.task == "last" else None)


def test_loss_every_state_and_the_label_equal_the_framework(run):
    name, model, trace, ref = run
    np.testing.assert_allclose(trace.loss, float(ref["loss"]), rtol=1e-5)
    np.testing.assert_array_equal(trace.targets, ref["target"])
    checked = 0
    for l, d in model.shape.slots:
        key = "l" + f"{l}" + ("_reverse" if d else "")
        np.testing.assert_allclose(trace.seq(l, d, "h"), ref[f"h:{key}"], rtol=RTOL, atol=ATOL)
        checked += 1
        if model.cell == "lstm":
            cell = trace.layer(l, d).parts["cell"]
            cell = cell if d == 0 else cell[::-1]
            np.testing.assert_allclose(cell, ref[f"cell:{key}"], rtol=RTOL, atol=ATOL)
    assert checked == len(model.shape.slots) == len([k for k in ref.files if k.startswith("h:")])


def ours(trace, theirs: str) -> np.ndarray:
    """The engine's gradient of torch's parameter ``theirs`` (the simple RNN's U = W_ih,
    W = W_hh, b = b_ih + b_hh: each torch bias's gradient is b's)."""
    if trace.kind == "rnn" and theirs[:2] in ("W_", "b_"):
        kind, part, rest = theirs.split("_", 2)
        theirs = {"W_ih": "U", "W_hh": "W", "b_ih": "b", "b_hh": "b"}[f"{kind}_{part}"] + \
            "_" + rest
    return trace.grads[theirs]


def test_every_gradient_equals_the_framework_autograd(run):
    name, model, trace, ref = run
    simple = model.cell == "rnn"
    expected = {k[5:]: ref[k] for k in ref.files if k.startswith("grad:")}
    for theirs, g in expected.items():
        if theirs == "embedding":
            ids = model.vocabulary.encode(TEXT)[:len(trace.X)]
            mine = embedding_gradient(ids, trace.input_errors, len(model.embedding))
        else:
            mine = ours(trace, theirs)
        np.testing.assert_allclose(mine, g, rtol=RTOL, atol=ATOL, err_msg=theirs)
    own = [n for n in trace.grads if not n.startswith(("h0", "cell0"))]
    per_slot = 3 if simple else 4  # every parameter the engine has was checked
    assert len(own) == per_slot * len(model.shape.slots) + 2
    assert len(expected) == 4 * len(model.shape.slots) + 2 + (model.embedding is not None)
    if "dL_dx" in ref.files:
        np.testing.assert_allclose(trace.input_errors, ref["dL_dx"], rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("name", [f"torch_{kind}_l2.{ext}" for kind in ("rnn", "lstm", "gru")
                                  for ext in ("safetensors", "onnx")])
def test_truncated_windows_equal_torch_with_detached_states(name):
    """Windows of 4 steps, every layer's states carried as constants, one SGD step each."""
    ref = np.load(DATA / f"{Path(name).stem}.npz")
    traces = imported_text_model(DATA / name, TEXT).windows(4)
    assert [t.T for t in traces] == [4, 4, 2]
    for i, trace in enumerate(traces):
        np.testing.assert_allclose(trace.loss, float(ref[f"window{i}:loss"]), rtol=1e-5)
        prefix = f"window{i}:grad:"
        expected = [k for k in ref.files if k.startswith(prefix)]
        assert len(expected) == 4 * 2 + 2
        for key in expected:
            np.testing.assert_allclose(ours(trace, key[len(prefix):]), ref[key], rtol=RTOL,
                                       atol=ATOL, err_msg=f"window {i}: {key}")


def test_a_one_layer_character_model_stays_on_the_one_layer_engine():
    model = imported_text_model(DATA / "torch_lstm.safetensors", TEXT)
    assert type(model.params) is Params and model.classes is None


def test_a_state_dict_reads_one_label_when_its_classes_are_named(tmp_path):
    """The rule: a torch head fits every step and h_n alike; class names choose h_n."""
    path = Path(shutil.copy(DATA / "torch_gru_l2_last.safetensors", tmp_path / "m.safetensors"))
    shutil.copy(DATA / "vocab.json", tmp_path)
    with pytest.raises(UnrolledError, match="3 outputs but the vocabulary has 8"):
        load_model(path)
    by_option = imported_text_model(path, TEXT, label="greeting", classes=",".join(CLASSES))
    (tmp_path / "m.classes.json").write_text(json.dumps(list(CLASSES)))
    beside = imported_text_model(path, TEXT, label="greeting")
    expected = float(np.load(DATA / "torch_gru_l2_last.npz")["loss"])
    for model in (by_option, beside):
        assert model.shape == Shape(2, False, "last") and model.classes == CLASSES
        np.testing.assert_allclose(model.trace().loss, expected, rtol=1e-5)
    with pytest.raises(UnrolledError, match="3 outputs but 2 classes are named"):
        load_model(path, classes="yes,no")


@pytest.mark.parametrize("label, words", [(None, r"give the text's --label \(one of farewell"),
                                          ("hello", "'hello' is not one of the classes")])
def test_a_one_label_model_needs_its_label(label, words):
    with pytest.raises(UnrolledError, match=words):
        imported_text_model(DATA / "keras_lstm_l3_last.keras", TEXT, label=label)


def test_a_character_model_takes_no_label():
    with pytest.raises(UnrolledError, match="predicts the next character"):
        imported_text_model(DATA / "torch_lstm.safetensors", TEXT, label="greeting")


def test_a_classes_file_must_be_a_list_of_distinct_names(tmp_path):
    path = Path(shutil.copy(DATA / "keras_rnn_l2_bi_last.keras", tmp_path / "m.keras"))
    shutil.copy(DATA / "vocab.json", tmp_path)
    for text, words in (('"abc"', "a JSON list"), ('["a", "a", "b"]', "repeats 'a'")):
        (tmp_path / "m.classes.json").write_text(text)
        with pytest.raises(UnrolledError, match=words):
            load_model(path)


def state_dict(layers: int, bias: bool) -> dict[str, np.ndarray]:
    """An nn.LSTM(8, 2, num_layers=layers, bidirectional=True, bias=bias) and a Linear head."""
    rng = np.random.default_rng(layers)
    out = {}
    for l in range(layers):
        for end in ("", "_reverse"):
            out[f"rnn.weight_ih_l{l}{end}"] = rng.normal(size=(8, 8 if l == 0 else 4))
            out[f"rnn.weight_hh_l{l}{end}"] = rng.normal(size=(8, 2))
            if bias:
                out[f"rnn.bias_ih_l{l}{end}"] = rng.normal(size=8)
                out[f"rnn.bias_hh_l{l}{end}"] = rng.normal(size=8)
    out.update({"head.weight": rng.normal(size=(8, 4)), "head.bias": rng.normal(size=8)})
    return out


def test_four_layers_both_ways_are_read_and_five_refused(tmp_path):
    from tests.cli.test_cli_imports import write_safetensors

    four = load_model(write_safetensors(tmp_path / "four.safetensors", state_dict(4, False)))
    assert four.shape == Shape(4, True, "every") and len(four.stack) == 8
    assert not np.any(four.stack[(3, 1)]["b_hh"])  # bias=False: zero biases
    with pytest.raises(UnrolledError, match="has 5 layers"):
        load_model(write_safetensors(tmp_path / "five.safetensors", state_dict(5, True)))
