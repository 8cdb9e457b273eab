"""The spectral radius of a square matrix, and a matrix rescaled to a chosen one.

Apart from ``rnn.params`` so that the simple RNN's initialisation (``rnn.cells.simple``) can
use it without importing the module that initialises every cell by name.
"""

from __future__ import annotations

import numpy as np

from rnn.errors import UnrolledError


def spectral_radius(W: np.ndarray) -> float:
    """Largest absolute eigenvalue of W."""
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def with_spectral_radius(W: np.ndarray, radius: float) -> np.ndarray:
    """W rescaled so that its spectral radius is ``radius`` (for vanishing/exploding demos)."""
    if not radius > 0:
        raise UnrolledError(f"radius must be positive, got {radius}")
    current = spectral_radius(W)
    if current == 0:
        raise UnrolledError("W has spectral radius 0 and cannot be rescaled")
    return W * (radius / current)
