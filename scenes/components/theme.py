"""Colours of the animations: two themes sharing one visual language.

Diverging scales and per-source palettes come from Paul Tol's colour-blind-safe schemes
(RdBu-like diverging map; "light" and "muted" qualitative sets), so that blue/red values and
the colours of the loss terms stay distinguishable for the common forms of colour blindness.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from manim import ManimColor, interpolate_color

from rnn.errors import UnrolledError


def format_value(v: float) -> str:
    """A Trace value as shown on screen: sign, two decimals (``+0.12``)."""
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "+inf" if v > 0 else "-inf"
    return f"{v:+.2f}"


SAME_ROLE = {"W_ih": "U", "W_hh": "W", "b_ih": "b", "b_hh": "b"}  # input, recurrent, biases


@dataclass(frozen=True)
class Theme:
    """Everything colour-related a scene needs; scenes never hard-code a colour."""

    name: str
    background: str
    text: str
    muted: str  # secondary text and idle neuron outlines
    connection: str  # U and V lines at rest
    recurrent: str  # the h(t-1) -> h(t) connection (the article's yellow arrows)
    negative: str  # diverging scale, value -vmax
    neutral: str  # diverging scale, value 0
    positive: str  # diverging scale, value +vmax
    nan: str  # a non-finite value
    param_colors: dict[str, str] = field(default_factory=dict)  # U, W, V, b, c highlights
    palette: tuple[str, ...] = ()  # one colour per loss term L(s)

    def __post_init__(self) -> None:
        # a gated cell's parameters in the colour of the simple RNN's with the same role
        for name, role in SAME_ROLE.items():
            if role in self.param_colors:
                self.param_colors.setdefault(name, self.param_colors[role])

    def value_color(self, v: float, vmax: float) -> ManimColor:
        """Colour of value ``v`` on the diverging scale clamped to [-vmax, vmax]."""
        v = float(v)
        if not math.isfinite(v):
            return ManimColor(self.nan)
        x = 0.0 if vmax <= 0 or not math.isfinite(vmax) else max(-1.0, min(1.0, v / vmax))
        end = self.positive if x >= 0 else self.negative
        return interpolate_color(ManimColor(self.neutral), ManimColor(end), abs(x))

    def source_colors(self, T: int) -> list[ManimColor]:
        """One colour per loss term L(1..T), in order."""
        if T > len(self.palette):
            raise UnrolledError(
                f"the {self.name} theme has colours for at most {len(self.palette)} loss terms, "
                f"the trace has {T}"
            )
        return [ManimColor(c) for c in self.palette[:T]]

    def param_color(self, name: str) -> ManimColor:
        return ManimColor(self.param_colors[name])

    def readable_on(self, fill: ManimColor) -> ManimColor:
        """Black or white, whichever reads better on ``fill`` (for numbers inside neurons)."""
        r, g, b = fill.to_rgb()
        luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
        return ManimColor("#000000" if luminance > 0.5 else "#FFFFFF")


DARK = Theme(
    name="dark",
    background="#111418",
    text="#EEEEEE",
    muted="#8A8F98",
    connection="#5A606A",
    recurrent="#F0D43A",
    negative="#4393C3",
    neutral="#3A3D42",
    positive="#D6604D",
    nan="#FF00FF",
    param_colors={"U": "#66CCEE", "W": "#F0D43A", "V": "#EE8866", "b": "#44BB99", "c": "#FFAABB"},
    palette=("#77AADD", "#EE8866", "#FFAABB", "#99DDFF",
             "#44BB99", "#BBCC33", "#AAAA00", "#DDDDDD"),
)

LIGHT = Theme(
    name="light",
    background="#FFFFFF",
    text="#1A1A1A",
    muted="#6B6B6B",
    connection="#B0B0B0",
    recurrent="#C9A100",
    negative="#2166AC",
    neutral="#F2F2F2",
    positive="#B2182B",
    nan="#CC00CC",
    param_colors={"U": "#0077BB", "W": "#C9A100", "V": "#EE7733", "b": "#009988", "c": "#CC3311"},
    palette=("#CC6677", "#332288", "#117733", "#88CCEE",
             "#882255", "#44AA99", "#999933", "#AA4499"),
)

THEMES: dict[str, Theme] = {"dark": DARK, "light": LIGHT}


def get_theme(name: str | Theme) -> Theme:
    """The theme called ``name`` (a Theme passes through); UnrolledError lists the known ones."""
    if isinstance(name, Theme):
        return name
    try:
        return THEMES[name]
    except KeyError:
        raise UnrolledError(
            f"unknown theme {name!r}; known themes: {', '.join(sorted(THEMES))}"
        ) from None
