"""Initialisation of a cell's parameters (and, re-exported, the spectral radius of a W)."""

from __future__ import annotations

from rnn.cells import Params, get_cell
from rnn.config import RNNConfig
from rnn.errors import UnrolledError
from rnn.spectral import spectral_radius, with_spectral_radius

__all__ = ["init_cell_params", "init_params", "spectral_radius", "with_spectral_radius"]


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
