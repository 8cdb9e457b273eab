"""Networks of every shape against central finite differences in float64.

Every parameter of every layer and direction, the head, and the inputs: the gradients the
network's BPTT records must equal (L(theta + e) - L(theta - e)) / 2e, an independent reference
that knows nothing of the backward pass.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnn.cells import Params
from rnn.engine import run
from rnn.network import Shape, init_network, run_network, suffix

CELLS = ("rnn", "rnn-relu", "lstm", "gru", "peephole", "cho-gru")
SHAPES = (Shape(2, True, "every"), Shape(3, False, "last"), Shape(1, True, "last"),
          Shape(2, False, "every"))
EPS = 1e-6


def _problem(cell: str, shape: Shape, T: int = 5, D: int = 3, H: int = 3, K: int = 4):
    params = init_network(cell, shape, D, H, K, seed=1)
    rng = np.random.default_rng(7)
    for name, array in params.as_dict().items():  # no ReLU unit sits exactly on its kink
        if name.startswith("b"):
            array += rng.uniform(-0.5, 0.5, array.shape)
    X = rng.standard_normal((T, D))
    y = rng.integers(0, K, T if shape.task == "every" else 1)
    return params, X, y


def _numeric(loss, a: np.ndarray, idx) -> float:
    old = a[idx]
    a[idx] = old + EPS
    plus = loss()
    a[idx] = old - EPS
    minus = loss()
    a[idx] = old
    return (plus - minus) / (2 * EPS)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("cell", CELLS)
def test_every_gradient_equals_central_differences(cell, shape):
    params, X, y = _problem(cell, shape)
    trace = run_network(params, X, y)
    loss = lambda: run_network(params, X, y).loss  # noqa: E731
    checked = 0
    for name, array in params.as_dict().items():
        for idx in np.ndindex(array.shape):
            numeric = _numeric(loss, array, idx)
            assert trace.grads[name][idx] == pytest.approx(numeric, rel=1e-6, abs=1e-7), (
                name, idx)
            checked += 1
    for idx in np.ndindex(X.shape):
        assert trace.input_errors[idx] == pytest.approx(_numeric(loss, X, idx), rel=1e-6,
                                                        abs=1e-7)
    assert checked == sum(a.size for a in params.as_dict().values())


@pytest.mark.parametrize("cell", ("lstm", "gru"))
def test_initial_states_gradients_equal_central_differences(cell):
    shape = Shape(2, True, "every")
    params, X, y = _problem(cell, shape)
    rng = np.random.default_rng(3)
    H = params.hidden_size
    state0 = {slot: {p: rng.standard_normal(H) for p in params.spec.states}
              for slot in shape.slots}
    trace = run_network(params, X, y, state0)
    loss = lambda: run_network(params, X, y, state0).loss  # noqa: E731
    for (l, d), states in state0.items():
        for p, value in states.items():
            for i in range(H):
                assert trace.grads[f"{p}0{suffix(l, d)}"][i] == pytest.approx(
                    _numeric(loss, value, i), rel=1e-6, abs=1e-7)


@pytest.mark.parametrize("cell", CELLS)
def test_one_layer_network_is_the_engine_bit_for_bit(cell):
    params, X, y = _problem(cell, Shape())
    alone = Params(cell, **{n.removesuffix("_l0"): a for n, a in params.as_dict().items()})
    net, one = run_network(params, X, y), run(alone, X, y)
    layer = net.layer(0)
    assert np.array_equal(net.losses, one.losses) and np.array_equal(net.o, one.o)
    assert np.array_equal(layer.h, one.h) and np.array_equal(layer.dL_dh, one.dL_dh)
    for name in alone.names:  # the head's sums are one matmul here, step by step in a cell
        key = name if name in ("V", "c") else name + "_l0"
        exact = key not in ("V", "c")
        assert np.allclose(net.grads[key], one.grads[name], rtol=0 if exact else 1e-14,
                           atol=0), name


def test_backward_direction_reads_the_sequence_from_its_end():
    """Reversing the inputs swaps the roles of the directions: the backward direction run on
    x(T..1) is the forward direction run on x(1..T), with the same weights."""
    shape = Shape(1, True, "every")
    params, X, y = _problem("gru", shape)
    swapped = {}
    for name, a in params.as_dict().items():
        if name.endswith("_reverse"):
            swapped[name.removesuffix("_reverse")] = a
        elif name.endswith("_l0"):
            swapped[name + "_reverse"] = a
    H = params.hidden_size
    swapped["V"] = np.hstack([params.V[:, H:], params.V[:, :H]])
    swapped["c"] = params.c
    mirror = params.with_arrays(swapped)
    a, b = run_network(params, X, y), run_network(mirror, X[::-1].copy(), y[::-1].copy())
    assert np.allclose(a.seq(0, 1, "h"), b.seq(0, 0, "h")[::-1], rtol=0, atol=1e-13)
    assert a.loss == pytest.approx(b.loss, rel=1e-13)


def test_one_label_reads_h_n_only():
    """With one label per sequence, the output reads h_n: changing the forward direction's
    state at step 1 alone (through x(1)) moves the loss only through the recurrence."""
    shape = Shape(1, True, "last")
    params, X, y = _problem("lstm", shape)
    trace = run_network(params, X, y)
    H = params.hidden_size
    top_f, top_b = trace.layer(0, 0), trace.layer(0, 1)
    assert np.array_equal(trace.features[0], np.concatenate([top_f.h[-1], top_b.h[-1]]))
    # the head's error reaches the top layer only at each direction's last step
    assert not top_f.dL_dh_from_output[:-1].any() and not top_b.dL_dh_from_output[:-1].any()
    assert np.allclose(top_f.dL_dh_from_output[-1], (trace.dL_do @ params.V)[0, :H])


@pytest.mark.parametrize("shape", (Shape(2, True, "every"), Shape(2, False, "last")), ids=str)
def test_errors_by_source_add_up_to_the_recorded_error(shape):
    """Each loss term's error, sent back alone through every layer, sums to dL/dh(t) of the
    full pass, in every layer and direction; one label per sequence has one source. (Below a
    two-way layer, h(t) reaches the losses before t too, through the backward direction.)"""
    params, X, y = _problem("lstm", shape)
    trace = run_network(params, X, y)
    for l, d in shape.slots:
        by_source = trace.error_by_source(l, d)
        assert by_source.shape == (len(trace.losses), trace.T, params.hidden_size)
        assert np.allclose(by_source.sum(axis=0), trace.seq(l, d, "dL_dh"), rtol=0, atol=1e-12)
        cells = trace.error_by_source(l, d, "cell").sum(axis=0)
        assert np.allclose(cells, trace.seq(l, d, "dL_dcell"), rtol=0, atol=1e-12)
    if shape.task == "every":  # the top forward direction: L(s) reaches no step after s
        norms = trace.error_by_source_norms(shape.layers - 1, 0)
        assert not np.triu(norms, k=1).any() and norms[np.tril_indices(trace.T)].all()
