"""Model configuration: one dataclass, built once by the caller and passed whole."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

from rnn.errors import UnrolledError


def default_init_scale(hidden: int) -> float:
    """The simple RNN's default weight scale for ``hidden`` units: min(0.5, 1/sqrt(H)).

    W ~ N(0, s^2) has a spectral radius of about s * sqrt(H), so 1/sqrt(H) (torch's scale for
    recurrent weights) keeps it near 1 at any width: wide networks neither saturate nor overflow
    along long texts. Up to 4 units it is 0.5, the scale the textbook pictures were drawn with.
    """
    return min(0.5, 1.0 / math.sqrt(hidden))


@dataclass(frozen=True)
class RNNConfig:
    """Sizes and initialisation of the simple RNN (Goodfellow et al., section 10.2)."""

    input_size: int = 4  # D, length of x(t); the vocabulary size for text
    hidden: int = 3  # H, hidden units in h(t)
    output_size: int = 4  # K, length of o(t); the vocabulary size for text
    seed: int = 0  # seeds every random draw of initialisation
    init_scale: float | None = None  # weights ~ N(0, init_scale^2), None: default_init_scale(H)
    radius: float | None = None  # if set, W is rescaled to this spectral radius

    def __post_init__(self) -> None:
        for name in ("input_size", "hidden", "output_size"):
            if getattr(self, name) <= 0:
                raise UnrolledError(f"{name} must be a positive integer, got {getattr(self, name)}")
        if self.init_scale is None:  # the scale used is recorded, so a Trace describes itself
            object.__setattr__(self, "init_scale", default_init_scale(self.hidden))
        if not self.init_scale > 0:
            raise UnrolledError(f"init_scale must be positive, got {self.init_scale}")
        if self.radius is not None and not self.radius > 0:
            raise UnrolledError(f"radius must be positive, got {self.radius}")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> RNNConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise UnrolledError(f"unknown config keys: {', '.join(sorted(unknown))}")
        if "init_scale" in data and data["init_scale"] is None:  # a document records the number
            raise UnrolledError("init_scale must be a number, got None")
        return cls(**data)
