"""Engine speed: a truncated-BPTT training run through rnn/ against the bare reference loop.

Prints the ratio measured in one run (same text, same windows, same sizes). Target: < 2.0.
Usage: python benchmarks/engine.py [--iterations N]
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

from benchmarks.reference_loop import train_reference  # noqa: E402
from rnn.data import Vocabulary  # noqa: E402
from rnn.learning.train import TrainConfig, train  # noqa: E402


def corpus() -> str:
    """Enough varied text from the project's own sources (no downloads)."""
    root = Path(__file__).resolve().parents[1]
    return "".join(p.read_text() for p in sorted((root / "rnn").glob("*.py")))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--iterations", type=int, default=10_000, help="windows of 25 steps")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    text = corpus()
    vocab = Vocabulary.from_text(text)
    data = vocab.encode(text)
    cfg = TrainConfig(hidden=100, window=25, iterations=args.iterations, sample_every=0)
    engine_t, ref_t = [], []
    for _ in range(args.repeats):  # interleaved so both see the same machine load
        t0 = time.perf_counter()
        train(text, cfg)
        engine_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        train_reference(data, len(vocab), 100, 25, args.iterations)
        ref_t.append(time.perf_counter() - t0)
    e, r = statistics.median(engine_t), statistics.median(ref_t)
    steps = args.iterations * 25
    print(f"text {len(text)} chars, vocabulary {len(vocab)}, hidden 100, windows of 25, "
          f"{args.iterations} windows ({steps} steps), median of {args.repeats}")
    print(f"engine (rnn.learning.train, full Trace per window): {e:8.2f} s  {e / args.iterations * 1e3:.3f} ms/window")
    print(f"bare reference loop:                       {r:8.2f} s  {r / args.iterations * 1e3:.3f} ms/window")
    print(f"ratio engine / reference: {e / r:.2f}  (target < 2.0)")


if __name__ == "__main__":
    main()
