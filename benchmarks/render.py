"""Rendering speed, measured in one run: ratios printed, nothing asserted.

Usage: python benchmarks/render.py [--parts scenes,warm,figures,lecture,deck] [--scenes a,b]

- scenes:  wall seconds of rendering per second of video, each scene, at 480p15 and 1080p60
           (target at 1080p60: at most 2.0)
- warm:    a re-render with the cache warm, as a fraction of the cold render (target < 15%)
- figures: every figure in every format at default settings (target: under 30 s)
- lecture: the example lecture at 1080p60 with 1 and 2 processes (target: 2 jobs >= 1.5x faster)
- deck:    building the example lecture's PPTX deck
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import av  # noqa: E402

from scenes.output.batch import render_jobs  # noqa: E402
from scenes.output.lecture_file import load_lecture  # noqa: E402
from scenes.registry import SCENES  # noqa: E402

EXAMPLE = ROOT / "lectures" / "example.toml"


def video_seconds(path: Path) -> float:
    with av.open(str(path)) as container:
        return float(container.duration) / av.time_base


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def scene_jobs(names, quality):
    """One render job per scene, with the inputs a lecture file would give it."""
    from scenes.output.lecture_file import Lecture, ModelSpec, SceneEntry

    lecture = Lecture(path=Path("bench"), title="bench", model=ModelSpec(),
                      scenes=tuple(SceneEntry(n) for n in names), quality=quality)
    return lecture.jobs()


def bench_scenes(names):
    print("scene        video s   480p15 wall/video   1080p60 wall/video")
    for job_low, job_high in zip(scene_jobs(names, "low"), scene_jobs(names, "high")):
        row = []
        for job in (job_low, job_high):
            with tempfile.TemporaryDirectory() as out:
                _, wall = timed(lambda: render_jobs([job], 1, out, progress=False))
                video = video_seconds(Path(out) / f"{job.name}.mp4")
            row.append((video, wall))
        (v_low, w_low), (v_high, w_high) = row
        print(f"{job_low.name:10s} {v_high:9.1f} {w_low / v_low:16.2f} {w_high / v_high:20.2f}",
              flush=True)


def bench_warm(names):
    print("scene      1080p60 cold s   warm s   warm/cold")
    for job in scene_jobs(names, "high"):
        with tempfile.TemporaryDirectory() as out:
            _, cold = timed(lambda: render_jobs([job], 1, out, progress=False))
            _, warm = timed(lambda: render_jobs([job], 1, out, progress=False))
        print(f"{job.name:10s} {cold:14.1f} {warm:8.2f} {warm / cold:10.1%}", flush=True)


def bench_figures():
    from scenes.output.figures import FIGURES, make_figures

    lecture = dataclasses.replace(load_lecture(EXAMPLE), theme="light")
    with tempfile.TemporaryDirectory() as out:
        paths, wall = timed(lambda: make_figures(lecture, Path(out)))
    print(f"figures: {len(FIGURES)} figures x png,svg,pdf at 2400 px = {len(paths)} files "
          f"in {wall:.1f} s (target < 30 s)", flush=True)


def bench_lecture():
    lecture = dataclasses.replace(load_lecture(EXAMPLE), quality="high")
    jobs = lecture.jobs()
    walls = {}
    for n in (1, 2):
        with tempfile.TemporaryDirectory() as out:
            _, walls[n] = timed(lambda: render_jobs(jobs, n, out, progress=False))
            video = sum(video_seconds(Path(out) / f"{j.output_stem}.mp4") for j in jobs)
    print(f"example lecture at 1080p60 ({len(jobs)} scenes, {video:.1f} s of video): "
          f"--jobs 1 {walls[1]:.1f} s, --jobs 2 {walls[2]:.1f} s, "
          f"speed-up {walls[1] / walls[2]:.2f}x (target >= 1.5x)", flush=True)


def bench_deck():
    from scenes.output.slides import lecture_deck

    lecture = load_lecture(EXAMPLE)
    with tempfile.TemporaryDirectory() as out:
        deck, wall = timed(lambda: lecture_deck(lecture, "pptx", out, n_jobs=2))
        size = deck.stat().st_size / 1e6
    print(f"deck: example lecture as PPTX at {lecture.quality} quality, 2 jobs: {wall:.1f} s "
          f"({size:.1f} MB)", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parts", default="scenes,warm,figures,lecture,deck")
    ap.add_argument("--scenes", default=",".join(SCENES))
    args = ap.parse_args()
    names = [n for n in args.scenes.split(",") if n]
    parts = args.parts.split(",")
    if "scenes" in parts:
        bench_scenes(names)
    if "warm" in parts:
        bench_warm(names)
    if "figures" in parts:
        bench_figures()
    if "lecture" in parts:
        bench_lecture()
    if "deck" in parts:
        bench_deck()


if __name__ == "__main__":
    main()
