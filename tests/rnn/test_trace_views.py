"""The Trace's read-only views for long sequences: characters, guesses, unit rankings."""

import numpy as np

from rnn import text_model


def _trace():
    return text_model("ab cd\nefg\nab", hidden=5, seed=3).trace()


def test_input_chars_are_the_text_without_its_last_character():
    assert "".join(_trace().input_chars()) == "ab cd\nefg\na"


def test_top_guesses_are_the_most_probable_characters_in_order():
    tr = _trace()
    top = tr.top_guesses(3)
    assert top.shape == (tr.T, 3)
    for t in range(tr.T):
        p = tr.yhat[t]
        assert p[top[t, 0]] == p.max()
        assert p[top[t, 0]] >= p[top[t, 1]] >= p[top[t, 2]]
        assert (np.sort(p)[::-1][3:] <= p[top[t, 2]]).all()


def test_units_by_variance_puts_the_most_varied_unit_first():
    tr = _trace()
    order = tr.units_by_variance()
    var = [np.var(tr.h[:, u]) for u in order]
    assert sorted(order.tolist()) == list(range(5))
    assert var == sorted(var, reverse=True)


def test_line_positions_count_from_each_line_start():
    assert _trace().line_positions().tolist() == [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 0]


def test_unit_correlations_are_pearson_r_and_zero_for_a_constant_feature():
    tr = _trace()
    feature = tr.line_positions()
    r = tr.unit_correlations(feature)
    for u in range(5):
        assert np.isclose(r[u], np.corrcoef(tr.h[:, u], feature)[0, 1])
    assert (tr.unit_correlations(np.ones(tr.T)) == 0).all()
