"""Cost of reading pace and narration, measured in one run: ratios printed, nothing asserted.

Usage: python benchmarks/pace.py [--parts scenes,voice,warm] [--scenes a,b] [--quality high]

- scenes: wall seconds of rendering per second of video, each scene at reading pace (default
          15 characters a second), at 1080p60 by default (held pictures stored once), beside
          the encoder's floor measured in the same run: decoding that video and re-encoding
          every one of its frames at a constant rate with x264 superfast (crf 23), as a
          constant-rate render must (target: at most 0.5, and below the floor); also the CPU
          seconds per second of video of the process (encoder threads included) and of the
          drawing alone (the main thread), and the load average, since wall time on a shared
          machine says little on its own
- voice:  seconds of synthesis per second of audio, every sentence of one scene, cold cache
          (target: at most 0.2)
- warm:   a second render of one scene with --voice on the same voice cache: how many
          sentences it synthesises (target: 0)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import av

from scenes.beats import voice
from scenes.beats.inputs import SceneInput, default_scene_input
from scenes.beats.narration import Narration
from scenes.output.render import render_scene
from scenes.registry import SCENES


def video_seconds(path: Path) -> float:
    with av.open(str(path)) as container:
        return float(container.duration) / av.time_base


def reencode(path: Path) -> tuple[float, float]:
    """Wall and CPU seconds of decoding ``path`` and encoding every frame of it at its constant
    frame rate (a held picture once per frame it lasts) with x264 superfast, crf 23."""
    with tempfile.TemporaryDirectory() as tmp:
        t0, c0 = time.perf_counter(), time.process_time()
        with av.open(str(path)) as src, av.open(str(Path(tmp) / "floor.mp4"), "w") as out:
            video = src.streams.video[0]
            rate = Fraction(video.codec_context.framerate)  # the nominal rate, 60 at 1080p60
            stream = out.add_stream("libx264", rate=rate,
                                    options={"crf": "23", "preset": "superfast"})
            stream.width, stream.height, stream.pix_fmt = video.width, video.height, "yuv420p"
            end = Fraction(src.duration, av.time_base)

            def hold(planes, start, stop):  # one picture, once per frame it lasts
                for _ in range(max(1, round((stop - start) * rate))):
                    out.mux(stream.encode(av.VideoFrame.from_ndarray(planes, format="yuv420p")))

            previous = None  # (yuv420p planes, start): decoded one picture ahead
            for picture in src.decode(video):
                start = picture.pts * video.time_base
                if previous is not None:
                    hold(*previous, start)
                previous = (picture.to_ndarray(), start)
            hold(*previous, end)
            out.mux(stream.encode(None))
        return time.perf_counter() - t0, time.process_time() - c0


def render(name: str, quality: str, told: Narration) -> tuple[float, float, float, float]:
    """Wall seconds of rendering ``name``, CPU seconds of every thread (the encoder's included)
    and of the main thread (the drawing), and the seconds of video it gave (no render cache)."""
    inp = default_scene_input()
    inp = SceneInput(inp.trace, narration=told)
    with tempfile.TemporaryDirectory() as out:
        t0, c0, m0 = time.perf_counter(), time.process_time(), time.thread_time()
        render_scene(name, inp, quality=quality, out_dir=Path(out), progress=False)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        main = time.thread_time() - m0
        movie = Path(out) / f"{name}.mp4"
        render.floor = reencode(movie) if render.with_floor else (float("nan"),) * 2
        return wall, cpu, main, video_seconds(movie)


render.with_floor = False
render.floor = (float("nan"), float("nan"))


def bench_scenes(names, quality):
    print(f"scene        video s   wall s   wall/video   floor/video   cpu/video   "
          f"floor cpu/video   drawing/video   load (1 min) at {quality} (reading pace)")
    worst, above = 0.0, []
    render.with_floor = True
    for name in names:
        wall, cpu, main, video = render(name, quality, Narration())
        floor_wall, floor_cpu = render.floor
        worst = max(worst, wall / video)
        if wall >= floor_wall:
            above.append(name)
        print(f"{name:<12} {video:7.1f}  {wall:7.1f}   {wall / video:10.2f}   "
              f"{floor_wall / video:11.2f}   {cpu / video:9.2f}   {floor_cpu / video:15.2f}"
              f"   {main / video:13.2f}   {os.getloadavg()[0]:12.2f}", flush=True)
    render.with_floor = False
    print(f"worst wall/video: {worst:.2f} (target <= 0.5); scenes not below the floor: "
          f"{', '.join(above) or 'none'}")


def spoken_sentences(name: str) -> list[str]:
    """Every spoken sentence of scene ``name``, from a dry run."""
    from manim import tempconfig

    from scenes.beats.inputs import set_scene_input

    set_scene_input(None)
    conf = {"dry_run": True, "from_animation_number": 10**9, "disable_caching": True,
            "progress_bar": "none", "verbosity": "WARNING", "notify_outdated_version": False}
    with tempconfig(conf):
        scene = SCENES[name].cls()
        scene.render()
    return [spoken for _, _, spoken in scene.narrated]


def bench_voice(name: str):
    sentences = spoken_sentences(name)
    with tempfile.TemporaryDirectory() as cache:
        os.environ[voice.CACHE_ENV] = cache
        voice.say("Warm up.")  # loading the model is paid once per process, not per sentence
        t0 = time.perf_counter()
        audio = sum(voice.say(s).seconds for s in sentences)
        wall = time.perf_counter() - t0
    print(f"synthesis: {len(sentences)} sentences of {name}, {audio:.1f} s of audio in "
          f"{wall:.1f} s: {wall / audio:.3f} s per second of audio (target <= 0.2)")


def bench_warm(name: str, quality: str):
    with tempfile.TemporaryDirectory() as cache:
        os.environ[voice.CACHE_ENV] = cache
        before = voice.syntheses
        cold, _, _, video = render(name, quality, Narration(voice=True))
        first = voice.syntheses - before
        warm, _, _, _ = render(name, quality, Narration(voice=True))
        second = voice.syntheses - before - first
    print(f"voice, {name} at {quality}: cold render {cold:.1f} s synthesised {first} sentences; "
          f"warm re-render {warm:.1f} s synthesised {second} (target 0); video {video:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="scenes,voice,warm")
    parser.add_argument("--scenes", default=",".join(SCENES))
    parser.add_argument("--quality", default="high", choices=["low", "medium", "high"])
    args = parser.parse_args()
    parts = args.parts.split(",")
    names = [n for n in args.scenes.split(",") if n]
    if "voice" in parts:
        bench_voice("forward")
    if "warm" in parts:
        bench_warm("forward", "low")
    if "scenes" in parts:
        bench_scenes(names, args.quality)


if __name__ == "__main__":
    main()
