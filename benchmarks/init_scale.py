"""The default initialisation at the widest accepted size: 10000 steps x 1000 units.

Runs forward and full BPTT (``rnn.run``) over a 10000-step, 65-symbol text with 1000 hidden
units, weights at the default scale min(0.5, 1/sqrt(H)) and, for contrast, at the former fixed
0.5, each in a fresh interpreter whose peak resident memory (``ru_maxrss``) is its own. Prints
the time, the memory, W's spectral radius, the largest |dL/dh| and the mean |h| (saturation);
asserts nothing. The error norms of every (s, t) are not taken: at this size `trace` needs a
window (rnn.limits.MAX_TRACE_SECONDS), and a window only shortens the chain measured here.
Usage: python benchmarks/init_scale.py [--steps T] [--hidden H]
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._sizes import size_arguments  # noqa: E402

CHILD = """
import json, resource, sys, time
import numpy as np
sys.path.insert(0, {root!r})
from rnn import RNNConfig, init_params, run
from rnn.data import char_sequence
from rnn.params import spectral_radius

T, H, K, scale = {steps}, {hidden}, {vocab}, {scale!r}
rng = np.random.default_rng(0)
alphabet = [chr(0x21 + i) for i in range(K)]
text = "".join(alphabet[i] for i in np.r_[np.arange(K), rng.integers(0, K, T + 1 - K)])
vocabulary, X, y = char_sequence(text)
config = RNNConfig(len(vocabulary), H, len(vocabulary), seed=0, init_scale=scale)
params = init_params(config)
t0 = time.perf_counter()
trace = run(params, X, y)
seconds = time.perf_counter() - t0
with np.errstate(all="ignore"):
    largest = float(np.nanmax(np.abs(trace.dL_dh)))
print(json.dumps({{"scale": config.init_scale, "radius": spectral_radius(params.W),
                  "seconds": seconds, "finite": trace.first_non_finite(),
                  "largest": largest, "mean_h": float(np.abs(trace.h).mean()),
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}))
"""


def measure(steps: int, hidden: int, vocab: int, scale: float | None) -> dict:
    code = CHILD.format(root=str(ROOT), steps=steps, hidden=hidden, vocab=vocab, scale=scale)
    env = {"OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env)
    return json.loads(out.stdout)


def main() -> None:
    args = size_arguments(__doc__, steps=10_000, hidden=1000)
    print(f"forward + full BPTT, {args.steps} steps x {args.hidden} units x {args.vocab} symbols")
    for label, scale in (("default", None), ("former 0.5", 0.5)):
        r = measure(args.steps, args.hidden, args.vocab, scale)
        print(f"  {label:<11} scale {r['scale']:.4g}: radius of W {r['radius']:6.2f}, "
              f"{r['seconds']:5.1f} s, peak {r['maxrss_kb'] / 1024:5.0f} MB, "
              f"first non-finite: {r['finite'] or 'none'}, largest |dL/dh| {r['largest']:.3g}, "
              f"mean |h| {r['mean_h']:.3f} (1 = saturated)")


if __name__ == "__main__":
    main()
