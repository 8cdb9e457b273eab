"""Initialisation of a cell's parameters, and the spectral radius of the simple RNN's W."""

from __future__ import annotations

import numpy as np

from rnn.cells import Params, get_cell
from rnn.config import RNNConfig
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


def init_params(config: RNNConfig, cell: str = "rnn") -> Params:
    """Deterministic initialisation of a simple RNN (or another cell built from an RNNConfig)
    from ``config.seed``: same config, same bytes."""
    spec = get_cell(cell)
    arrays = spec.init(config.input_size, config.hidden, config.output_size, config.seed,
                       init_scale=config.init_scale, radius=config.radius)
    return Params(spec, **arrays)


def init_cell_params(cell: str, input_size: int, hidden: int, output_size: int, seed: int,
                     **options) -> Params:
    """Deterministic initialisation of any cell, with the options it declares."""
    spec = get_cell(cell)
    for name, n in (("input_size", input_size), ("hidden", hidden), ("output_size", output_size)):
        if n <= 0:
            raise UnrolledError(f"{name} must be a positive integer, got {n}")
    unknown = [k for k, v in options.items() if k not in spec.init_options and v]
    if unknown:
        raise UnrolledError(f"{', '.join(unknown)} does not apply to the {spec.title}")
    options = {k: v for k, v in options.items() if k in spec.init_options and v is not None}
    return Params(spec, **spec.init(input_size, hidden, output_size, seed, **options))
