"""Rendering speed of a long LSTM chain: wall seconds of rendering per second of video.

``forward`` and ``bptt`` of an LSTM at 32 steps x 32 units, 1080p60, at reading pace
(target: at most 1.2; the simple RNN's scenes run at 0.8 to 1.0), measured as
``benchmarks/long_chain.py`` measures the simple RNN's chain. Prints ratios; asserts nothing.
Usage: python benchmarks/gated_chain.py [--quality high] [--steps 32] [--hidden 32] [--cell gru]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from long_chain import main

if __name__ == "__main__":
    main(steps=32, hidden=32, scenes="forward,bptt", cell="lstm",
         description=__doc__.splitlines()[0])
