"""Rendering speed of a long unfolded chain: wall seconds of rendering per second of video.

``forward`` at 32 steps x 100 hidden units, 1080p60 (target: at most 1.2): the camera travels
along the chain, every layer a strip of cells. The trace is a random model on a repeated
sentence. Prints ratios; asserts nothing. ``benchmarks/views.py`` runs the same measurement
with the views' sizes.
Usage: python benchmarks/long_chain.py [--quality high] [--steps 32] [--hidden 100] [--scenes a,b]
[--cell rnn|lstm|gru] [--num-layers N] [--bidirectional]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import av

from rnn import text_model
from scenes.beats.inputs import SceneInput
from scenes.output.render import render_scene

SENTENCE = "the quick brown fox jumps over the lazy dog. "


def video_seconds(path: Path) -> float:
    with av.open(str(path)) as container:
        return float(container.duration) / av.time_base


def main(steps: int = 32, hidden: int = 100, scenes: str = "forward", cell: str = "rnn",
         target: float = 1.2, description: str = __doc__.splitlines()[0],
         num_layers: int = 1, bidirectional: bool = False) -> None:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quality", default="high", help="low, medium, high (1080p60) or 4k")
    parser.add_argument("--steps", type=int, default=steps)
    parser.add_argument("--hidden", type=int, default=hidden)
    parser.add_argument("--scenes", default=scenes)
    parser.add_argument("--cell", default=cell, help="rnn, lstm or gru")
    parser.add_argument("--num-layers", type=int, default=num_layers)
    parser.add_argument("--bidirectional", action="store_true", default=bidirectional)
    args = parser.parse_args()
    text = (SENTENCE * (args.steps // len(SENTENCE) + 2))[:args.steps + 1]
    trace = text_model(text, hidden=args.hidden, seed=0, cell=args.cell,
                       num_layers=args.num_layers, bidirectional=args.bidirectional).trace()
    load = os.getloadavg()[0]
    shape = f"{args.num_layers}-layer{' bidirectional' if args.bidirectional else ''} "
    print(f"{shape}{args.cell}, {args.steps} steps x {args.hidden} units, quality "
          f"{args.quality}, load {load:.1f} on {os.cpu_count()} cores")
    # CPU seconds (every thread of this process, the encoders included) say what the render
    # costs when other work shares the machine and wall time does not
    print(f"scene         video s   wall s   wall/video (target <= {target:g})   cpu/video   "
          "main/video")
    for name in args.scenes.split(","):
        with tempfile.TemporaryDirectory() as out:
            start, cpu, main = time.perf_counter(), time.process_time(), time.thread_time()
            files = render_scene(name, SceneInput(trace), quality=args.quality,
                                 out_dir=Path(out), progress=False)
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            main = time.thread_time() - main  # drawing; the encoders run in other threads
            seconds = video_seconds(files[0])
        print(f"{name:<12} {seconds:8.1f} {wall:8.1f}   {wall / seconds:5.2f}"
              f"                       {cpu / seconds:5.2f}       {main / seconds:5.2f}")


if __name__ == "__main__":
    main()
