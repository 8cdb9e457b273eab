"""The network engine's speed: a 2-layer LSTM (a full NetworkTrace and its gradients) against
a bare numpy loop.

One sequence of 25 steps, 100 hidden units a layer, 65 symbols (one-hot inputs): forward,
loss and every gradient. Prints the median time per sequence of each and the ratio engine /
lean (``benchmarks/reference_stacked.py``). Target: engine / lean <= 1.3.
Usage: python benchmarks/stacked.py [--repeats N]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from benchmarks.gated import median_times
from benchmarks.reference_stacked import stacked_lstm_lean
from rnn.network import Shape, init_network, run_network

HIDDEN, STEPS, SYMBOLS = 100, 25, 65


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=1000, help="sequences per runner")
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    symbols = rng.integers(0, SYMBOLS, size=STEPS + 1)
    inputs, targets = symbols[:-1], symbols[1:]
    X = np.eye(SYMBOLS)[inputs]  # (T, 65) one-hot rows
    params = init_network("lstm", Shape(2), SYMBOLS, HIDDEN, SYMBOLS, seed=1)
    p = params.as_dict()

    def engine():
        trace = run_network(params, X, targets)
        trace.grads  # noqa: B018  (a cached property: computed here, inside the timing)
        return trace

    runs = {"engine": engine, "lean": lambda: stacked_lstm_lean(p, inputs, targets)}
    got = engine()
    loss, grads = runs["lean"]()
    gap = max([abs(loss - got.loss)] + [float(np.max(np.abs(grads[k] - got.grads[k])))
                                         for k in grads])
    t = median_times(runs, args.repeats)
    print(f"2-layer LSTM, {STEPS} steps, {HIDDEN} hidden, {SYMBOLS} symbols, median of "
          f"{args.repeats} sequences per runner, numpy {np.__version__}")
    print(f"engine {t['engine'] * 1e3:.3f} ms, bare lean {t['lean'] * 1e3:.3f} ms per sequence")
    print(f"ratio engine / lean {t['engine'] / t['lean']:.2f} (target <= 1.3); largest loss "
          f"or gradient difference {gap:.1e}")


if __name__ == "__main__":
    main()
