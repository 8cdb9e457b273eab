"""The size options of the benchmarks that record one long, wide trace: steps, hidden, vocab."""

from __future__ import annotations

import argparse


def size_arguments(doc: str, steps: int = 1000, hidden: int = 256, vocab: int = 65):
    """``--steps``, ``--hidden`` and ``--vocab`` parsed from the command line (T, H, K)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--steps", type=int, default=steps)
    parser.add_argument("--hidden", type=int, default=hidden)
    parser.add_argument("--vocab", type=int, default=vocab)
    return parser.parse_args()
