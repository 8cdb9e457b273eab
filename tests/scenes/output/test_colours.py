"""Colour is never lost: the loss terms' colours stay apart for dichromats, text stays readable.

The loss terms' palette must keep every two colours at least 15 ΔE2000 apart, for normal
vision and under simulated protanopia, deuteranopia and tritanopia, in both themes; every
text colour (the loss terms' colours among them, and the numbers and characters drawn on
the colour scales) keeps a WCAG contrast of 4.5:1 on its background.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from colour_vision import VISIONS, ciede2000, contrast, distance, lab, seen

from scenes.components.theme import THEMES

MIN_DELTA_E = 15.0
TEXT_CONTRAST = 4.5

# Sharma, Wu and Dalal (2005), Table 1: pairs 1, 7, 13, 17, 25 and 34, with their ΔE00
SHARMA = [
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
    ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
    ((50.0, 2.49, -0.001), (50.0, -2.49, 0.0009), 7.1792),  # hues either side of 180°
    ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((2.0776, 0.0795, -1.135), (0.9033, -0.0636, -0.5514), 0.9082),
]


@pytest.mark.parametrize("lab1, lab2, expected", SHARMA)
def test_ciede2000_matches_the_published_pairs(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert ciede2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)  # symmetric


def test_the_simulation_keeps_grey_and_loses_red_against_green():
    # Machado's matrices keep white white (rows sum to 1), and a protanope or deuteranope
    # confuses Tol's red #CC6677-like colours with greens far more than a trichromat does
    for vision in VISIONS:
        assert np.allclose(seen("#FFFFFF", vision), 1.0, atol=1e-3)
        assert lab(seen("#808080", vision))[1:] == pytest.approx([0, 0], abs=0.5)
    for vision in ("protanopia", "deuteranopia"):
        assert distance("#AA3333", "#557700", vision) < distance("#AA3333", "#557700") / 2
    assert distance("#3366FF", "#33AA66", "tritanopia") < distance("#3366FF", "#33AA66") / 2


def test_contrast_ratio_is_wcag_s():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)  # the known 4.5 grey


@pytest.mark.parametrize("theme", sorted(THEMES))
@pytest.mark.parametrize("vision", VISIONS)
def test_loss_term_colours_stay_apart(theme, vision):
    palette = THEMES[theme].palette
    assert len(set(palette)) == len(palette) == 8
    closest = min(itertools.combinations(palette, 2), key=lambda p: distance(*p, vision))
    assert distance(*closest, vision) >= MIN_DELTA_E, closest


def below(colours: dict[str, str], background: str, minimum: float) -> dict[str, float]:
    """The colours whose WCAG contrast on ``background`` is under ``minimum``, with it."""
    ratios = {name: contrast(c, background) for name, c in colours.items()}
    return {name: round(r, 3) for name, r in ratios.items() if r < minimum}  # unrounded test


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_text_colours_read_on_the_background(theme):
    th = THEMES[theme]
    # text, secondary text, the parameters' colours (which also colour their names), the loss
    # terms' (which colour each term's value, L=+1.23, above its step), and the carousel's
    # curves' (which colour its legend)
    texts = {"text": th.text, "muted": th.muted, **th.param_colors,
             **{f"L({s})": c for s, c in enumerate(th.palette, 1)},
             "negative": th.negative, "positive": th.positive, "recurrent": th.recurrent}
    assert below(texts, th.background, TEXT_CONTRAST) == {}


def test_the_characters_read_on_every_colour_of_the_neuron_text_map():
    from scenes.components.heatmap import diverging_pixels
    from scenes.neuron_text import INK

    fills = diverging_pixels(np.linspace(-1.0, 1.0, 201)[None, :])[0, :, :3]  # (201, 3)
    worst = min(contrast(INK, "#%02X%02X%02X" % tuple(rgb)) for rgb in fills)
    assert worst >= TEXT_CONTRAST


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_numbers_inside_filled_neurons_read(theme):
    th = THEMES[theme]
    worst = min(contrast(th.readable_on(fill).to_hex(), fill.to_hex())
                for fill in (th.value_color(v, 1.0) for v in np.linspace(-1, 1, 201)))
    assert worst >= TEXT_CONTRAST
