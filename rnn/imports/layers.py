"""Which registered cell runs a framework's recurrent layer: one explicit table, never a count.

Each line names a framework's layer class, the settings it must have and the cell that runs it.
A torch ``state_dict`` does not name its layer's class, but torch fixes its weights' shapes by
class: ``weight_ih_l0`` is (G*H, D) with G = 1 for ``nn.RNN``, 3 for ``nn.GRU``, 4 for
``nn.LSTM``; ``blocks`` is that G. A layer no line fits is refused in one line: registering a
cell with four gates does not make ``nn.LSTM`` files its own. A new framework layer is one line.
"""

from __future__ import annotations

from dataclasses import dataclass

from rnn.errors import UnrolledError


@dataclass(frozen=True)
class Layer:
    """A framework's recurrent layer with given settings, and the cell that runs it."""

    framework: str  # "torch", "keras" or "onnx"
    cls: str  # the framework's class or operator: "nn.LSTM", "GRU"
    blocks: int  # G: its weights hold G blocks of H rows (torch) or columns (Keras)
    cell: str  # the registered cell that runs it
    settings: tuple[tuple[str, object], ...] = ()  # what its config must say, e.g. reset_after


GATED = (("activation", "tanh"), ("recurrent_activation", "sigmoid"))  # Keras' LSTM, GRU

LAYERS = (
    Layer("torch", "nn.RNN", 1, "rnn", (("nonlinearity", "tanh"),)),
    Layer("torch", "nn.RNN", 1, "rnn-relu", (("nonlinearity", "relu"),)),
    Layer("torch", "nn.GRU", 3, "gru"),
    Layer("torch", "nn.LSTM", 4, "lstm"),
    Layer("keras", "SimpleRNN", 1, "rnn", (("activation", "tanh"),)),
    Layer("keras", "SimpleRNN", 1, "rnn-relu", (("activation", "relu"),)),
    Layer("keras", "LSTM", 4, "lstm", GATED),
    # reset_after=True: r multiplies W_hn h + b_hn, as torch's nn.GRU; False: r multiplies h first
    Layer("keras", "GRU", 3, "gru", (*GATED, ("reset_after", True))),
    Layer("keras", "GRU", 3, "cho-gru", (*GATED, ("reset_after", False))),
    # ONNX operators (clip, input_forget, ... are checked by rnn.imports.onnx_layout)
    Layer("onnx", "RNN", 1, "rnn", (("activations", ("Tanh",)),)),
    Layer("onnx", "RNN", 1, "rnn-relu", (("activations", ("Relu",)),)),
    # an LSTM operator with nonzero peephole weights P is the peephole LSTM (Gers et al.)
    Layer("onnx", "LSTM", 4, "lstm", (("activations", ("Sigmoid", "Tanh", "Tanh")),
                                      ("peepholes", False))),
    Layer("onnx", "LSTM", 4, "peephole", (("activations", ("Sigmoid", "Tanh", "Tanh")),
                                          ("peepholes", True))),
    # linear_before_reset = 1 is torch's GRU; 0, the operator's default, Cho et al.'s
    Layer("onnx", "GRU", 3, "gru", (("activations", ("Sigmoid", "Tanh")),
                                    ("linear_before_reset", 1))),
    Layer("onnx", "GRU", 3, "cho-gru", (("activations", ("Sigmoid", "Tanh")),
                                        ("linear_before_reset", 0))),
)

# What a setting is when a file leaves it out (torch's metadata; Keras 3's defaults; an ONNX
# operator's default activations are its own, filled in by rnn.imports.onnx_layout).
DEFAULTS = {"torch": {"nonlinearity": "tanh"},
            "keras": {"activation": "tanh", "recurrent_activation": "sigmoid",
                      "reset_after": True}}


def classes(framework: str) -> tuple[str, ...]:
    """The layer classes of ``framework`` that the table maps, in its order."""
    return tuple(dict.fromkeys(lay.cls for lay in LAYERS if lay.framework == framework))


def torch_class(blocks: int) -> str | None:
    """The torch class whose weights hold ``blocks`` blocks, or None."""
    return next((lay.cls for lay in LAYERS if lay.framework == "torch" and lay.blocks == blocks),
                None)


def _setting(key: str, value) -> str:
    return f"{key}={value}" if isinstance(value, bool) else f"{key} {value!r}"


def find_layer(framework: str, cls: str, config: dict) -> Layer:
    """The table's line for a ``cls`` layer of ``framework`` with ``config``, or one
    UnrolledError naming the first setting that no line of the class has."""
    lines = [lay for lay in LAYERS if lay.framework == framework and lay.cls == cls]
    if not lines:
        raise UnrolledError(f"{cls} layers cannot be drawn; the {framework} layers that can are "
                            f"{', '.join(classes(framework))}")
    defaults = DEFAULTS.get(framework, {})
    value = {key: config.get(key, defaults.get(key)) for lay in lines for key, _ in lay.settings}
    for lay in lines:
        if all(value[key] == wanted for key, wanted in lay.settings):
            return lay
    for key in value:
        wanted = [w for lay in lines for k, w in lay.settings if k == key]
        if value[key] not in wanted:
            allowed = " or ".join(_setting(key, w) for w in dict.fromkeys(wanted))
            raise UnrolledError(f"{cls} layers are drawn with {allowed}, not "
                                f"{_setting(key, value[key])}")
    settings = ", ".join(_setting(key, v) for key, v in value.items())
    raise UnrolledError(f"no {cls} layer with {settings} together can be drawn")
