"""Every unit's tooltip writes its value as the sum its cell declares, and the terms on the
page add up to the recorded total: for every registered cell's kind of page, and for a cell
registered here only (two gates and a second state not named ``cell``), with no edit to the
page's code."""

from __future__ import annotations

import numpy as np
import pytest
from browser import browser, tab  # noqa: F401  (fixtures)
from keep_cell import KeepCell
from pages import joined, make_trace, matches_printed, recorded

from explore.page import page_html
from rnn.cells import Params, cell_names, get_cell, register, unregister
from rnn.data import char_sequence
from rnn.engine import run
from rnn.errors import UnrolledError
from rnn.learning.gradcheck import gradient_check

pytestmark = pytest.mark.xdist_group("explore-browser")  # one browser launch under -n too
TEXT = "hello wo"


@pytest.fixture(scope="module")
def keep():
    cell = register(KeepCell())
    yield cell
    unregister(cell.name)


def keep_trace(cell):
    vocabulary, X, y = char_sequence(TEXT)
    params = Params(cell, **cell.init(len(vocabulary), 3, len(vocabulary), seed=0))
    trace = run(params, X, y, h0=np.full(3, 0.3))
    trace.vocabulary = vocabulary
    return trace


def total_of(trace, name: str, kind: str) -> np.ndarray:
    """(T, H) the recorded array a declared sum's terms add up to."""
    if kind.startswith("gate-") and name == "pre":
        return joined(trace, lambda tr: tr.gate_pre(kind[5:]))
    return joined(trace, lambda tr: tr.states(name) if name in tr.spec.states else tr.parts[name])


def test_the_test_cell_is_a_correct_cell(keep):
    # its norms and parts are the page's numbers: its gradients pass the check first
    vocabulary, X, y = char_sequence(TEXT)
    params = Params(keep, **keep.init(len(vocabulary), 3, len(vocabulary), seed=0))
    errors = gradient_check(params, X, y)
    assert set(errors) == {*params.names, "h0", "m0"}  # every state the cell declares
    assert max(errors.values()) < 1e-6
    # its one-step backward gives the errors its per-path steps recorded
    tr = run(params, X, y)
    back = keep.begin_backward(params, {"h": tr.h, **tr.parts}, tr.state0)
    for t in (tr.T - 1, 3, 1):
        inside, sent = keep.back_step(params, back, t, {"h": tr.dL_dh[t],
                                                        "m": tr.dL_dm_from_next[t]})
        for name in ("dL_dm", "dL_dm_from_h", "dL_dpre"):
            np.testing.assert_allclose(inside[name], tr.parts[name][t], rtol=1e-13)
        np.testing.assert_allclose(sent["h"], tr.dL_dh_from_next[t - 1], rtol=1e-12)
        np.testing.assert_allclose(sent["m"], tr.dL_dm_from_next[t - 1], rtol=1e-13)


@pytest.mark.parametrize("cell", [*cell_names(), "keep-test"])  # every cell registered
def test_every_tooltip_adds_up_to_the_recorded_value(tab, tmp_path, keep, cell):
    trace = keep_trace(keep) if cell == "keep-test" else make_trace(cell)
    spec = get_cell(cell)
    # every gate and every state is declared, so no unit of the chain goes without its sum
    assert set(spec.sums) == set(spec.gates) | set(spec.states)
    path = tmp_path / f"{cell}.html"
    path.write_text(page_html(trace))
    page = tab(path)
    checked = 0
    for name, written in spec.sums.items():
        kind = f"gate-{name}" if name in spec.gates else name
        totals = total_of(trace, written.total, kind)
        for t in (1, 2, trace.T):
            for u in (0, 2):
                page.hover(f"[data-kind='{kind}'][data-t='{t}'][data-unit='{u}']")
                tooltip = page.locator("[role=tooltip]")
                value = tooltip.locator(".value").inner_text()
                assert matches_printed(value, recorded(trace, kind, t, u)), (kind, t, u)
                terms = [float(x) for x in tooltip.locator(".ux-tt-term").evaluate_all(
                    "ls => ls.map(l => l.dataset.term)")]
                assert terms  # (a product with a zero vector entry is counted, not written)
                assert np.isclose(sum(terms), totals[t - 1, u], rtol=1e-12, atol=1e-14), (
                    kind, t, u, sum(terms), totals[t - 1, u])
                assert f"({t})[{u}] = " in tooltip.inner_text()
                checked += 1
    assert checked == 6 * len(spec.sums)


def test_a_sum_naming_what_the_page_does_not_carry_is_refused(keep, monkeypatch):
    monkeypatch.setattr(KeepCell, "own_sums", {"m": keep.own_sums["m"].__class__(
        "m", ("k * memory@p",))})
    with pytest.raises(UnrolledError, match="memory"):
        page_html(keep_trace(keep))


def test_the_errors_travel_along_every_state_the_cell_carries(tab, tmp_path, keep):
    trace = keep_trace(keep)
    path = tmp_path / "keep.html"
    path.write_text(page_html(trace))
    page = tab(path)
    assert page.locator("[data-kind='m'][data-t='1']").count() == 3  # m drawn as a strip
    s = trace.T - 1
    page.click(f"[data-kind=loss][data-s='{s}']")
    arrows = page.evaluate("""[...document.querySelectorAll('[data-kind=error]')]
        .filter(e => e.style.display !== 'none')
        .map(e => [e.dataset.path, +e.dataset.t, e.dataset.norm])""")
    assert sorted({p for p, _, _ in arrows}) == ["h", "m"]
    for p, t, norm in arrows:  # the recorded norms, exactly, along h and along m
        assert float(norm) == trace.error_by_source_norms(p)[s - 1, t - 1]
    assert len(arrows) == 2 * s
