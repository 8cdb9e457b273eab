"""A second cue beside colour: each loss term's arrows start under its name ``L(s)``, and two
terms of one colour (the palette repeats after 8) never look alike (WCAG 1.4.1).

The flows are built as the scenes build them (``stage.error_flow``: the theme's colours,
repeated along the chain), on neurons and on heat columns, 16 steps long.
"""

import itertools

import numpy as np
import pytest

from rnn.model import text_model
from manim import Circle, Rectangle, Text

from scenes.components.arrows import MAX_WIDTH, dash_counts
from scenes.components.chain_camera import loss_colors
from scenes.components.heat_chain import HeatChain
from scenes.components.network import UnrolledNetwork
from scenes.components.theme import THEMES

TEXT = "hello world, again"  # 17 steps: two terms in each of the first colours
PIXELS_PER_UNIT = 1080 / 8.0  # a 1080p frame is 8 units tall
HALF_STROKE = MAX_WIDTH / 100 / 2  # manim's stroke width 1 is 1/100 of a unit


@pytest.fixture(scope="module", params=["neurons", "heat", "circles"])
def flow(request):
    """16 steps on neurons (outputs drawn as a strip) and heat columns, and 8 steps of
    neurons whose outputs are circles (a small vocabulary), the frame's narrowest columns."""
    cell = "lstm" if request.param == "heat" else "rnn"
    text = "abcabcabc" if request.param == "circles" else TEXT
    tr = text_model(text, cell=cell, hidden=3, seed=0).trace()
    theme = THEMES["dark"]
    net = (UnrolledNetwork if cell == "rnn" else HeatChain)(tr, theme)
    norms = {p: tr.error_by_source_norms(p) for p in tr.spec.states}
    return tr, net, net.error_flow(norms, loss_colors(theme, tr.T))


def box(mob, pad: float = 0.0) -> np.ndarray:
    """(left, bottom, right, top) of ``mob``'s own points, ``pad`` wider on each side."""
    pts = mob.points if len(mob.points) else mob.get_all_points()
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    return np.array([lo[0] - pad, lo[1] - pad, hi[0] + pad, hi[1] + pad])


def overlap(a: np.ndarray, b: np.ndarray) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def arrows(flow):
    by_pair = flow.by_pair
    if all(isinstance(k, tuple) for k in by_pair):
        return list(by_pair.values())
    return [a for pairs in by_pair.values() for a in pairs.values()]


def labels(flow) -> dict[int, object]:
    return {a.source: a.label for a in arrows(flow) if a.label is not None}


def test_every_term_is_named_once_at_its_own_start(flow):
    tr, _, fl = flow
    named = labels(fl)
    assert sorted(named) == list(range(1, tr.T + 1))
    for s, label in named.items():
        assert label.text == f"L({s})"
        [down] = [a for a in arrows(fl) if a.label is label]
        assert down.step == s  # the arrow down from the output of step s: where it starts
        shaft = box(down)
        # just above its arrow's start, over it
        assert 0 < label.get_bottom()[1] - shaft[3] < 0.1
        assert label.get_left()[0] < (shaft[0] + shaft[2]) / 2 < label.get_right()[0]
        assert {m.get_fill_color() for m in label.family_members_with_points()} == {
            down.get_color()}


def test_names_readable_and_apart(flow):
    _, _, fl = flow
    named = labels(fl)
    assert min(lab.height for lab in named.values()) * PIXELS_PER_UNIT >= 20  # px at 1080p
    for (s, a), (r, b) in itertools.combinations(named.items(), 2):
        assert not overlap(box(a, 0.02), box(b, 0.02)), (s, r)


def test_names_cross_no_other_arrow(flow):
    _, _, fl = flow
    for s, label in labels(fl).items():
        for arrow in arrows(fl):
            if arrow.label is label:
                continue
            for part in (arrow, arrow.tip):
                assert not overlap(box(label), box(part, HALF_STROKE)), (s, arrow.source,
                                                                         arrow.step)


def test_names_cover_nothing_drawn(flow):
    """No unit, cell or text of the chain (parameters' names, inputs, rows) under a name."""
    _, net, fl = flow
    parts = [m for m in net.get_family() if isinstance(m, (Text, Circle, Rectangle))]
    assert len(parts) > 3 * 16
    for s, label in labels(fl).items():
        for part in parts:
            assert not overlap(box(label), box(part)), (s, part)


def test_terms_of_one_colour_differ_in_dashes(flow):
    tr, _, fl = flow
    if tr.T <= 8:
        assert {len(a.get_subpaths()) for a in arrows(fl)} == {1}  # one round: all solid
        return
    colours = loss_colors(THEMES["dark"], tr.T)
    assert colours[0] == colours[8]  # the palette does repeat along this chain
    counts = {}
    for arrow in arrows(fl):
        pieces = len(arrow.get_subpaths())  # the shaft's own dashes; the tip is apart
        counts.setdefault(arrow.source, set()).add(pieces)
    assert all(len(c) == 1 for c in counts.values())  # every arrow of a term alike
    looks = {(colours[s - 1].to_hex(), *counts[s]) for s in counts}
    assert len(looks) == tr.T  # colour and dashes: no two terms alike
    assert counts[1] == {1} and counts[9] == {2} and counts[17] == {3}


def test_dash_counts_tell_sixty_four_terms_apart():
    for theme in THEMES.values():
        colours = loss_colors(theme, 64)
        looks = set(zip((c.to_hex() for c in colours), dash_counts(colours)))
        assert len(looks) == 64
        assert dash_counts(colours)[:8] == [1] * 8  # a short chain stays solid
