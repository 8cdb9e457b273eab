"""Alt text: every figure's description is deterministic and its numbers are the Trace's.

The numbers are read back out of the words and compared with the recorded arrays, within
the rounding of three significant digits (two decimals for signed values).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from scenes.output.alt_text import Description, num, quoted
from scenes.output.figures import FIGURES, figure_input

NUMBER = r"(-?\d+(?:\.\d+)?(?:e-?\d+)?)"
BY_NAME = {f.name: f for f in FIGURES}


@pytest.fixture(scope="module")
def described():
    """(input, description) of every figure for the default model, light theme."""
    from scenes.output.alt_text import describe
    from scenes.output.lecture_file import Lecture, ModelSpec

    lecture = Lecture(path=Path("figures"), title="t", model=ModelSpec(), scenes=(),
                      theme="light")
    out = {}
    for fig in FIGURES:
        inp = figure_input(fig, lecture)
        out[fig.name] = (inp, describe(fig, inp))
    return out


def close(text: str, value: float) -> bool:
    """A number printed to three significant digits matches ``value``."""
    return float(text) == pytest.approx(float(value), rel=5e-3, abs=5e-3 * abs(value) + 1e-300)


def find(pattern: str, text: str) -> tuple[str, ...]:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in {text!r}"
    return match.groups()


def test_every_figure_has_a_short_and_a_long_description(described):
    assert set(described) == {f.name for f in FIGURES}
    for name, (_, d) in described.items():
        assert d.short.endswith(".") and d.long.startswith(d.short), name
        assert len(d.long) > len(d.short) and "nan" not in d.long, name
        assert re.search(r"\d", d.short), name  # a number of the figure's own in its alt text


def test_descriptions_repeat_exactly(described):
    from scenes.output.alt_text import describe

    for name in ("bptt-errors", "vanishing", "carousel"):
        inp, d = described[name]
        assert describe(BY_NAME[name], inp) == d


def test_bptt_tells_the_largest_loss_and_how_far_its_error_gets(described):
    inp, d = described["bptt-errors"]
    tr = inp.trace
    s, loss, far = find(rf"the loss L\((\d+)\) = {NUMBER} is the largest; its error reaches "
                        rf"h\(1\) with norm {NUMBER}", d.short)
    s = int(s)
    norms = tr.error_by_source_norms()
    assert s == int(np.argmax(tr.losses)) + 1 and close(loss, tr.losses[s - 1])
    assert close(far, norms[s - 1, 0])
    assert close(find(rf"than at h\({s}\) \({NUMBER}\)", d.short)[0], norms[s - 1, s - 1])
    for k in range(1, tr.T + 1):  # every other term's loss, in the caption
        assert close(find(rf"L\({k}\) = {NUMBER}", d.long)[0], tr.losses[k - 1])
    assert "'hello', 4 steps, 3 hidden units" in d.short


def test_the_lstm_chain_tells_both_paths(described):
    inp, d = described["lstm-unfolded"]
    tr = inp.trace
    s = int(np.argmax(tr.losses)) + 1
    cell = find(rf"Along the cell state, its error (?:at|reaches) cell\(1\) (?:has|with) "
                rf"norm {NUMBER}", d.long)[0]
    assert close(cell, tr.error_by_source_norms("cell")[s - 1, 0])
    assert "LSTM" in d.short


def test_forward_values_adds_up_the_losses(described):
    inp, d = described["forward-values"]
    tr = inp.trace
    assert close(find(rf"the total loss is L = {NUMBER}", d.short)[0], tr.losses.sum())
    assert find(r"guesses '(\w+)'", d.long)[0] == "".join(
        tr.vocabulary.chars[k] for k in tr.yhat.argmax(axis=1))


def test_vanishing_and_carousel_give_both_ends_of_the_error(described):
    inp, d = described["vanishing"]
    for key in ("small", "large"):
        tr = inp.extra[key]
        radius = num(inp.extra["radii"][key])
        near, far = find(rf"At radius {radius} its norm goes from {NUMBER} at h\(\d+\) to "
                         rf"{NUMBER}" if key == "small" else
                         rf"at radius {radius}, from {NUMBER} to {NUMBER}", d.long)
        norms = tr.error_by_source_norms()
        assert close(near, norms[-1, -1]) and close(far, norms[-1, 0])
    assert "0.5 it vanishes" in d.short
    inp, d = described["carousel"]
    c = inp.extra["carousel"]
    rnn_near, rnn_far = find(rf"simple RNN its norm goes from {NUMBER} at h\(60\) to {NUMBER}",
                             d.long)
    assert close(rnn_near, c.rnn_error[-1]) and close(rnn_far, c.rnn_error[0])
    assert close(find(rf"to {NUMBER} along the cell state", d.long)[0], c.lstm_cell_error[0])


def test_clipping_gives_the_norms_before_and_after(described):
    inp, d = described["clipping"]
    up = inp.extra["clipped"].update
    before, after = find(rf"norm is {NUMBER}, clipped to {NUMBER}", d.short)
    assert close(before, up.grad_norm) and close(after, up.grad_norm_clipped)
    plain, clipped = find(rf"step has norm {NUMBER} without clipping and {NUMBER}", d.long)
    assert close(plain, inp.extra["step_norm"]["plain"])
    assert close(clipped, inp.extra["step_norm"]["clipped"])


def test_error_map_names_its_extremes(described):
    inp, d = described["error-map"]
    norms = inp.trace.error_by_source_norms()
    value, s, t = find(rf"The largest is {NUMBER}, from L\((\d+)\) at h\((\d+)\)", d.long)
    assert close(value, np.nanmax(norms)) and norms[int(s) - 1, int(t) - 1] == np.nanmax(norms)
    value, s, t = find(rf"the smallest {NUMBER}, from L\((\d+)\) at h\((\d+)\)", d.long)
    assert close(value, np.nanmin(norms)) and norms[int(s) - 1, int(t) - 1] == np.nanmin(norms)


def test_cells_and_dense_print_their_recorded_values(described):
    inp, d = described["lstm-cell"]
    f = inp.extra["step"]["gates"]["f"]
    assert f"f = ({', '.join(f'{v:+.2f}' for v in f)})" in d.long
    inp, d = described["dense-backprop"]
    dense = inp.extra["dense"]
    assert close(find(rf"a loss of {NUMBER}", d.long)[0], dense.loss)
    inp, d = described["truncated"]
    diff = find(rf"a difference of norm {NUMBER}", d.long)[0]
    assert close(diff, np.linalg.norm(inp.extra["difference"]["W"]))


@pytest.mark.parametrize("x, text", [
    (1.6094, "1.61"), (0.012345, "0.0123"), (40.2, "40.2"), (12345.6, "12346"),
    (3.21e-7, "3.21e-7"), (0.0, "0"), (float("inf"), "infinite"), (-2.5e6, "-2.50e6"),
])
def test_numbers_read_as_written(x, text):
    assert num(x) == text


def test_long_texts_are_cut_and_newlines_shown():
    assert quoted("ab\ncd") == "'ab⏎cd'"
    assert len(quoted("x" * 100)) == 42 and quoted("x" * 100).endswith("…'")


def test_html_snippet_escapes_the_words():
    d = Description('A <b> & "quoted" figure.', "A <b> & \"quoted\" figure. More.")
    snippet = d.figure_html("a&b.svg", 640, 360)
    assert 'alt="A &lt;b&gt; &amp; &quot;quoted&quot; figure."' in snippet
    assert "<figcaption>A &lt;b&gt; &amp; &quot;quoted&quot; figure. More.</figcaption>" in snippet
    assert 'src="a&amp;b.svg" width="640" height="360"' in snippet
    assert d.sidecar() == f"{d.short}\n\n{d.long}\n"
