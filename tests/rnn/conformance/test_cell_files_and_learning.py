"""Every cell through the files (JSON and .npz Traces, checkpoints), truncation, training and
sampling: every state it declares is written, read back and carried."""

import numpy as np
import pytest
from every_cell import random_problem

from rnn.data import Vocabulary
from rnn.engine import run
from rnn.files.checkpoint import load_any_checkpoint, save_checkpoint
from rnn.learning.optim import Optimizer
from rnn.learning.train import TrainConfig, train
from rnn.learning.truncated import run_truncated
from rnn.model import text_model
from rnn.studies.problems import truncated_gradients
from rnn.traces import files as trace_files

TEXT = "hello there"


def assert_same_trace(back, trace):
    assert back.kind == trace.kind
    for name in ("X", "h", "o", "yhat", "losses", "dL_dh", "dL_dh_from_output",
                 "dL_dh_from_next", "h0", "dL_dh0"):
        np.testing.assert_array_equal(getattr(back, name), getattr(trace, name), err_msg=name)
    assert set(back.parts) == set(trace.parts)
    for name, value in trace.parts.items():
        np.testing.assert_array_equal(back.parts[name], value, err_msg=name)
    for p in trace.spec.states[1:]:  # every other state's start and the error it receives
        np.testing.assert_array_equal(back.start[p], trace.start[p])
        np.testing.assert_array_equal(back.start_errors[p], trace.start_errors[p])
    for name, g in trace.grads.items():
        np.testing.assert_array_equal(back.grads[name], g, err_msg=name)
    for p in trace.spec.paths:
        np.testing.assert_array_equal(back.error_by_source_norms(p),
                                      trace.error_by_source_norms(p))


@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_a_trace_file_round_trips(cell, suffix, tmp_path):
    params, X, y, state0 = random_problem(cell, 31, 5, 3, 3, 3)
    trace = run(params, X, y, state0)
    trace.vocabulary = Vocabulary(("a", "b", "c"))
    trace_files.save(tmp_path / f"t{suffix}", trace)
    assert_same_trace(trace_files.load_any(tmp_path / f"t{suffix}"), trace)


@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_the_windows_of_a_truncated_run_round_trip(cell, suffix, tmp_path):
    windows = text_model(TEXT, hidden=3, seed=1, cell=cell.name).windows(4)
    trace_files.save(tmp_path / f"w{suffix}", windows)
    back = trace_files.load_any(tmp_path / f"w{suffix}")
    assert len(back) == len(windows) == 3
    for b, w in zip(back, windows, strict=True):
        assert_same_trace(b, w)
        assert b.update.params_after == w.update.params_after


def test_a_checkpoint_round_trips(cell, tmp_path):
    params, *_ = random_problem(cell, 32, 2, 3, 4, 3)
    save_checkpoint(tmp_path / "w.npz", params, Vocabulary(("a", "b", "c")), {"seed": 32})
    back, vocabulary, meta = load_any_checkpoint(tmp_path / "w.npz")
    assert back == params and back.kind == cell.name
    assert vocabulary.chars == ("a", "b", "c") and meta == {"seed": 32}


# Truncation -------------------------------------------------------------------------------
def test_every_state_crosses_a_cut_and_no_error_does(cell):
    params, X, y, state0 = random_problem(cell, 33, 10, 3, 3, 3)
    windows = run_truncated(params, X, y, 4, Optimizer(), state0)
    assert [w.T for w in windows] == [4, 4, 2]
    for p in cell.states:
        np.testing.assert_array_equal(windows[0].state0[p], state0[p])
        for before, after in zip(windows, windows[1:]):
            np.testing.assert_array_equal(after.state0[p], before.states(p)[-1])
    for before, after in zip(windows, windows[1:]):
        assert after.params == before.update.params_after
    # the parameters held fixed, the forward pass across the cuts is the full one, and the
    # gradients lose exactly the errors that would cross a cut
    full = run(params, X, y, state0)
    cut = truncated_gradients(params, X, y, 4, state0)
    whole = truncated_gradients(params, X, y, 10, state0)
    for name in params.names:
        np.testing.assert_array_equal(whole[name], full.grads[name])
    assert any(not np.array_equal(cut[n], full.grads[n]) for n in params.names)
    for w, last in ((windows[0], 3), (windows[1], 7)):  # nothing reaches h(t) across a cut
        np.testing.assert_array_equal(w.dL_dh_from_next[-1], 0.0)
        assert np.any(full.dL_dh_from_next[last] != 0.0)


def test_one_window_over_the_whole_sequence_is_full_bptt(cell):
    params, X, y, state0 = random_problem(cell, 34, 6, 3, 3, 3)
    (only,) = run_truncated(params, X, y, 6, Optimizer(), **{f"{p}0": v for p, v in
                                                              state0.items()})
    full = run(params, X, y, state0)
    for name, g in full.grads.items():
        np.testing.assert_array_equal(only.grads[name], g)


# Training ---------------------------------------------------------------------------------
def test_a_few_iterations_of_training_lower_the_loss_and_sample(cell):
    samples = []
    cfg = TrainConfig(hidden=6, window=8, iterations=12, lr=0.1, seed=2, cell=cell.name,
                      sample_every=6, sample_length=7)
    result = train("hello hello", cfg, on_sample=lambda n, s: samples.append((n, s)))
    assert result.params.kind == cell.name and len(result.losses) == 12
    # 11 characters, windows of 8: every second window starts again, from fresh states
    assert result.losses[-2] < result.losses[0] and result.losses[-1] < result.losses[1]
    assert [n for n, _ in samples] == [6, 12]
    assert all(len(s) == 7 and set(s) <= set("helo ") for _, s in samples)
