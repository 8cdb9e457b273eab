"""Rendering speed of a stacked two-way chain: wall seconds of rendering per second of video.

``forward`` and ``bptt`` of a 2-layer bidirectional LSTM at 32 steps x 16 units, 1080p60, at
reading pace (target: at most 1.2), measured as ``benchmarks/long_chain.py`` measures the
one-layer chain. Prints ratios; asserts nothing.
Usage: python benchmarks/shapes_chain.py [--quality high] [--steps 32] [--hidden 16]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from long_chain import main

if __name__ == "__main__":
    main(steps=32, hidden=16, scenes="forward,bptt", cell="lstm", num_layers=2,
         bidirectional=True, description=__doc__.splitlines()[0])
