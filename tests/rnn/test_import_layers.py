"""A framework's layer maps to a cell by the table of ``rnn.imports.layers``, never by counting
gates: a cell registered with as many gates as the LSTM leaves ``nn.LSTM`` files to ``lstm``."""

from __future__ import annotations

from pathlib import Path

import pytest

from rnn import UnrolledError
from rnn.cells import get_cell, register, unregister
from rnn.cells.lstm import LSTM
from rnn.imports import load_model
from rnn.imports.layers import LAYERS, find_layer
from rnn.imports.torch_layout import find_layout

DATA = Path(__file__).parent / "data" / "frameworks"


class FourGates(LSTM):
    """Another cell with four gate blocks, registered after the LSTM (as a peephole LSTM is)."""

    name = "four-gates-test"


@pytest.fixture
def four_gates():
    cell = register(FourGates())
    yield cell
    unregister(cell.name)


@pytest.mark.parametrize("name", ["torch_lstm.safetensors", "torch_lstm_embed.safetensors",
                                  "keras_lstm.keras", "torch_lstm.onnx"])
def test_a_second_four_gate_cell_leaves_lstm_files_to_the_lstm(four_gates, name):
    assert len(four_gates.gates) == len(get_cell("lstm").gates)
    assert load_model(DATA / name).cell == "lstm"


@pytest.mark.parametrize("layer", LAYERS, ids=lambda lay: f"{lay.framework}-{lay.cell}")
def test_every_line_names_a_registered_cell_with_its_blocks(layer):
    cell = get_cell(layer.cell)
    assert max(len(cell.gates), 1) == layer.blocks


@pytest.mark.parametrize("framework, cls, config, cell", [
    ("torch", "nn.RNN", {}, "rnn"),
    ("torch", "nn.RNN", {"nonlinearity": "relu"}, "rnn-relu"),
    ("torch", "nn.LSTM", {"nonlinearity": "relu"}, "lstm"),  # nn.RNN's setting only
    ("keras", "SimpleRNN", {"activation": "relu"}, "rnn-relu"),
    ("keras", "GRU", {}, "gru"),  # Keras 3's default: reset_after=True
    ("keras", "GRU", {"reset_after": True, "activation": "tanh"}, "gru"),
    ("keras", "GRU", {"reset_after": False}, "cho-gru"),  # the reset gate before W_hn
    ("onnx", "RNN", {"activations": ("Relu",)}, "rnn-relu"),
    ("onnx", "LSTM", {"activations": ("Sigmoid", "Tanh", "Tanh"), "peepholes": False}, "lstm"),
    ("onnx", "LSTM", {"activations": ("Sigmoid", "Tanh", "Tanh"), "peepholes": True},
     "peephole"),
])
def test_a_layer_maps_to_the_cell_of_its_line(framework, cls, config, cell):
    assert find_layer(framework, cls, config).cell == cell


@pytest.mark.parametrize("framework, cls, config, words", [
    ("keras", "SimpleRNN", {"activation": "sigmoid"},
     "drawn with activation 'tanh' or activation 'relu', not activation 'sigmoid'"),
    ("keras", "ConvLSTM2D", {}, "ConvLSTM2D layers cannot be drawn"),
    ("torch", "nn.RNN", {"nonlinearity": "sigmoid"}, "not nonlinearity 'sigmoid'"),
    ("onnx", "GRU", {"activations": ("HardSigmoid", "Tanh")}, "not activations"),
])
def test_a_layer_no_line_fits_is_refused(framework, cls, config, words):
    with pytest.raises(UnrolledError, match=words):
        find_layer(framework, cls, config)


def test_a_torch_layer_of_two_blocks_is_refused_not_guessed(four_gates):
    shapes = {"rnn.weight_ih_l0": (10, 8), "rnn.weight_hh_l0": (10, 5), "head.weight": (8, 5)}
    with pytest.raises(UnrolledError, match=r"nn.RNN \(H\), nn.GRU \(3H\) or nn.LSTM \(4H\)"):
        find_layout(shapes, {})
    shapes = {"rnn.weight_ih_l0": (20, 8), "rnn.weight_hh_l0": (20, 5), "head.weight": (8, 5)}
    assert find_layout(shapes, {}).cell == "lstm"
