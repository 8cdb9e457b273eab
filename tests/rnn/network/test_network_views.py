"""The per-layer views of a network: the layer direction chosen, in its reading order, with
the network's numbers (never recomputed by a scene)."""

from __future__ import annotations

import numpy as np
import pytest

from rnn.errors import UnrolledError
from rnn.model import text_model
from rnn.network_views import layer_view, parse_layer_choice, view_words

TEXT = "hello world"


@pytest.fixture(scope="module")
def stacked():
    return text_model(TEXT, 3, cell="lstm", num_layers=2, bidirectional=True).trace()


@pytest.fixture(scope="module")
def labelled():
    return text_model("xabcabcab", 3, cell="rnn", label="x", classes="x,y").trace()


@pytest.mark.parametrize("text, want", [
    ("", (1, 0, "h")), ("1", (0, 0, "h")), ("2-backward", (1, 1, "h")),
    ("1:cell", (0, 0, "cell")), ("1-backward:gate-f", (0, 1, "gate-f")), ("cell", (1, 0, "cell")),
])
def test_layer_choices_count_from_the_bottom(text, want):
    assert parse_layer_choice(text, 2, True) == want


@pytest.mark.parametrize("text, says", [
    ("3", "layers 1 to 2"), ("0", "layers 1 to 2"), ("1-sideways", "expected N"),
    ("1-backward", "reads one way"),
])
def test_bad_layer_choices_are_one_line(text, says):
    with pytest.raises(UnrolledError, match=says):
        parse_layer_choice(text, 2, text != "1-backward")


def test_backward_view_reads_the_text_from_its_end(stacked):
    view = layer_view(stacked, 0, 1)
    assert "".join(view.input_chars()) == TEXT[:-1][::-1]
    assert np.array_equal(view.h, stacked.seq(0, 1, "h")[::-1])
    assert np.array_equal(view.parts["cell"], stacked.seq(0, 1, "cell")[::-1])
    assert "backward: read from the end" in view_words(view)


def test_view_error_map_is_the_networks_by_source(stacked):
    view = layer_view(stacked, 0, 1)
    norms = stacked.error_by_source_norms(0, 1)  # sequence order
    assert np.array_equal(view.error_by_source_norms("h"), norms[::-1, ::-1])
    # every loss term's errors add up to the recorded error at each h(t)
    total = stacked.error_by_source(0, 1).sum(axis=0)
    assert np.allclose(total[::-1], view.dL_dh, rtol=0, atol=1e-12)


def test_top_view_has_the_heads_weights_and_lower_view_none(stacked):
    H = stacked.params.hidden_size
    top, low = layer_view(stacked, 1, 0), layer_view(stacked, 0, 0)
    assert np.array_equal(top.params.V, stacked.params.V[:, :H])
    assert not low.params.V.any()
    # the top view's error from the output is the head's: V_d^T dL/do(t)
    assert np.allclose(top.dL_dh_from_output, top.dL_do @ top.params.V, rtol=0, atol=1e-15)


def test_one_label_view_has_one_row_and_one_loss(labelled):
    view = layer_view(labelled, 0, 0)
    assert view.extra["one_label"] and view.error_by_source_norms("h").shape == (1, view.T)
    assert view.losses[:-1].sum() == 0 and view.losses[-1] == labelled.loss
    assert view_words(view) == ""
