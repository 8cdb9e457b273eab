"""Colours and layout limits: the visual language before anything is drawn."""

import pytest
from manim import ManimColor

from rnn import UnrolledError, text_model
from scenes.components import MAX_HIDDEN, MAX_STEPS, UnrolledNetwork
from scenes.components.layout import CIRCLE_HIDDEN, FRAME_STEPS
from scenes.components.theme import THEMES, format_value, get_theme


@pytest.mark.parametrize("name", ["dark", "light"])
def test_value_color_is_clamped_and_symmetric_around_zero(name):
    th = THEMES[name]
    assert th.value_color(0.0, 2.0) == ManimColor(th.neutral)
    assert th.value_color(2.0, 2.0) == ManimColor(th.positive)
    assert th.value_color(-2.0, 2.0) == ManimColor(th.negative)
    assert th.value_color(50.0, 2.0) == th.value_color(2.0, 2.0)  # clamped
    half_pos, half_neg = th.value_color(1.0, 2.0), th.value_color(-1.0, 2.0)
    assert half_pos != half_neg
    assert half_pos not in (ManimColor(th.neutral), ManimColor(th.positive))
    assert th.value_color(float("nan"), 1.0) == ManimColor(th.nan)


def test_light_theme_has_a_white_background_and_dark_is_the_default():
    assert THEMES["light"].background.upper() == "#FFFFFF"
    assert get_theme("dark").background != THEMES["light"].background
    with pytest.raises(UnrolledError, match="known themes: dark, light"):
        get_theme("sepia")


@pytest.mark.parametrize("name", ["dark", "light"])
def test_source_colours_are_distinct_and_differ_from_the_recurrent_colour(name):
    th = THEMES[name]
    colors = th.source_colors(FRAME_STEPS)
    assert len(set(c.to_hex() for c in colors)) == FRAME_STEPS
    assert ManimColor(th.recurrent) not in colors
    with pytest.raises(UnrolledError):
        th.source_colors(FRAME_STEPS + 1)


def test_values_are_formatted_with_sign_and_two_decimals():
    assert format_value(0.123456) == "+0.12"
    assert format_value(-1.5) == "-1.50"
    assert format_value(float("nan")) == "nan"


def test_too_many_steps_is_refused_naming_the_limit():
    trace = text_model("ab" * 33, hidden=3).trace()  # 65 steps
    with pytest.raises(UnrolledError, match=f"at most {MAX_STEPS} time steps, the trace has 65"):
        UnrolledNetwork(trace)


def test_too_many_hidden_units_is_refused_naming_the_limit():
    trace = text_model("hey", hidden=MAX_HIDDEN + 1).trace()
    with pytest.raises(UnrolledError,
                       match=f"at most {MAX_HIDDEN} hidden units, the trace has {MAX_HIDDEN + 1}"):
        UnrolledNetwork(trace)


def test_largest_network_of_circles_fits_the_frame_without_overlap():
    trace = text_model("abcdefgh" + "a", hidden=CIRCLE_HIDDEN).trace()  # 8 steps, 8 symbols
    net = UnrolledNetwork(trace, values=True)
    assert net.T == FRAME_STEPS and not net.layout.long and not net.layout.any_strip
    assert net.width <= 14.222 and net.height <= 8.0
    lay = net.layout
    for t in range(1, net.T):  # rows of neighbouring steps never touch
        for layer in ("x", "h", "o"):
            right = net.neurons(layer, t)[-1].get_right()[0]
            left = net.neurons(layer, t + 1)[0].get_left()[0]
            assert right < left
    for layer in ("x", "h", "o"):  # neurons in a row never touch
        row = net.neurons(layer, 1)
        for a, b in zip(row, row[1:]):
            assert a.get_right()[0] < b.get_left()[0]
    assert lay.y("x") < lay.y("h") < lay.y("o")  # inputs bottom, hidden middle, outputs top
