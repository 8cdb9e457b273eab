"""Every cell's numbers against independent references: a plain numpy forward pass, central
finite differences in float64 for every gradient, and one backward pass per loss term for
the errors by source. Replaces the per-cell copies of these tests."""

import warnings

import numpy as np
import pytest
from every_cell import CELL_NAMES, random_problem, state_error
from references import REFERENCES, outputs

from rnn.engine import run
from rnn.errors import UnrolledError
from rnn.learning.gradcheck import gradient_check, numerical_gradients

SHAPES = [(1, 1, 1, 2), (4, 3, 3, 3), (6, 2, 4, 4)]  # (T, D, H, K)


def test_every_cell_has_a_reference():
    assert set(CELL_NAMES) <= set(REFERENCES), set(CELL_NAMES) - set(REFERENCES)


# Forward ----------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1])
def test_forward_matches_a_plain_reference(cell, seed):
    params, X, y, state0 = random_problem(cell, seed, 5, 3, 4, 3)
    trace = run(params, X, y, state0)
    want = REFERENCES[cell.name](params.as_dict(), X, state0)
    for p in cell.states:
        np.testing.assert_allclose(trace.states(p), want[p], rtol=1e-12, atol=1e-14)
    if cell.gates:
        np.testing.assert_allclose(trace.gates, want["gates"], rtol=1e-12, atol=1e-14)
    yhat, losses = outputs(params.as_dict(), want["h"], y)
    np.testing.assert_allclose(trace.yhat, yhat, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(trace.losses, losses, rtol=1e-12)


def test_states_are_given_by_name_or_one_by_one(cell):
    params, X, y, state0 = random_problem(cell, 2, 3, 2, 3, 3)
    by_dict = run(params, X, y, state0)
    by_keyword = run(params, X, y, **{f"{p}0": v for p, v in state0.items()})
    np.testing.assert_array_equal(by_dict.h, by_keyword.h)
    assert {p: v.tolist() for p, v in by_dict.state0.items()} == \
        {p: v.tolist() for p, v in state0.items()}
    zeros = run(params, X, y)
    assert not np.array_equal(zeros.h, by_dict.h)  # the states given were used
    np.testing.assert_array_equal(run(params, X, y, {p: np.zeros(3) for p in cell.states}).h,
                                  zeros.h)


def test_the_engine_refuses_a_state_it_has_not_or_of_the_wrong_shape(cell):
    params, X, y, state0 = random_problem(cell, 3, 3, 2, 2, 2)
    last = cell.states[-1]
    with pytest.raises(UnrolledError, match=f"{last}0 must have shape"):
        run(params, X, y, {**state0, last: np.zeros(3)})
    with pytest.raises(UnrolledError, match="carry0 is not a state"):
        run(params, X, y, carry0=np.zeros(2))
    with pytest.raises(UnrolledError, match="h0 is given twice"):
        run(params, X, y, state0, h0=np.zeros(2))


# Backward ---------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "T{}-D{}-H{}-K{}".format(*s))
def test_every_gradient_matches_finite_differences(cell, shape):
    params, X, y, state0 = random_problem(cell, sum(shape), *shape)
    errors = gradient_check(params, X, y, state0)
    assert set(errors) == {*cell.param_names, *(f"{p}0" for p in cell.states)}
    assert max(errors.values()) < 1e-6, errors


def test_finite_differences_detect_a_wrong_gradient(cell):
    params, X, y, state0 = random_problem(cell, 4, 4, 3, 3, 3)
    analytic = run(params, X, y, state0).grads
    numeric = numerical_gradients(params, X, y, state0)
    for name in (cell.recurrent or cell.param_names[1], f"{cell.states[-1]}0"):
        np.testing.assert_allclose(analytic[name], numeric[name], rtol=1e-7, atol=1e-9)
        wrong = analytic[name].copy()
        wrong[1] *= 1.001
        assert not np.allclose(wrong, numeric[name], rtol=1e-7, atol=1e-9)


def test_gradients_are_sums_of_per_step_contributions(cell):
    params, X, y, state0 = random_problem(cell, 5, 5, 2, 3, 3)
    trace = run(params, X, y, state0)
    for name in params.names:
        np.testing.assert_allclose(trace.contributions(name).sum(axis=0), trace.grads[name],
                                   rtol=1e-12, atol=1e-14)


# Errors, by part and by source ------------------------------------------------------------
def test_error_parts_sum_to_the_whole(cell):
    params, X, y, state0 = random_problem(cell, 7, 6, 3, 4, 3)
    trace = run(params, X, y, state0)
    np.testing.assert_array_equal(trace.dL_dh_from_output + trace.dL_dh_from_next, trace.dL_dh)
    np.testing.assert_array_equal(trace.dL_dh_from_next[-1], 0.0)
    np.testing.assert_allclose(trace.dL_dh_from_output, trace.dL_do @ params.V, rtol=1e-15)
    for p in cell.states[1:]:
        parts = trace.parts
        np.testing.assert_array_equal(parts[f"dL_d{p}_from_h"] + parts[f"dL_d{p}_from_next"],
                                      parts[f"dL_d{p}"])
        np.testing.assert_array_equal(parts[f"dL_d{p}_from_next"][-1], 0.0)


def brute_force_by_source(params, X, y, state0, path: str) -> np.ndarray:
    """[s, t] = dL(s)/d<path>(t), one full backward pass per source: the pass over steps
    1..s counts losses 1..s, the one over 1..s-1 counts 1..s-1; their difference is L(s)'s."""
    T, H = len(X), params.hidden_size
    out = np.full((T, T, H), np.nan)
    before = np.zeros((0, H))
    for s in range(T):
        now = state_error(run(params, X[:s + 1], y[:s + 1], state0), path)  # (s+1, H)
        out[s, :s] = now[:s] - before
        out[s, s] = now[s]
        before = now
    return out


def test_error_by_source_matches_a_backward_pass_per_source(cell):
    params, X, y, state0 = random_problem(cell, 11, 6, 2, 3, 4)
    trace = run(params, X, y, state0)
    for path in cell.paths:
        brute = brute_force_by_source(params, X, y, state0, path)
        norms = trace.error_by_source_norms(path)
        assert np.all(np.isnan(norms[np.triu_indices(6, 1)]))  # t > s: no error yet
        np.testing.assert_allclose(norms, np.linalg.norm(brute, axis=2), rtol=1e-9, atol=1e-13)
        vectors = trace.error_by_source(path)
        np.testing.assert_allclose(vectors, brute, rtol=1e-9, atol=1e-13)
        np.testing.assert_allclose(np.nansum(vectors, axis=0), state_error(trace, path),
                                   rtol=1e-12, atol=1e-15)
    diag = np.arange(trace.T)
    np.testing.assert_array_equal(trace.error_by_source()[diag, diag], trace.dL_dh_from_output)


def test_a_path_the_cell_has_not_is_refused(cell):
    params, X, y, state0 = random_problem(cell, 12, 3, 2, 2, 2)
    with pytest.raises(ValueError, match="errors travel along"):
        run(params, X, y, state0).error_by_source_norms("carry")


# Health ------------------------------------------------------------------------------------
def test_overflow_is_recorded_not_raised(cell):
    params, X, y, state0 = random_problem(cell, 23, 4, 2, 3, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        if cell.gates:  # exp(-pre) overflows: the gates saturate to exactly 0 or 1
            trace = run(params, X * 1e300, y, state0)
            assert trace.first_non_finite() is None
            assert set(np.unique(trace.gate(cell.keep_gate))) <= {0.0, 1.0}
        params.V[0, 0] = np.inf  # an infinite weight: the NaN is recorded and located
        trace = run(params, X, y, state0)
        assert trace.first_non_finite() == "o at t=1"
        assert not np.isfinite(trace.error_by_source_norms()[0, 0])


# A network's errors by source: every term's rows in one pass, against one pass per term -------
@pytest.mark.parametrize("shape", [dict(num_layers=2, bidirectional=True), dict(num_layers=3),
                                   dict(num_layers=2, bidirectional=True, label="b",
                                        classes="a,b")])
def test_a_networks_error_norms_equal_one_backward_pass_per_loss_term(cell, shape, monkeypatch):
    from rnn.studies import network_norms
    from rnn.model import text_model

    trace = text_model("abcab cab", 3, seed=2, cell=cell.name, **shape).trace()
    monkeypatch.setattr(network_norms, "BLOCK_BYTES", 3000)  # the terms in several blocks
    norms = trace.error_norms()
    assert set(norms) == {(l, d, p) for l, d in trace.shape.slots for p in cell.paths}
    for (l, d, p), got in norms.items():
        want = np.linalg.norm(trace.error_by_source(l, d, p), axis=2)  # S separate passes
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
        if l == trace.shape.layers - 1:  # the top rows' errors at least are not all zero
            assert np.any(want > 0)
