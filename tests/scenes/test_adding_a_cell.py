"""Adding a cell is one module and one registry line: the simple RNN with ReLU, registered here,
gets a Trace, a passing gradient check, truncation, a Trace file and the unfolded scenes through
the generic path only (torch's ``nn.RNN(nonlinearity="relu")``)."""

import numpy as np
import pytest

from rnn.cells import Params, get_cell, register, unregister
from rnn.cells.simple import SimpleRNN
from rnn.data import char_sequence
from rnn.engine import run
from rnn.learning.gradcheck import gradient_check
from rnn.learning.optim import Optimizer
from rnn.learning.truncated import run_truncated
from rnn.traces import files as trace_files
from scenes.beats.inputs import SceneInput
from scenes.bptt import BPTTScene
from scenes.components import ErrorArrow
from scenes.components.theme import format_value
from scenes.forward import ForwardScene


@pytest.fixture(scope="module")
def relu():
    # the one registry line (under its own name: rnn-relu is registered for imported models)
    cell = register(SimpleRNN(relu=True, name="relu-test"))
    yield cell
    unregister(cell.name)


@pytest.fixture(scope="module")
def problem(relu):
    """A ReLU RNN on a short text whose pre-activations stay clear of the kink at 0 (where
    the derivative jumps and finite differences would straddle it)."""
    vocabulary, X, y = char_sequence("hello there")
    V = len(vocabulary)
    params = Params(relu.name, **relu.init(V, 4, V, seed=3, init_scale=0.6))
    trace = run(params, X, y)
    assert np.abs(trace.a).min() > 1e-3
    trace.vocabulary = vocabulary
    return params, X, y, trace


def test_the_registry_knows_it_and_its_trace_follows_its_equations(relu, problem):
    params, X, y, trace = problem
    assert get_cell("relu-test") is relu and trace.kind == "relu-test"
    h_prev = trace.h_prev
    np.testing.assert_allclose(trace.a, params.b + h_prev @ params.W.T + X @ params.U.T,
                               rtol=1e-13)
    np.testing.assert_array_equal(trace.h, np.maximum(trace.a, 0.0))
    assert (trace.h == 0).any()  # some units are off: a ReLU, not a tanh
    np.testing.assert_array_equal(trace.dL_da, (trace.a > 0) * trace.dL_dh)


def test_its_gradients_pass_the_finite_difference_check(problem):
    params, X, y, _ = problem
    errors = gradient_check(params, X, y)
    assert set(errors) == {"U", "W", "V", "b", "c", "h0"}
    assert max(errors.values()) < 1e-6


def test_error_norms_and_truncation_come_through_the_generic_path(problem):
    params, X, y, trace = problem
    norms = trace.error_by_source_norms()
    vectors = trace.error_by_source()
    np.testing.assert_allclose(norms, np.linalg.norm(vectors, axis=2), rtol=1e-12)
    np.testing.assert_allclose(np.nansum(vectors, axis=0), trace.dL_dh, rtol=1e-10,
                               atol=1e-14)
    windows = run_truncated(params, X, y, 4, Optimizer())
    assert [w.kind for w in windows] == ["relu-test"] * 3
    np.testing.assert_array_equal(windows[1].h0, windows[0].h[-1])  # the state crosses a cut


def test_its_trace_file_round_trips(problem, tmp_path):
    _, _, _, trace = problem
    trace_files.save(tmp_path / "relu.json", trace)
    back = trace_files.load_any(tmp_path / "relu.json")
    assert back.kind == "relu-test"
    for name in ("h", "a", "dL_da", "dL_dh"):
        np.testing.assert_array_equal(getattr(back, name), getattr(trace, name))


def test_forward_and_bptt_draw_it(problem, tmp_path, dry_run):
    _, _, _, trace = problem
    forward = dry_run(ForwardScene, SceneInput(trace, values=True), tmp_path / "f")
    neuron = forward.stage.net.neurons("h", 3)[1]
    assert neuron.label.text == format_value(trace.h[2, 1])
    bptt = dry_run(BPTTScene, SceneInput(trace), tmp_path / "b")
    arrows = {id(m) for m in bptt.get_mobject_family_members() if isinstance(m, ErrorArrow)}
    assert len(arrows) == trace.T * (trace.T + 1) // 2  # one per loss term and earlier step
