"""Every loss term's error norms through a network, all terms at once against one pass per term.

A 2-layer bidirectional LSTM, 400 steps x 16 units (what a long network's explore page needs):
times ``NetworkTrace.error_norms`` (every term's rows carried through one backward pass per
layer direction) and the same norms from one backward pass per loss term, and prints both,
their ratio and the largest difference. Target: the page's norms under 2 s. Asserts nothing.
Usage: python benchmarks/network_norms.py [--steps T] [--hidden H]
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rnn.model import text_model  # noqa: E402
from rnn.network import _backward, in_own_order  # noqa: E402


def per_term(trace) -> dict:
    """The norms as they were computed before: one backward pass per loss term."""
    recs, starts = trace._forward
    out = {(l, d, p): np.empty((len(trace.losses), trace.T))
           for l, d in trace.shape.slots for p in trace.spec.paths}
    with np.errstate(all="ignore"):
        for s in range(len(trace.losses)):
            alone = np.zeros_like(trace.dL_do)
            alone[s] = trace.dL_do[s]
            layers, _ = _backward(trace.params, recs, starts, alone)
            for (l, d, p), norms in out.items():
                tr = layers[(l, d)]
                e = in_own_order(tr.dL_dh if p == "h" else getattr(tr, f"dL_d{p}"), d)
                norms[s] = np.sqrt(np.einsum("th,th->t", e, e))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--hidden", type=int, default=16)
    args = ap.parse_args()
    text = ("the quick brown fox jumps over the lazy dog " * (args.steps // 40 + 1))
    trace = text_model(text[:args.steps + 1], args.hidden, cell="lstm", num_layers=2,
                       bidirectional=True).trace()

    start = time.perf_counter()
    fast = trace.error_norms()
    together = time.perf_counter() - start
    del trace.__dict__["_norms"]  # again, for the memory only (tracing slows it down)
    tracemalloc.start()
    trace.error_norms()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    start = time.perf_counter()
    slow = per_term(trace)
    alone = time.perf_counter() - start

    worst = max(float(np.nanmax(np.abs(fast[k] - slow[k]) / np.maximum(np.abs(slow[k]), 1e-300)))
                for k in slow)
    print(f"2-layer bidirectional LSTM, {trace.T} steps x {args.hidden} units, "
          f"{len(trace.losses)} loss terms")
    print(f"every term at once: {together:.2f} s (peak {peak / 2**20:.1f} MB); one pass per "
          f"term: {alone:.2f} s; ratio {alone / together:.1f}x; target < 2 s: ratio "
          f"{together / 2:.2f}")
    print(f"largest relative difference: {worst:.1e}")


if __name__ == "__main__":
    main()
