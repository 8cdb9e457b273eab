"""A long, wide trace written in the binary form: time, peak memory and file size.

Records a 1000-step, 256-unit, 65-symbol simple-RNN trace (with its update), takes its error
norms ||dL(s)/dh(t)|| and writes it as ``.npz``, in a fresh interpreter whose peak resident
memory (``ru_maxrss``) is its own. Targets: under 10 s, under 1 GB, a file under 30 MB.
Prints; asserts nothing. Usage: python benchmarks/trace_size.py [--steps T] [--hidden H]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._sizes import size_arguments  # noqa: E402

CHILD = """
import json, resource, sys, time
import numpy as np
sys.path.insert(0, {root!r})
from rnn import Optimizer, text_model
from rnn.traces import files as trace_files
from rnn.traces.document import to_doc
from rnn.traces.npz_form import save_npz

T, H, K, path = {steps}, {hidden}, {vocab}, {path!r}
rng = np.random.default_rng(0)
alphabet = [chr(0x21 + i) for i in range(K)]
text = "".join(alphabet[i] for i in np.r_[np.arange(K), rng.integers(0, K, T + 1 - K)])
model = text_model(text, hidden=H, seed=0)  # the default scale, 1/sqrt(H)
cpu0, t0 = time.process_time(), time.perf_counter()
trace = model.trace(Optimizer("adagrad", 0.1, 5.0))
t1 = time.perf_counter()
doc = to_doc(trace)  # the norms are taken here
t2 = time.perf_counter()
save_npz(path, doc)
t3 = time.perf_counter()
cpu = time.process_time() - cpu0
back = trace_files.load(path)
t4 = time.perf_counter()
print(json.dumps({{"record": t1 - t0, "norms": t2 - t1, "write": t3 - t2, "total": t3 - t0,
                  "cpu": cpu, "load": t4 - t3, "T": back.T, "full": "error_by_source" in doc,
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}))
"""


def main() -> None:
    args = size_arguments(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "trace.npz"
        code = CHILD.format(root=str(ROOT), steps=args.steps, hidden=args.hidden,
                            vocab=args.vocab, path=str(path))
        env = {"OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2", "PATH": "/usr/bin:/bin"}
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True, env=env)
        r = json.loads(out.stdout)
        size = path.stat().st_size
    print(f"trace of {args.steps} steps x {args.hidden} units x {args.vocab} symbols, .npz "
          f"(full error vectors written: {r['full']})")
    print(f"  record (forward, BPTT, update) {r['record']:6.2f} s")
    print(f"  error norms, all sources        {r['norms']:6.2f} s")
    print(f"  write .npz                      {r['write']:6.2f} s")
    print(f"  total                           {r['total']:6.2f} s   (target < 10 s; "
          f"{r['cpu']:.2f} s of CPU)")
    print(f"  peak memory (ru_maxrss)         {r['maxrss_kb'] / 1024:6.0f} MB (target < 1024 MB;"
          " the load below included)")
    print(f"  file size                       {size / 1024**2:6.1f} MB (target < 30 MB)")
    print(f"  load and validate               {r['load']:6.2f} s")


if __name__ == "__main__":
    main()
