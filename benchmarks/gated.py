"""Gated engines' speed: the engine (a full Trace and its gradients) against bare numpy loops.

One sequence of 25 steps, 100 hidden units, 65 symbols (one-hot inputs): forward, loss and
every gradient. Prints the median time per sequence of each and the ratios engine / bare,
against both bare styles of ``benchmarks/reference_gated.py``. Target: engine / lean <= 1.3.
Usage: python benchmarks/gated.py [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from benchmarks.reference_gated import gru_lean, gru_minchar, lstm_lean, lstm_minchar
from rnn.engine import run
from rnn.params import init_cell_params

HIDDEN, STEPS, SYMBOLS = 100, 25, 65


def _with_grads(trace):
    """The trace with its gradient totals taken (the bare loops return theirs)."""
    trace.grads  # noqa: B018  (a cached property: computed here, inside the timing)
    return trace


def runners(kind: str, X, inputs, targets, h0, cell0) -> dict:
    """The engine and both bare loops of one cell, each a call without arguments."""
    params = init_cell_params(kind, SYMBOLS, HIDDEN, SYMBOLS, seed=1)
    p = params.as_dict()
    if kind == "lstm":
        return {
            "engine": lambda: _with_grads(run(params, X, targets, {"h": h0, "cell": cell0})),
            "lean": lambda: lstm_lean(p, inputs, targets, h0, cell0),
            "minchar": lambda: lstm_minchar(p, inputs, targets, h0, cell0),
        }
    return {
        "engine": lambda: _with_grads(run(params, X, targets, h0)),
        "lean": lambda: gru_lean(p, inputs, targets, h0),
        "minchar": lambda: gru_minchar(p, inputs, targets, h0),
    }


def median_times(runs: dict, repeats: int) -> dict[str, float]:
    """Median seconds per call of each runner, interleaved so all see the same machine load."""
    times = {name: [] for name in runs}
    for _ in range(repeats):
        for name, fn in runs.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) for name, ts in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=2000, help="sequences per runner")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    symbols = rng.integers(0, SYMBOLS, size=STEPS + 1)
    inputs, targets = symbols[:-1], symbols[1:]
    X = np.eye(SYMBOLS)[inputs]  # (T, 65) one-hot rows
    h0 = rng.uniform(-0.5, 0.5, HIDDEN)
    cell0 = rng.uniform(-0.5, 0.5, HIDDEN)
    print(f"{STEPS} steps, {HIDDEN} hidden, {SYMBOLS} symbols, median of {args.repeats} "
          f"sequences per runner, numpy {np.__version__}")

    for kind in ("lstm", "gru"):
        runs = runners(kind, X, inputs, targets, h0, cell0)
        # the three compute the same numbers: show how closely
        engine = runs["engine"]()
        gaps = []
        for name in ("lean", "minchar"):
            loss, grads = runs[name]()[:2]
            gaps.append(abs(loss - engine.loss))
            gaps += [float(np.max(np.abs(grads[k] - engine.grads[k]))) for k in grads]
        t = median_times(runs, args.repeats)
        print(f"{kind.upper()}: engine {t['engine'] * 1e3:.3f} ms, bare lean "
              f"{t['lean'] * 1e3:.3f} ms, bare min-char {t['minchar'] * 1e3:.3f} ms per sequence")
        print(f"  ratio engine / lean {t['engine'] / t['lean']:.2f} (target <= 1.3), "
              f"engine / min-char {t['engine'] / t['minchar']:.2f}; "
              f"largest loss or gradient difference {max(gaps):.1e}")


if __name__ == "__main__":
    main()
