"""``--weights FILE`` and ``model.weights``: the one place that tells a framework's model file
from the project's ``.npz`` checkpoint (``rnn.files.checkpoint``) and builds a model from it.

The commands and lecture files ask ``is_imported(path)``; for such a file the cell comes from
the file (``resolve_cell``) and the model from ``imported_text_model``.
"""

from __future__ import annotations

import os
from pathlib import Path

from rnn.cells import get_cell
from rnn.errors import UnrolledError
from rnn.imports.model import weights_kind


def is_imported(path: str | os.PathLike | None) -> bool:
    """True for a .safetensors, .keras, .onnx or pickle file (refused when read), not a
    checkpoint."""
    return path is not None and weights_kind(path) != "npz"


def file_cell(path: str | os.PathLike, names: dict | None = None) -> str:
    """The cell held by the model file at ``path``, read and checked (vocabulary aside)."""
    from rnn.imports.model import read_arrays

    return read_arrays(Path(path), names)["cell"]


def resolve_cell(path: str | os.PathLike, cell: str | None, given: bool,
                 names: dict | None = None) -> str:
    """The cell to build for the model file at ``path``: the file's. A ``--cell`` given that
    contradicts it is one line."""
    held = file_cell(path, names)
    if given and cell is not None and cell != held:
        raise UnrolledError(f"weights file {path} holds {get_cell(held).called}; --cell is "
                            f"{cell} (the cell is taken from the file: leave --cell out)")
    return held


def imported_text_model(path: str | os.PathLike, text: str, vocab=None,
                        names: dict | None = None, seed: int = 0, label: str | None = None,
                        classes=None):
    """The TextModel of the model file at ``path`` on ``text``: next characters, or the one
    ``label`` of the text when the model reads one label per sequence (its ``classes``, or
    ``NAME.classes.json`` beside it; ``rnn.imports.classes``)."""
    from rnn.imports.adapter import text_model
    from rnn.imports.model import load_model

    model = load_model(path, vocab, names, classes)
    if len(text) < 2 and model.classes is None:
        raise UnrolledError("the text needs at least two characters (an input and its next one)")
    return text_model(model, text, seed, label)


def check_file(path: str | os.PathLike) -> None:
    """Read and check a model file before anything heavy is imported (vocabulary aside)."""
    file_cell(path)


__all__ = ["UnrolledError", "check_file", "file_cell", "imported_text_model", "is_imported",
           "resolve_cell"]
