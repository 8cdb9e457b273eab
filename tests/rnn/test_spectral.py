"""Building W with a chosen spectral radius, for vanishing and exploding demonstrations."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnn import RNNConfig, UnrolledError, init_params, text_model
from rnn.params import spectral_radius, with_spectral_radius


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), H=st.integers(1, 12),
       radius=st.floats(0.05, 3.0, allow_nan=False))
def test_radius_is_hit_within_1e_9(seed, H, radius):
    params = init_params(RNNConfig(3, H, 3, seed=seed, radius=radius))
    assert abs(spectral_radius(params.W) - radius) < 1e-9


def test_the_radius_of_a_rotation():
    assert spectral_radius(np.array([[0.0, 2.0], [-2.0, 0.0]])) == pytest.approx(2.0)


def test_small_radius_vanishes_large_radius_explodes():
    text = "abcdefghijabcdefghij"
    small = text_model(text, hidden=6, seed=1, init_scale=0.1, radius=0.5).trace()
    large = text_model(text, hidden=6, seed=1, init_scale=0.1, radius=1.8).trace()
    # dh(s)/dh(1) over 12 steps: a contraction for radius 0.5
    assert small.jacobian_norms()[12, 0] < 1e-3
    assert large.jacobian_norms()[12, 0] > small.jacobian_norms()[12, 0] * 1e3


@pytest.mark.parametrize("radius", [0.0, -1.0])
def test_bad_radius(radius):
    with pytest.raises(UnrolledError, match="radius"):
        with_spectral_radius(np.eye(2), radius)
    with pytest.raises(UnrolledError, match="radius"):
        RNNConfig(radius=radius)
