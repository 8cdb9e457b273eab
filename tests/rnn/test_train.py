"""Training loop, checkpoints and exploding values."""

import numpy as np
import pytest

from rnn import UnrolledError, text_model
from rnn.files.checkpoint import load_checkpoint, save_checkpoint
from rnn.learning.train import TrainConfig, train

TEXT = "abcabcabdabcabcabd" * 8


def test_training_lowers_the_loss():
    result = train(TEXT, TrainConfig(hidden=12, window=6, iterations=300, sample_every=0))
    first, last = np.mean(result.losses[:20]), np.mean(result.losses[-20:])
    assert last < 0.5 * first


def test_training_is_deterministic():
    cfg = TrainConfig(hidden=8, window=5, iterations=40, sample_every=0)
    a, b = train(TEXT, cfg), train(TEXT, cfg)
    assert np.array_equal(a.params.W, b.params.W) and a.losses == b.losses


def test_samples_are_reported():
    seen = []
    train(TEXT, TrainConfig(hidden=8, window=5, iterations=20, sample_every=10, sample_length=7),
          on_sample=lambda n, s: seen.append((n, s)))
    assert [n for n, _ in seen] == [10, 20]
    assert all(len(s) == 7 and set(s) <= set(TEXT) for _, s in seen)


def test_divergence_is_reported_not_crashed():
    with pytest.raises(UnrolledError, match="diverged at iteration"):
        train(TEXT, TrainConfig(hidden=8, window=5, iterations=50, method="sgd", lr=1e308,
                                clip=None, sample_every=0, init_scale=1.0))


def test_checkpoint_round_trip_and_weights(tmp_path):
    result = train(TEXT, TrainConfig(hidden=6, window=5, iterations=5, sample_every=0))
    path = tmp_path / "w.npz"
    save_checkpoint(path, result.params, result.vocabulary, {"iterations": 5})
    params, vocab, meta = load_checkpoint(path)
    assert np.array_equal(params.V, result.params.V) and vocab == result.vocabulary
    assert meta == {"iterations": 5}
    tr = text_model("abcd", weights=path).trace()
    assert np.array_equal(tr.params.W, result.params.W) and tr.params.hidden_size == 6


def test_bad_checkpoints(tmp_path):
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    with pytest.raises(UnrolledError, match="not a valid checkpoint"):
        load_checkpoint(junk)
    partial = tmp_path / "partial.npz"
    np.savez(partial, U=np.zeros((2, 2)))
    with pytest.raises(UnrolledError, match="missing"):
        load_checkpoint(partial)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, U=np.zeros((2, 2)), W=np.zeros((2, 2)), V=np.zeros((2, 2)), b=np.zeros(2),
             c=np.zeros(2), vocabulary=np.array([{"a": 1}], dtype=object), meta=np.array("{}"))
    with pytest.raises(UnrolledError):
        load_checkpoint(pickled)


def test_exploding_forward_is_recorded_not_crashed():
    model = text_model("hello", init_scale=6e307)  # finite weights whose sums overflow
    assert all(np.isfinite(m).all() for m in model.params.as_dict().values())
    tr = model.trace()
    assert not np.isfinite(tr.a).all()
    assert tr.first_non_finite() is not None
    with pytest.raises(UnrolledError, match="overflows"):
        text_model("hello", init_scale=1e308)


def test_training_matches_an_independent_min_char_rnn_loop():
    # The bare reference loop shares nothing with rnn/ but the seed's draw order.
    from benchmarks.reference_loop import train_reference
    from rnn import Vocabulary

    vocab = Vocabulary.from_text(TEXT)
    cfg = TrainConfig(hidden=10, window=7, iterations=60, sample_every=0, init_scale=0.1)
    ours = train(TEXT, cfg).losses
    ref = train_reference(vocab.encode(TEXT), len(vocab), 10, 7, 60, init_scale=0.1)
    np.testing.assert_allclose(ours, ref, rtol=1e-10)
