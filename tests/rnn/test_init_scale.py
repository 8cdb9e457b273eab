"""The simple RNN's default initialisation: min(0.5, 1/sqrt(H)), recorded in the Trace.

The default must keep every accepted width out of saturation along long texts (the README's
1000-step, 256-unit example overflowed with a fixed 0.5), while the 3-unit pictures keep
the weights they were drawn with. The full 10000-step, 1000-unit run is benchmarks/init_scale.py.
"""

import math

import numpy as np
import pytest

from rnn import RNNConfig, UnrolledError, init_params, run, text_model
from rnn.config import default_init_scale
from rnn.data import char_sequence
from rnn.limits import MAX_HIDDEN
from rnn.params import spectral_radius
from rnn.traces import files as trace_files


@pytest.mark.parametrize("H, scale", [(1, 0.5), (3, 0.5), (4, 0.5), (5, 1 / math.sqrt(5)),
                                      (256, 0.0625), (MAX_HIDDEN, 1 / math.sqrt(MAX_HIDDEN))])
def test_default_scale_is_half_up_to_4_units_then_one_over_root_h(H, scale):
    assert default_init_scale(H) == scale
    assert RNNConfig(hidden=H).init_scale == scale  # the number used is the number recorded


def test_an_explicit_scale_keeps_its_meaning():
    assert RNNConfig(hidden=256, init_scale=0.5).init_scale == 0.5
    wide = init_params(RNNConfig(3, 256, 3, seed=0, init_scale=0.5))
    assert np.std(wide.W) == pytest.approx(0.5, rel=0.02)


def test_the_3_unit_default_trace_is_that_of_scale_half():
    default = text_model("hello world", hidden=3, seed=0).trace()
    half = text_model("hello world", hidden=3, seed=0, init_scale=0.5).trace()
    assert trace_files.dumps(default) == trace_files.dumps(half)
    assert default.config.init_scale == 0.5


def test_a_document_records_the_number_and_refuses_a_null_scale():
    doc = RNNConfig(input_size=5, hidden=100, output_size=5).to_dict()
    assert doc["init_scale"] == 0.1
    with pytest.raises(UnrolledError, match="init_scale"):
        RNNConfig.from_dict({**doc, "init_scale": None})


def test_readme_sized_trace_stays_finite_with_defaults():
    # the README's example: 1000 steps, 256 units, default options (it overflowed with 0.5)
    text = "".join(chr(0x21 + (i * 7919) % 60) for i in range(1001))
    trace = text_model(text, hidden=256).trace()
    assert trace.config.init_scale == 0.0625
    assert trace.first_non_finite() is None  # the README's run stopped here at t=1
    assert np.abs(trace.dL_dh).max() < 1e2  # errors neither overflow nor blow up


def test_widest_network_keeps_its_recurrence_near_radius_one():
    # W ~ N(0, 1/H) has its eigenvalues in the unit disc (circular law) whatever H is
    H = MAX_HIDDEN
    text = "".join(chr(0x21 + (i * 7919) % 60) for i in range(1001))
    vocabulary, X, y = char_sequence(text)
    params = init_params(RNNConfig(len(vocabulary), H, len(vocabulary), seed=0))
    assert 0.9 < spectral_radius(params.W) < 1.1
    trace = run(params, X, y)  # forward and full BPTT, 1000 steps x 1000 units
    assert np.all(np.isfinite(trace.dL_dh)) and np.abs(trace.dL_dh).max() < 1e2
    assert np.abs(trace.h).mean() < 0.5  # the units are not saturated
