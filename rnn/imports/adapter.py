"""An imported model handed to today's engines: the one place that knows their parameter types.

The simple RNN's engine (``rnn.bptt``) has one bias b where torch has two: b = b_ih + b_hh
enters the same sum. The gated engines take torch's layout as it is. x(t) is the character's
one-hot row, or its embedding row when the model has an embedding (the engines accept real
inputs). The error reaching x(t) is ``W_ih^T dL/dpre(t)`` (``U^T dL/da(t)`` for the simple
RNN); summed over the steps that read a character, it is the gradient of its embedding row.
"""

from __future__ import annotations

import numpy as np

from rnn.data import one_hot
from rnn.errors import UnrolledError
from rnn.gated_params import GatedParams
from rnn.imports.model import ImportedModel
from rnn.params import Params

NOT_YET = {"rnn-relu": "relu RNN: not yet drawable (the engine's simple RNN is tanh)"}


def to_engine(model: ImportedModel):
    """``(cell, params)`` for ``rnn.cells.run_cell``: Params for "rnn", GatedParams else."""
    if model.cell in NOT_YET:
        raise UnrolledError(NOT_YET[model.cell])
    if model.cell == "rnn":
        return "rnn", Params(U=model.W_ih, W=model.W_hh, V=model.V, b=model.b_ih + model.b_hh,
                             c=model.c)
    return model.cell, GatedParams(model.cell, model.W_ih, model.W_hh, model.b_ih, model.b_hh,
                                   model.V, model.c)


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
    if isinstance(trace.params, Params):
        return trace.dL_da @ trace.params.U  # U^T dL/da(t) for every t
    T = len(trace.X)
    return trace.dL_dpre.reshape(T, -1) @ trace.params.W_ih  # W_ih^T dL/dpre(t)


def embedding_gradient(model: ImportedModel, text: str, trace) -> np.ndarray:
    """(V_in, D) dL/d(embedding): each step's input error added to the row it read."""
    if model.embedding is None:
        raise UnrolledError("the model has no embedding")
    ids = model.vocabulary.encode(text)[:-1]
    grad = np.zeros_like(model.embedding)
    np.add.at(grad, ids, input_errors(trace))
    return grad


def text_model(model: ImportedModel, text: str, seed: int = 0):
    """A TextModel (simple RNN) or GatedTextModel of ``model`` on ``text``, as the commands
    build from a checkpoint."""
    from rnn.config import RNNConfig
    from rnn.gated_model import GatedTextModel
    from rnn.model import TextModel

    cell, params = to_engine(model)
    X, y = inputs(model, text)
    ids = model.vocabulary.encode(text)[:-1].tolist()  # (T,) what each x(t) stands for
    if cell == "rnn":
        config = RNNConfig(input_size=params.input_size, hidden=params.hidden_size,
                           output_size=params.output_size, seed=seed)
        return _with_ids(TextModel)(config, params, model.vocabulary, text, X, y, ids=ids)
    return _with_ids(GatedTextModel)(cell, params, model.vocabulary, text, X, y, 0.0, seed,
                                     ids=ids)


def _with_ids(base):
    """``base`` whose traces record each step's input character index in
    ``extra["input_ids"]``: an embedding row, unlike a one-hot row, does not say it."""

    class WithIds(base):
        def __init__(self, *args, ids: list[int]):
            super().__init__(*args)
            self.ids = ids

        def trace(self, *args, **kwargs):
            trace = super().trace(*args, **kwargs)
            trace.extra["input_ids"] = self.ids
            return trace

        def windows(self, *args, **kwargs):
            traces, start = super().windows(*args, **kwargs), 0
            for trace in traces:  # consecutive windows of the text
                trace.extra["input_ids"] = self.ids[start:start + trace.T]
                start += trace.T
            return traces

    WithIds.__name__ = WithIds.__qualname__ = f"Imported{base.__name__}"
    return WithIds
