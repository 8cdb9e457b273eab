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


def assert_forward_cells(chain, trace):
    """Every gate, h, output (and the LSTM's cell-state) column of ``chain`` holds the
    forward values ``trace`` recorded for its step."""
    from scenes.beats.stage import scale_of

    for t in range(1, trace.T + 1):
        for k, name in enumerate(trace.gate_names):
            assert_cells(chain.gate_cells(name, t), trace.gates[t - 1, k], 1.0)
        assert_cells(chain.cells("h", t), trace.h[t - 1], 1.0)
        assert_cells(chain.cells("yhat", t), trace.yhat[t - 1], 1.0)
        if "cell" in trace.spec.states:
            assert_cells(chain.cells("cell", t), trace.cell[t - 1], scale_of(trace.cell))
