"""Render-speed ratios of the scenes: seconds of render per second of video.

A script, not a timed test: ``python -m scenes.benchmark high forward bptt``. It renders through
``render_scene`` (so with the encoder included) into a temporary directory and prints, per
scene, wall and CPU seconds per video second. CPU includes the encoder threads.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

import av

from rnn.model import text_model
from scenes.inputs import SceneInput
from scenes.render import QUALITIES, render_scene


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(name: str, quality: str = "low", inp: SceneInput | None = None) -> dict:
    """Render ``name`` once; return video seconds and wall/CPU seconds of rendering."""
    inp = inp or SceneInput(text_model().trace())
    with tempfile.TemporaryDirectory(prefix="unrolled-bench-") as out:
        cpu0, wall0 = _cpu(), time.perf_counter()
        render_scene(name, inp, quality=quality, out_dir=Path(out), progress=False)
        wall, cpu = time.perf_counter() - wall0, _cpu() - cpu0
        with av.open(str(Path(out) / f"{name}.mp4")) as container:
            video = float(container.duration) / av.time_base
    return {"scene": name, "quality": quality, "video": video, "wall": wall, "cpu": cpu}


def main(argv: list[str]) -> None:
    quality = argv[0] if argv and argv[0] in QUALITIES else "low"
    names = [a for a in argv if a not in QUALITIES] or ["forward", "bptt", "gradients"]
    for name in names:
        m = measure(name, quality)
        print(f"{m['scene']:10s} {quality:6s} video {m['video']:5.1f}s  "
              f"wall/video {m['wall'] / m['video']:.2f}  cpu/video {m['cpu'] / m['video']:.2f}",
              flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
