"""An imported model handed to the engine: the one place that knows its parameter layout.

The simple RNN (``rnn.cells.simple``) has one bias b where torch has two: b = b_ih + b_hh
enters the same sum. The gated engines take torch's layout as it is. x(t) is the character's
one-hot row, or its embedding row when the model has an embedding (the engines accept real
inputs). The error reaching x(t) is ``W_ih^T dL/dpre(t)`` (``U^T dL/da(t)`` for the simple
RNN); summed over the steps that read a character, it is the gradient of its embedding row.
"""

from __future__ import annotations

import numpy as np

from rnn.cells import Params, get_cell
from rnn.data import embedding_gradient as rows_gradient
from rnn.data import class_index, one_hot
from rnn.errors import UnrolledError
from rnn.imports.model import ImportedModel
from rnn.network import NetworkParams, suffix


def to_engine(model: ImportedModel) -> Params:
    """The engine's parameters of ``model``: torch's layout as it is for a gated cell (with the
    cell's own arrays, a peephole LSTM's P); the simple RNN's one bias b = b_ih + b_hh (both
    enter the same sum)."""
    if not get_cell(model.cell).gates:  # a simple RNN, tanh or ReLU
        return Params(model.cell, U=model.W_ih, W=model.W_hh, V=model.V,
                      b=model.b_ih + model.b_hh, c=model.c)
    return Params(model.cell, W_ih=model.W_ih, W_hh=model.W_hh, b_ih=model.b_ih,
                  b_hh=model.b_hh, V=model.V, c=model.c, **model.extra)


def to_network(model: ImportedModel) -> NetworkParams:
    """The network's parameters of ``model`` (any shape), named as ``rnn.network`` names them:
    each layer direction's arrays as ``to_engine`` gives one layer's, with torch's suffix."""
    simple = not get_cell(model.cell).gates
    arrays = {"V": model.V, "c": model.c}
    for slot, own in model.stack.items():
        if simple:
            own = {"U": own["W_ih"], "W": own["W_hh"], "b": own["b_ih"] + own["b_hh"]}
        arrays.update({name + suffix(*slot): a for name, a in own.items()})
    return NetworkParams(model.cell, model.shape, arrays)


def inputs(model: ImportedModel, text: str) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)`` of next-character prediction on ``text``: X (T, D) one-hot or embedding rows,
    y (T,) the next characters' indices."""
    if len(text) < 2:
        raise UnrolledError("the text needs at least two characters (an input and its next one)")
    ids = model.vocabulary.encode(text)  # (T + 1,)
    if model.embedding is None:
        return one_hot(ids[:-1], len(model.vocabulary)), ids[1:]
    return model.embedding[ids[:-1]].copy(), ids[1:]  # (T, E)


def input_errors(trace) -> np.ndarray:
    """(T, D) dL/dx(t), the error reaching each input, from the errors the trace recorded."""
    return trace.input_errors()


def embedding_gradient(model: ImportedModel, text: str, trace) -> np.ndarray:
    """(V_in, D) dL/d(embedding): each step's input error added to the row it read."""
    if model.embedding is None:
        raise UnrolledError("the model has no embedding")
    return rows_gradient(model.vocabulary.encode(text)[:-1], input_errors(trace),
                         len(model.embedding))


def text_model(model: ImportedModel, text: str, seed: int = 0, label: str | None = None):
    """The TextModel of ``model`` on ``text``, as the commands build from a checkpoint; its
    traces record each step's input character (an embedding row does not say it). A model of
    one label per sequence reads every character of ``text``, and ``label`` is its class."""
    from rnn.config import RNNConfig
    from rnn.model import TextModel

    if not model.shape.plain:
        return _network_model(model, text, seed, label)
    if label is not None:
        raise UnrolledError(f"--label {label}: the model predicts the next character at every "
                            "step; a label is for a model that reads one per sequence")
    params = to_engine(model)
    X, y = inputs(model, text)
    ids = model.vocabulary.encode(text)[:-1].tolist()  # (T,) what each x(t) stands for
    config = None
    if params.spec.takes_config:
        config = RNNConfig(input_size=params.input_size, hidden=params.hidden_size,
                           output_size=params.output_size, seed=seed)
    return TextModel(params, model.vocabulary, text, X, y, config, seed, input_ids=ids,
                     embedding=model.embedding)


def _network_model(model: ImportedModel, text: str, seed: int, label: str | None):
    """The TextModel of a stacked, bidirectional or one-label model (``rnn.network``)."""
    from rnn.model import TextModel

    if model.classes is None:
        X, y = inputs(model, text)
        ids = model.vocabulary.encode(text)[:-1]
    else:
        if label is None:
            raise UnrolledError(f"the model reads one label per sequence: give the text's "
                                f"--label (one of {', '.join(model.classes)})")
        ids = model.vocabulary.encode(text)  # (T,) every character is an input
        X = one_hot(ids, len(model.vocabulary)) if model.embedding is None else \
            model.embedding[ids].copy()
        y = np.array([class_index(label, model.classes)], dtype=np.int64)
    return TextModel(to_network(model), model.vocabulary, text, X, y, None, seed,
                     input_ids=ids.tolist(), embedding=model.embedding, classes=model.classes)
