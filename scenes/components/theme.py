"""Colours of the animations: two themes sharing one visual language.

Diverging scales come from Paul Tol's colour-blind-safe schemes (an RdBu-like map); the
per-source palettes start from his "light" and "muted" sets, moved so that the loss terms'
colours stay 15 ΔE2000 apart for the three dichromacies and read as text at 4.5:1
(tests/scenes/output/test_colours.py).
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
        """Black or white, whichever has the higher WCAG contrast on ``fill`` (for numbers
        inside neurons): at least 4.6:1 on any fill."""
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
                   for c in fill.to_rgb())  # WCAG's relative luminance is of linear RGB
        luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
        # black's contrast (Y + 0.05) / 0.05 passes white's 1.05 / (Y + 0.05) at Y = 0.179
        return ManimColor("#000000" if luminance > 0.179 else "#FFFFFF")


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
    # Tol's "light" set, moved the least (summed ΔE2000, searched) that keeps every two colours
    # 15 ΔE2000 apart under protanopia, deuteranopia and tritanopia, and each at 4.5:1 as the
    # colour of its term's value (tests/scenes/output/test_colours.py)
    palette=("#8C9DEA", "#BD6E5A", "#FFAAB6", "#9DDDFD",
             "#258F88", "#E2E433", "#A7A900", "#EFFEFD"),
)

LIGHT = Theme(
    name="light",
    background="#FFFFFF",
    text="#1A1A1A",
    muted="#6B6B6B",
    connection="#B0B0B0",
    recurrent="#907300",  # W's colour, at 4.5:1 on white
    negative="#2166AC",
    neutral="#F2F2F2",
    positive="#B2182B",
    nan="#CC00CC",
    # W, V and b darkened to a contrast of 4.5:1 on white: they also colour the labels
    param_colors={"U": "#0077BB", "W": "#907300", "V": "#B95D28", "b": "#008577", "c": "#CC3311"},
    # Tol's "muted" set, moved as in the dark theme; its pale cyan could not stay (1.8:1)
    palette=("#EA025D", "#332288", "#11440B", "#5765FB",
             "#6E1F42", "#068669", "#516E00", "#AA4C95"),
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
