"""The cells, by name: one module per cell and one line each in ``CELLS``.

``get_cell("lstm")`` is the LSTM; ``Params``, the engine (``rnn.engine.run``), the Trace, its
files, truncation, gradcheck, training and the scenes take whatever cell is registered here.
The registry itself lives in ``rnn.cells.registry``; this module only fills it.
"""

from __future__ import annotations

from rnn.cells.base import Cell, Params, Part
from rnn.cells.cho_gru import ChoGRU
from rnn.cells.gru import GRU
from rnn.cells.lstm import LSTM
from rnn.cells.peephole import PeepholeLSTM
from rnn.cells.registry import CELLS, DEFAULT_CELL, cell_names, get_cell, register, unregister
from rnn.cells.simple import SimpleRNN

register(SimpleRNN())
register(SimpleRNN(relu=True))  # torch's nn.RNN(nonlinearity="relu"), for imported models
register(LSTM())
register(GRU())
register(PeepholeLSTM())  # Gers and Schmidhuber's; imports name their cell (rnn.imports.layers)
register(ChoGRU())  # the reset gate before W_hn: Keras reset_after=False, ONNX's default

__all__ = ["CELLS", "DEFAULT_CELL", "Cell", "Params", "Part", "cell_names", "get_cell",
           "register", "unregister"]
