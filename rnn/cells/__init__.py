"""The cells, by name: one module per cell and one line each in ``CELLS``.

``get_cell("lstm")`` is the LSTM; ``Params``, the engine (``rnn.engine.run``), the Trace, its
files, truncation, gradcheck, training and the scenes take whatever cell is registered here.
"""

from __future__ import annotations

from rnn.cells.base import Cell, Params, Part
from rnn.cells.gru import GRU
from rnn.cells.lstm import LSTM
from rnn.cells.peephole import PeepholeLSTM
from rnn.cells.simple import SimpleRNN
from rnn.errors import UnrolledError

CELLS: dict[str, Cell] = {}


def register(cell: Cell) -> Cell:
    """Add ``cell`` to the registry under its name (a name is registered once)."""
    if cell.name in CELLS:
        raise UnrolledError(f"a cell named {cell.name!r} is already registered")
    CELLS[cell.name] = cell
    return cell


def unregister(name: str) -> None:
    CELLS.pop(name, None)


def get_cell(name: str) -> Cell:
    """The registered cell ``name``, or one clear UnrolledError."""
    if name not in CELLS:
        raise UnrolledError(f"cell must be one of {', '.join(CELLS)}, got {name!r}")
    return CELLS[name]


DEFAULT_CELL = "rnn"  # the model every command and scene builds unless told another cell


def cell_names() -> tuple[str, ...]:
    return tuple(CELLS)


def gated_cells_by_gates() -> dict[int, str]:
    """Number of gate blocks -> the gated cell with that many (all a torch layer's shapes say
    of its kind: 4 for the LSTM, 3 for the GRU)."""
    return {len(c.gates): c.name for c in CELLS.values() if c.gates}


register(SimpleRNN())
register(SimpleRNN(relu=True))  # torch's nn.RNN(nonlinearity="relu"), for imported models
register(PeepholeLSTM())  # before the LSTM, which torch files of 4 gate blocks must pick
register(LSTM())
register(GRU())

__all__ = ["CELLS", "DEFAULT_CELL", "Cell", "Params", "Part", "cell_names",
           "gated_cells_by_gates", "get_cell", "register", "unregister"]
