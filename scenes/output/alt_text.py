"""Alt text of the figures: a short and a long description of each, from the Trace's numbers.

A figure's short description is its alt text and title; the long one, which begins with the
short, is its caption and its description in every file (SVG ``<desc>``, PNG ``Description``,
PDF subject). Both are written from the numbers the scene draws, formatted here, never
recomputed: the same inputs give the same words. ``alt_stories`` holds each figure's story.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MAX_QUOTED = 40  # characters of the text quoted in a description; a longer text is cut


@dataclass(frozen=True)
class Description:
    """A figure's alt text (``short``, one sentence) and its caption (``long``)."""

    short: str
    long: str

    def sidecar(self) -> str:
        """The ``NAME.alt.txt`` file: the short description, a blank line, the long one."""
        return f"{self.short}\n\n{self.long}\n"

    def figure_html(self, src: str, width: int, height: int) -> str:
        """A ready ``<figure>``: the image with its alt text, and the caption (HTML-escaped)."""
        return (f'<figure>\n  <img src="{html.escape(src)}" width="{width}" height="{height}" '
                f'alt="{html.escape(self.short)}">\n'
                f"  <figcaption>{html.escape(self.long)}</figcaption>\n</figure>\n")


def story(short: str, *details: str) -> Description:
    """A Description whose long form is the short sentence followed by the details."""
    return Description(short, " ".join([short, *details]))


# Numbers as the descriptions print them ---------------------------------------------------
def num(x: float, digits: int = 3) -> str:
    """``x`` to ``digits`` significant digits, plain between 0.001 and 100000 (``0.0123``,
    ``1.61``, ``402``), else in e-notation (``3.2e-7``)."""
    x = float(x)
    if math.isnan(x):
        return "not a number"
    if math.isinf(x):
        return "infinite" if x > 0 else "minus infinite"
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < 1e5:
        text = f"{x:.{digits}g}"
        return text if "e" not in text else f"{x:.0f}"
    mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def signed(v: float) -> str:
    """A value as the screen shows it: sign and two decimals (``+0.12``)."""
    from scenes.components.theme import format_value

    return format_value(v)


def vector(v: Sequence[float]) -> str:
    """A short vector as ``(+0.12, -0.50, +0.03)``."""
    return "(" + ", ".join(signed(x) for x in v) + ")"


def times(big: float, small: float) -> str:
    """How many times ``big`` is ``small``, for a sentence (``40 times``)."""
    if not (math.isfinite(big) and math.isfinite(small)) or small == 0:
        return "infinitely many times"
    ratio = big / small
    return f"{num(ratio, 2)} times"


def compared(far: float, near: float) -> str:
    """How an error far back compares with where it started, in words with the ratio:
    ``40 times smaller than``."""
    if far <= near / 1.1:
        return f"{times(near, far)} smaller than"
    if far >= near * 1.1:
        return f"{times(far, near)} larger than"
    return "about as large as"


def norm(a) -> float:
    """The L2 (Frobenius) norm of a recorded array, for a sentence."""
    return float(np.linalg.norm(np.asarray(a, dtype=np.float64)))


# The model in words -------------------------------------------------------------------------
def quoted(text: str) -> str:
    """The text as quoted in a sentence, cut after ``MAX_QUOTED`` characters, newlines shown."""
    shown = text if len(text) <= MAX_QUOTED else text[:MAX_QUOTED - 1] + "…"
    return "'" + shown.replace("\n", "⏎") + "'"


def trace_text(tr) -> str:
    """The text a Trace reads: its inputs and, with a vocabulary, the last target."""
    chars = tr.input_chars()
    if tr.vocabulary is not None:
        chars = [*chars, tr.vocabulary.chars[int(tr.targets[-1])]]
    return "".join(chars)


def target_chars(tr) -> list[str]:
    """Every step's target character, ``?`` without a vocabulary."""
    if tr.vocabulary is None:
        return ["?"] * tr.T
    return [tr.vocabulary.chars[int(y)] for y in tr.targets]


def model_words(tr) -> str:
    """``the simple RNN on 'hello', 4 steps, 3 hidden units``."""
    T, H = tr.h.shape
    return (f"the {tr.spec.title} on {quoted(trace_text(tr))}, {T} step{'s' * (T != 1)}, "
            f"{H} hidden unit{'s' * (H != 1)}")


def losses_words(tr, limit: int = 8) -> str:
    """``L(1) = 1.2, L(2) = 1.4, ...`` for a short trace, else the first and last few."""
    items = [f"L({t}) = {num(v)}" for t, v in enumerate(tr.losses, 1)]
    if len(items) > limit:
        items = [*items[:3], "…", *items[-3:]]
    return ", ".join(items)

