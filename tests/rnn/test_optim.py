"""SGD, Adagrad and both kinds of clipping against hand-computed cases."""

import numpy as np
import pytest

from rnn import Optimizer, Params, UnrolledError
from rnn.learning.optim import clip_gradients, global_norm


def tiny_params():
    return Params(U=[[1.0]], W=[[0.5]], V=[[2.0]], b=[0.0], c=[-1.0])


def grads(u, w, v, b, c):
    return {"U": np.array([[u]]), "W": np.array([[w]]), "V": np.array([[v]]),
            "b": np.array([b]), "c": np.array([c])}


def test_sgd_step():
    up = Optimizer("sgd", lr=0.5).step(tiny_params(), grads(2.0, -1.0, 0.0, 4.0, 1.0))
    after = up.params_after
    assert after.U[0, 0] == 0.0 and after.W[0, 0] == 1.0 and after.V[0, 0] == 2.0
    assert after.b[0] == -2.0 and after.c[0] == -1.5
    assert up.grad_norm == pytest.approx(np.sqrt(4 + 1 + 0 + 16 + 1))


def test_adagrad_two_steps_keep_memory():
    opt = Optimizer("adagrad", lr=0.1, eps=0.0)
    p1 = opt.step(tiny_params(), grads(3.0, 0, 0, 0, 0)).params_after
    assert p1.U[0, 0] == pytest.approx(1.0 - 0.1 * 3 / 3)  # mem 9
    p2 = opt.step(p1, grads(4.0, 0, 0, 0, 0)).params_after
    assert p2.U[0, 0] == pytest.approx(0.9 - 0.1 * 4 / 5)  # mem 9 + 16 = 25


def test_value_clipping_is_element_wise():
    g = clip_gradients(grads(7.0, -9.0, 0.5, -0.5, 5.0), 5.0, "value")
    assert [float(g[n].ravel()[0]) for n in "UWVbc"] == [5.0, -5.0, 0.5, -0.5, 5.0]


def test_norm_clipping_rescales_to_threshold():
    g = grads(3.0, 4.0, 0.0, 0.0, 0.0)  # norm 5
    clipped = clip_gradients(g, 1.0, "norm")
    assert global_norm(clipped) == pytest.approx(1.0)
    assert clipped["U"][0, 0] == pytest.approx(0.6) and clipped["W"][0, 0] == pytest.approx(0.8)
    untouched = clip_gradients(g, 10.0, "norm")
    assert untouched["U"][0, 0] == 3.0


def test_update_records_norm_before_and_after():
    up = Optimizer("sgd", 1.0, clip=1.0, clip_mode="norm").step(tiny_params(),
                                                                grads(3.0, 4.0, 0, 0, 0))
    assert up.grad_norm == pytest.approx(5.0)
    assert up.grad_norm_clipped == pytest.approx(1.0)
    assert up.params_after.U[0, 0] == pytest.approx(1.0 - 0.6)


@pytest.mark.parametrize("kw", [dict(method="adam"), dict(lr=0.0), dict(clip=-1.0),
                                dict(clip_mode="max")])
def test_bad_settings(kw):
    with pytest.raises(UnrolledError):
        Optimizer(**kw)
