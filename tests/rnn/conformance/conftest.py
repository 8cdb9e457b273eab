"""The conformance suite runs over every registered cell, and over a test-only cell with two
gates and a second state not named ``cell`` (tests/explore/keep_cell.py), registered for each
of the suite's modules and removed after it."""

from __future__ import annotations

import pytest
from every_cell import CELL_NAMES, TEST_CELL

from rnn.cells import get_cell, register, unregister
from tests.explore.keep_cell import KeepCell


def pytest_generate_tests(metafunc):
    if "cell" in metafunc.fixturenames:
        metafunc.parametrize("cell", CELL_NAMES, indirect=True)


@pytest.fixture(scope="module")
def _test_cell():
    register(KeepCell())
    yield
    unregister(TEST_CELL)


@pytest.fixture
def cell(request, _test_cell):
    """The cell under test (``rnn.cells.Cell``), the test-only one registered."""
    return get_cell(request.param)
