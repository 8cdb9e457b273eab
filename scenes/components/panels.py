"""Text in the top band: equations with named terms, and numbers formatted from a Trace."""

from __future__ import annotations

from typing import TypeVar

import numpy as np
from manim import MathTypst, Mobject, Text, VGroup

from scenes.components.theme import Theme, format_value

M = TypeVar("M", bound=Mobject)

def light(mob: M) -> M:
    """Drop the parsed SVG paths kept by text glyphs; returns ``mob``.

    Glyphs keep their svgelements source after their points are built. Every animation
    deep-copies its mobject, and copying that source made copies of text about 8x slower.
    """
    for sub in mob.get_family():
        if getattr(sub, "path_obj", None) is not None:
            sub.path_obj = None
    return mob


def forget_bias_words(bias: float) -> str:
    """How the screen states an LSTM's forget-gate bias at initialisation: said with its
    reason when it is not torch's 0 (the project's default is 1, ``rnn.cells.lstm``)."""
    if bias == 0:
        return "forget-gate bias 0 (torch's)"
    return f"forget-gate bias {bias:+g} (torch's is 0; Jozefowicz et al. 2015)"


def equation(source: str, theme: Theme, font_size: float = 34) -> MathTypst:
    """``source`` (Typst maths with ``{{ ... : name }}`` terms, as a cell's ``typeset``
    declares them) typeset in the theme's text colour."""
    return light(MathTypst(source, font_size=font_size, color=theme.text))


def vector_text(values, theme: Theme, label: str = "", font_size: float = 22) -> Text:
    """A vector as one line of formatted Trace values: ``label [+0.12 -0.30]``."""
    body = " ".join(format_value(v) for v in np.ravel(values))
    return light(Text(f"{label}[{body}]", font="Monospace", font_size=font_size,
                      color=theme.text))


def matrix_text(values, theme: Theme, font_size: float = 18, color=None) -> Text:
    """A matrix (or a vector, shown as a column) as rows of formatted Trace values."""
    arr = np.asarray(values)
    rows = arr.reshape(-1, 1) if arr.ndim == 1 else arr
    body = "\n".join(" ".join(format_value(v) for v in row) for row in rows)
    return light(Text(body, font="Monospace", font_size=font_size, color=color or theme.text))


class ParamPanel(VGroup):
    """Named blocks of numbers side by side (e.g. the contributions to U, W, V, b, c).

    Parameters
    ----------
    blocks
        name -> array, shown in this order.
    theme
        Colours; each name is written in its parameter colour.
    width, height
        Box the whole panel is fitted into, so any hidden size fits the top band.
    """

    def __init__(self, blocks: dict[str, np.ndarray], theme: Theme, width: float = 12.0,
                 height: float = 1.6, **kwargs):
        super().__init__(**kwargs)
        self.shown: dict[str, list[str]] = {}
        slot = width / len(blocks)
        numbers = {name: matrix_text(arr, theme) for name, arr in blocks.items()}
        # one scale for every block, so equal numbers look equal across parameters
        factor = min(1.0, *[min((height - 0.4) / m.height, (slot - 0.3) / m.width)
                            for m in numbers.values()])
        for name, arr in blocks.items():
            title = light(Text(name, font="Sans", weight="BOLD", font_size=22,
                               color=theme.param_colors.get(name, theme.text)))
            body = numbers[name].scale(factor)
            self.add(VGroup(title, body.next_to(title, direction=[0, -1, 0], buff=0.1)))
            self.shown[name] = [format_value(v) for v in np.ravel(arr)]
        self.arrange(direction=[1, 0, 0], buff=0.3, aligned_edge=[0, 1, 0])
