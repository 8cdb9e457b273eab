"""The carousel scene, rendered dry: its plotted points and chains are the two Traces' norms."""

from __future__ import annotations

import numpy as np
import pytest

from rnn.errors import UnrolledError
from scenes.carousel import CarouselScene, prepare_input
from scenes.components.plot import norm_color
from scenes.components.theme import get_theme


@pytest.fixture(scope="module")
def default(tmp_path_factory, dry_run):
    inp = prepare_input({})
    return dry_run(CarouselScene, inp, tmp_path_factory.mktemp("carousel")), inp


def plotted(scene, plot_key, curve):
    """(x, y) of each dot of a curve, mapped back through the plot's axes."""
    plot = scene.board.plots[plot_key]
    return np.array([plot.axes.point_to_coords(d.get_center())[:2]
                     for d in plot.curves[curve].dots])


def test_beats_and_the_setup_said_on_screen(default):
    scene, inp = default
    assert scene.board.beats == ["the task", "simple RNN", "LSTM", "norms", "multipliers"]
    texts = [m.original_text for m in scene.mobjects if hasattr(m, "original_text")]
    assert any("forget-gate bias +1 (torch's is 0; Jozefowicz et al. 2015)" in t for t in texts)
    assert any("H = 8, seed 0" in t for t in texts)
    cues = " ".join(" ".join(c.content for c in scene.renderer.file_writer.subcaptions).split())
    r = inp.extra["carousel"]
    assert f"{r.rnn_error[0]:.1e} at step 1" in cues and f"{r.lstm_error[0]:.1e}" in cues


@pytest.mark.parametrize("curve, trace_key, cell", [
    ("rnn_error", "rnn", False), ("lstm_error", "lstm", False), ("lstm_cell_error", "lstm", True),
])
def test_plotted_points_are_the_recorded_error_norms(default, curve, trace_key, cell):
    scene, inp = default
    r = inp.extra["carousel"]
    trace = getattr(r, trace_key)
    T = trace.T
    norms = (trace.cell_error_by_source_norms() if cell else trace.error_by_source_norms())[T - 1]
    points = plotted(scene, "errors", curve)
    assert len(points) == T == 60
    for x, y in points:
        t = T - int(np.rint(x))
        assert abs(x - (T - t)) < 1e-9
        assert y == pytest.approx(np.log10(norms[t - 1]), abs=1e-9)


def test_the_forget_product_drawn_is_the_product_of_the_gates(default):
    scene, inp = default
    lstm = inp.extra["carousel"].lstm
    f, T = lstm.gate("f"), lstm.T
    points = plotted(scene, "multipliers", "forget_product")
    for x, y in points:
        t = T - int(np.rint(x))
        product = np.mean(np.prod(f[t:], axis=0))  # f(t+1) ... f(T), mean over units
        assert y == pytest.approx(np.log10(product), abs=1e-9)
    jac = plotted(scene, "multipliers", "rnn_jacobian")
    rnn = inp.extra["carousel"].rnn
    assert jac[-1][1] == pytest.approx(np.log10(rnn.jacobian_norms()[T - 1, 0]), abs=1e-9)
    # the claim on screen: the forget gates keep far more than the RNN's Jacobian
    assert points[-1][1] > jac[-1][1] + 6


def test_chains_are_coloured_by_the_norms_and_print_step_1(default):
    scene, inp = default
    r, theme = inp.extra["carousel"], get_theme("dark")
    plot = scene.board.plots["errors"]
    lo, hi = plot.y_range
    for key, values in (("rnn", r.rnn_error), ("lstm_h", r.lstm_error),
                        ("lstm_cell", r.lstm_cell_error)):
        chain = scene.board.chains[key]
        assert sorted(chain.segments) == list(range(1, r.steps + 1))
        for t in (1, 17, r.steps):
            expected = norm_color(float(np.log10(values[t - 1])), lo, hi, theme)
            assert chain.segments[t].get_color().to_hex() == expected.to_hex()
            assert chain.segments[t] in scene.get_mobject_family_members()
        assert scene.board.numbers[key].original_text == f"{values[0]:.1e}"
    assert scene.board.chains["rnn"].segments[1].get_color() != \
        scene.board.chains["lstm_cell"].segments[1].get_color()


@pytest.mark.parametrize("options, kwargs, match", [
    ({"steps": 10}, {}, "steps"), ({"radius": 1.0}, {}, "unknown"),
    ({}, {"hidden": 0}, "hidden"), ({"forget_bias": 1e9}, {}, "forget_bias"),
])
def test_bad_options_are_one_line(options, kwargs, match):
    with pytest.raises(UnrolledError, match=match) as err:
        prepare_input(options, **kwargs)
    assert "\n" not in str(err.value)


def test_options_reach_the_traces():
    inp = prepare_input({"steps": 50, "forget_bias": 2.0}, theme="light", hidden=4, seed=2)
    r = inp.extra["carousel"]
    assert (r.steps, r.hidden, r.seed, r.forget_bias) == (50, 4, 2, 2.0)
    assert inp.trace is r.lstm and r.rnn.T == 50
