"""Rendering speed of the long-sequence views: wall seconds of rendering per second of video.

``activations`` and ``error-map`` at 200 steps x 128 units, 1080p60 (target: at most 1.2),
measured as ``benchmarks/long_chain.py`` measures the unfolded chain. Prints ratios; asserts
nothing. Usage: python benchmarks/views.py [--quality high] [--steps 200] [--hidden 128]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from long_chain import main

if __name__ == "__main__":
    main(steps=200, hidden=128, scenes="activations,error-map",
         description=__doc__.splitlines()[0])
