"""The carousel task and the gated text model: what the carousel scene claims is measured here."""

from __future__ import annotations

import numpy as np
import pytest

from rnn.engine import run
from rnn.errors import UnrolledError
from rnn.model import text_model
from rnn.studies.carousel import MIN_STEPS, VOCABULARY, carousel_task, forget_products, run_carousel


@pytest.fixture(scope="module")
def default():
    return run_carousel()


def test_only_the_last_target_depends_on_the_first_input(default):
    T = default.steps
    assert T >= MIN_STEPS
    assert default.targets == "." * (T - 1) + default.inputs[0]
    assert default.inputs[0] in "ab" and default.inputs[-1] == "?"
    assert set(default.inputs[1:-1]) <= set("wxyz")
    other = carousel_task(T, seed=3)
    assert carousel_task(T, seed=3) == other  # deterministic


def test_the_forget_product_is_the_product_of_the_recorded_gates(default):
    f = default.lstm.gate("f")  # (T, H)
    T = default.steps
    for t in (1, 2, T // 2, T - 1, T):
        expected = np.mean([np.prod(f[t:, j]) for j in range(default.hidden)])
        assert default.forget_product[t - 1] == pytest.approx(expected, rel=1e-12)
    assert default.forget_product[-1] == 1.0
    assert forget_products(np.full((3, 2), 0.5)).tolist() == [0.25, 0.5, 1.0]


def test_the_norms_are_the_last_loss_terms_rows(default):
    T = default.steps
    assert np.array_equal(default.rnn_error, default.rnn.error_by_source_norms()[T - 1])
    assert np.array_equal(default.lstm_error, default.lstm.error_by_source_norms()[T - 1])
    assert np.array_equal(default.lstm_cell_error,
                          default.lstm.cell_error_by_source_norms()[T - 1])
    assert np.array_equal(default.rnn_jacobian, default.rnn.jacobian_norms()[T - 1])
    # the cell path alone: dL(T)/dcell(T) times the product of forget gates, unit by unit
    f = default.lstm.gate("f")
    last = default.lstm.cell_error_by_source()[T - 1, T - 1]
    assert np.linalg.norm(last) == pytest.approx(default.lstm_cell_error[T - 1])
    assert default.lstm_cell_error[T - 2] >= 0.0 and np.all(f > 0) and np.all(f < 1)


def test_with_forget_bias_1_the_lstm_keeps_far_more_error_at_step_1(default):
    assert default.forget_bias == 1.0
    assert default.lstm_error[0] > 1e6 * default.rnn_error[0]
    assert default.lstm_cell_error[0] > 1e6 * default.rnn_error[0]
    assert default.forget_product[0] > 1e6 * default.rnn_jacobian[0]
    # the bias is what does it: with torch's default 0 the gap shrinks by orders of magnitude
    plain = run_carousel(forget_bias=0.0)
    assert plain.lstm_error[0] < 1e-3 * default.lstm_error[0]
    assert np.array_equal(plain.rnn_error, default.rnn_error)  # the RNN does not change


def test_the_lstm_is_the_same_cell_with_its_forget_bias(default):
    p = default.lstm.params
    again = run(p, default.lstm.X, default.lstm.targets)
    assert np.array_equal(again.h, default.lstm.h)
    zero = run_carousel(forget_bias=0.0).lstm.params
    assert np.allclose(p.block("b_hh", "f") - zero.block("b_hh", "f"), 1.0)
    assert np.array_equal(p.block("b_hh", "i"), zero.block("b_hh", "i"))


def test_profiles_run_back_from_the_last_step(default):
    distance, log_norm = default.profile("lstm_error")
    assert distance.tolist() == list(range(default.steps))
    assert log_norm[0] == pytest.approx(np.log10(default.lstm_error[-1]))
    assert log_norm[-1] == pytest.approx(np.log10(default.lstm_error[0]))
    with pytest.raises(UnrolledError, match="unknown profile"):
        default.profile("nope")


@pytest.mark.parametrize("kwargs, match", [
    ({"steps": 10}, "steps"), ({"steps": 1000}, "steps"), ({"hidden": 0}, "hidden"),
    ({"forget_bias": float("nan")}, "forget_bias"), ({"steps": True}, "steps"),
])
def test_bad_settings_are_one_clear_error(kwargs, match):
    with pytest.raises(UnrolledError, match=match) as err:
        run_carousel(**kwargs)
    assert "\n" not in str(err.value)


def test_the_vocabulary_holds_every_symbol():
    assert len(VOCABULARY) == 8 and "".join(VOCABULARY.chars) == "abwxyz?."


@pytest.mark.parametrize("cell, G", [("lstm", 4), ("gru", 3)])
def test_gated_text_model_on_a_text(cell, G):
    model = text_model("hello", cell=cell, hidden=3, seed=0)
    trace = model.trace()
    assert trace.kind == cell and trace.gates.shape == (4, G, 3)
    assert model.vocabulary.decode(model.y) == "ello"
    assert trace.extra["text"] == "hello" and trace.vocabulary is model.vocabulary
    again = text_model("hello", cell=cell, hidden=3, seed=0).trace()
    assert np.array_equal(again.h, trace.h)  # same arguments, same numbers


def test_gated_text_model_forget_bias():
    plain = text_model("hello", cell="lstm", hidden=3, seed=0, forget_bias=0.0).params
    biased = text_model("hello", cell="lstm", hidden=3, seed=0, forget_bias=1.0).params
    assert np.allclose(biased.block("b_hh", "f") - plain.block("b_hh", "f"), 1.0)
    default = text_model("hello", cell="lstm", hidden=3, seed=0).params  # the cell's default: 1
    assert np.array_equal(default.b_hh, biased.b_hh)
    with pytest.raises(UnrolledError, match="LSTM only"):
        text_model("hello", cell="gru", forget_bias=1.0)
    with pytest.raises(UnrolledError, match="cell must be"):
        text_model("hello", cell="tree")
