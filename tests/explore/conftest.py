"""The example notebook, executed once for the notebook tests (and the export built from it)."""

from __future__ import annotations

import nbformat
import pytest
from example_notebook import EXAMPLE, HOSTILE_CELL, ROOT
from nbclient import NotebookClient


@pytest.fixture(scope="session")
def executed(tmp_path_factory):
    """The example notebook with one more cell (a hostile text), run by a real kernel as
    nbclient runs it (widget state saved), and written where the export can read it."""
    nb = nbformat.read(EXAMPLE, as_version=4)
    examples = sum(cell.cell_type == "code" for cell in nb.cells)
    nb.cells.append(nbformat.v4.new_code_cell(HOSTILE_CELL))
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    path = tmp_path_factory.mktemp("notebook") / "explore.ipynb"
    nbformat.write(nb, path)
    return nb, path, examples
