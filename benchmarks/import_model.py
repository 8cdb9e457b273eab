"""Importing a model trained elsewhere: a 1000-unit LSTM in a .safetensors file (torch's
state_dict layout, written here with numpy; no torch needed), read, checked and handed to the
engine. Target: at most 2 s.

Prints the median time of the import (``load_model`` + ``to_engine``) over a few runs, its ratio
to the target, and the size of the file. A second figure gives the same model as bfloat16.
Usage: python benchmarks/import_model.py [--hidden 1000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import struct
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from rnn.imports import load_model  # noqa: E402
from rnn.imports.adapter import to_engine  # noqa: E402

TARGET_SECONDS = 2.0
VOCAB = "".join(chr(c) for c in range(32, 127)) + "\n"  # 96 characters


def write_lstm(path: Path, hidden: int, dtype: str) -> None:
    """nn.Embedding(96, 64) -> nn.LSTM(64, hidden) -> nn.Linear(hidden, 96), as save_file does."""
    rng = np.random.default_rng(0)
    K, E, H = len(VOCAB), 64, hidden
    shapes = {"embedding.weight": (K, E), "lstm.weight_ih_l0": (4 * H, E),
              "lstm.weight_hh_l0": (4 * H, H), "lstm.bias_ih_l0": (4 * H,),
              "lstm.bias_hh_l0": (4 * H,), "head.weight": (K, H), "head.bias": (K,)}
    header, blobs, offset = {}, [], 0
    for name, shape in shapes.items():
        a = rng.uniform(-1 / np.sqrt(H), 1 / np.sqrt(H), shape).astype("<f4")
        data = a.tobytes() if dtype == "F32" else (a.view("<u4") >> 16).astype("<u2").tobytes()
        header[name] = {"dtype": dtype, "shape": list(shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for blob in blobs:
            f.write(blob)


def timed(path: Path, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        cell, params = to_engine(load_model(path, vocab=VOCAB))
        times.append(time.perf_counter() - start)
    assert cell == "lstm" and params.hidden_size == params.W_hh.shape[1]
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--hidden", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for dtype in ("F32", "BF16"):
            path = Path(tmp) / f"lstm_{dtype}.safetensors"
            write_lstm(path, args.hidden, dtype)
            seconds = timed(path, args.repeats)
            print(f"import of a {args.hidden}-unit LSTM ({dtype}, "
                  f"{path.stat().st_size / 1024**2:.1f} MB): {seconds:.3f} s median of "
                  f"{args.repeats}; {seconds / TARGET_SECONDS:.3f} of the {TARGET_SECONDS:g} s "
                  f"target ({'met' if seconds <= TARGET_SECONDS else 'MISSED'})")


if __name__ == "__main__":
    main()
