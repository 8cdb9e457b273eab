"""What the gated chains' tests check of a column of heat cells: the Trace's values, on their
scale, painted in the dark theme's colours."""

import numpy as np
import pytest

from scenes.components.theme import get_theme

THEME = get_theme("dark")


def hexes(colors) -> list[str]:
    return [c.to_hex() for c in colors]


def assert_cells(cells, values, vmax):
    """The cells hold ``values`` on the scale ``vmax`` and are painted in their colours."""
    np.testing.assert_array_equal(cells.values, values)
    assert cells.scale == pytest.approx(vmax)
    assert hexes(cells.shown_colors) == hexes(THEME.value_color(v, vmax) for v in values)
