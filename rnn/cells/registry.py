"""The registry of cells by name, apart from the cells themselves.

It imports no cell, so a cell's module (or ``Params`` in ``rnn.cells.base``) can look a cell
up by name without importing the package that registers them: the imports stay a tree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rnn.errors import UnrolledError

if TYPE_CHECKING:
    from rnn.cells.base import Cell

CELLS: dict[str, Cell] = {}

DEFAULT_CELL = "rnn"  # the model every command and scene builds unless told another cell


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


def cell_names() -> tuple[str, ...]:
    return tuple(CELLS)
