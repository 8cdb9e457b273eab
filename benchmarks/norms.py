"""Error norms of every loss term at every step, ||dL(s)/dh(t)||, for a long, wide trace.

Records a 1000-step, 256-unit, 65-symbol trace, then times ``error_by_source_norms`` (all
sources carried back at once). Target: well under 10 s on 2 cores. Prints; asserts nothing.
Usage: python benchmarks/norms.py [--steps T] [--hidden H]
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._sizes import size_arguments  # noqa: E402
from rnn import run
from rnn.config import RNNConfig
from rnn.params import init_params


def main() -> None:
    args = size_arguments(__doc__)
    T, H, K = args.steps, args.hidden, args.vocab
    rng = np.random.default_rng(0)
    params = init_params(RNNConfig(input_size=K, hidden=H, output_size=K, seed=0,
                                   init_scale=0.1))
    X = np.eye(K)[rng.integers(0, K, size=T)]  # (T, K) one-hot
    y = rng.integers(0, K, size=T)

    start = time.perf_counter()
    trace = run(params, X, y)
    recorded = time.perf_counter() - start

    tracemalloc.start()
    start, cpu = time.perf_counter(), time.process_time()
    norms = trace.error_by_source_norms()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    full = T * T * H * 8 / 2**30  # what error_by_source() would hold
    print(f"trace {T} steps x {H} units x {K} symbols: recorded in {recorded:.2f} s")
    # CPU seconds of every BLAS thread: what it costs when other work shares the cores
    print(f"error_by_source_norms: {seconds:.2f} s ({cpu:.2f} s CPU), peak {peak / 2**20:.1f} MB "
          f"(the full vectors would be {full:.2f} GB), target < 10 s: ratio {seconds / 10:.2f}")
    print(f"finite norms: {int(np.isfinite(norms).sum())} of {T * (T + 1) // 2}")


if __name__ == "__main__":
    main()
