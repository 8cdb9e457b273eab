"""Batch rendering: shards cover the list once; parallel output equals serial; no partial files."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import av
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from manim import BLUE, PI, RED, Circle, Create, FadeIn, Rotate, Scene, Square, tempconfig

from rnn.errors import UnrolledError
from scenes.output.batch import RenderJob, parse_shard, render_jobs, shard, unique_stems

TINY = {
    "quality": "low_quality", "format": "mp4", "save_sections": True, "pixel_width": 192,
    "pixel_height": 108, "frame_rate": 10, "progress_bar": "none", "verbosity": "WARNING",
    "notify_outdated_version": False, "disable_caching": True,
}


class TinySquare(Scene):
    def construct(self):
        square = Square(color=BLUE)
        self.next_section("appear")
        self.add_subcaption("A square appears.", duration=0.4)
        self.play(Create(square), run_time=0.4)
        self.next_section("turn")
        self.add_subcaption("It turns.", duration=0.4)
        self.play(Rotate(square, PI / 3), run_time=0.4)


class TinyCircle(Scene):
    def construct(self):
        self.next_section("fade")
        self.add_subcaption("A circle fades in.", duration=0.5)
        self.play(FadeIn(Circle(color=RED)), run_time=0.5)


TINY_SCENES = {"square": TinySquare, "circle": TinyCircle}


def render_tiny(name, scene_input, quality="low", fmt="mp4", transparent=False,
                out_dir=Path("media"), progress=True, cache_dir=None,
                constant_rate=False) -> list[Path]:
    """Stand-in for render_scene: same signature and output layout, tiny scenes."""
    media = Path(tempfile.mkdtemp())
    try:
        with tempconfig({**TINY, "media_dir": str(media)}):
            scene = TINY_SCENES[name]()
            scene.render()
            writer = scene.renderer.file_writer
            movie = Path(writer.movie_file_path)
            sections = Path(writer.sections_output_dir) / f"{movie.stem}.json"
        out = [out_dir / f"{name}.mp4", out_dir / f"{name}.srt", out_dir / f"{name}.sections.json"]
        for src, dst in zip((movie, movie.with_suffix(".srt")), out):
            shutil.copy(src, dst)
        # Section videos go to <name>_sections/, the index points at them (as render_scene does).
        index = json.loads(sections.read_text())
        (out_dir / f"{name}_sections").mkdir()
        for i, section in enumerate(index):
            video = out_dir / f"{name}_sections/{i:03d}.mp4"
            shutil.copy(sections.parent / section["video"], video)
            section["video"] = f"{name}_sections/{i:03d}.mp4"
        out[2].write_text(json.dumps(index))
        return out
    finally:
        shutil.rmtree(media, ignore_errors=True)


def render_interrupted(name, scene_input, out_dir=Path("media"), **kwargs) -> list[Path]:
    """Writes part of a file, then is interrupted (as by Ctrl-C) for the scene named 'boom'."""
    if name == "boom":
        (out_dir / "boom.mp4").write_bytes(b"\x00" * 100)
        raise KeyboardInterrupt
    return render_tiny(name, scene_input, out_dir=out_dir, **kwargs)


def render_failing(name, scene_input, out_dir=Path("media"), **kwargs) -> list[Path]:
    if name == "bad":
        (out_dir / "bad.mp4").write_bytes(b"\x00" * 100)
        raise UnrolledError("scene 'bad': cannot draw this trace")
    return render_tiny(name, scene_input, out_dir=out_dir, **kwargs)


def _jobs(*names_and_stems) -> list[RenderJob]:
    return [RenderJob(name, None, stem) for name, stem in names_and_stems]


def _last_frame(video: Path) -> np.ndarray:
    with av.open(str(video)) as container:
        frame = None
        for frame in container.decode(video=0):
            pass
        return frame.to_ndarray(format="rgb24")


def _frames(video: Path) -> np.ndarray:
    with av.open(str(video)) as container:
        return np.array([f.to_ndarray(format="rgb24") for f in container.decode(video=0)],
                        dtype=np.int16)


def _same_pictures(a: Path, b: Path) -> bool:
    """The same frames, up to the last bits of anti-aliasing.

    These tiny scenes go through manim's own writer in a long-lived test process and in a
    freshly forked worker; an edge pixel can come out a few levels apart between the two (seen
    once in CI), which is not what this file tests (which job lands where, in what order).
    Byte-identical renders of one command are checked in ``test_held.py``.
    """
    fa, fb = _frames(a), _frames(b)
    return fa.shape == fb.shape and _close_frames(fa, fb)


def _close_frames(fa: np.ndarray, fb: np.ndarray) -> bool:
    """In every frame, at most 0.1 % of the pixels differ by more than 32 levels."""
    apart = (np.abs(fa - fb).max(axis=-1) > 32).mean(axis=(1, 2))
    return bool((apart <= 0.001).all())


def _duration(video: Path) -> float:
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        return float(stream.duration * stream.time_base)


# Shards ---------------------------------------------------------------------------------
@given(st.lists(st.integers(), max_size=40), st.integers(1, 12))
def test_shards_cover_every_item_exactly_once_in_order(items, n):
    parts = [shard(items, i, n) for i in range(1, n + 1)]
    assert [x for part in parts for x in part] == items
    sizes = [len(p) for p in parts]
    assert max(sizes) - min(sizes) <= 1


def test_parse_shard():
    assert parse_shard("1/3") == (1, 3)
    assert parse_shard(" 3 / 3 ") == (3, 3)


@pytest.mark.parametrize(
    "text, message",
    [("0/3", "between 1 and 3"), ("4/3", "between 1 and 3"), ("1/0", "at least 1"),
     ("1-3", "expected I/N"), ("a/b", "expected I/N"), ("", "expected I/N"), ("-1/3", "I/N")],
)
def test_parse_shard_rejects(text, message):
    with pytest.raises(UnrolledError, match=message):
        parse_shard(text)


def test_unique_stems():
    assert unique_stems(["forward", "bptt", "forward", "forward"]) == [
        "forward", "bptt", "forward-2", "forward-3"]


# Rendering ------------------------------------------------------------------------------
EXPECTED_SUFFIXES = [".chapters.vtt", ".mp4", ".sections.json", ".srt", ".vtt", "_sections"]


@pytest.fixture(scope="module")
def serial_and_parallel(tmp_path_factory):
    jobs = _jobs(("square", ""), ("circle", ""), ("square", "square-2"))
    serial = tmp_path_factory.mktemp("serial")
    parallel = tmp_path_factory.mktemp("parallel")
    out1 = render_jobs(jobs, n_jobs=1, out_dir=serial, progress=False, render=render_tiny)
    out2 = render_jobs(jobs, n_jobs=2, out_dir=parallel, progress=True, render=render_tiny)
    return serial, parallel, out1, out2


def test_jobs_2_gives_the_same_files_as_jobs_1(serial_and_parallel):
    serial, parallel, out1, out2 = serial_and_parallel
    names = sorted(p.name for p in serial.iterdir())
    assert names == sorted(p.name for p in parallel.iterdir())  # no staging dir left either
    assert names == sorted(f"{s}{x}" for s in ("square", "circle", "square-2")
                           for x in EXPECTED_SUFFIXES)
    # Each index points at its own section videos, renamed with the stem.
    for stem in ("square", "circle", "square-2"):
        for out in (serial, parallel):
            index = json.loads((out / f"{stem}.sections.json").read_text())
            assert [s["video"] for s in index][0] == f"{stem}_sections/000.mp4"
            assert all((out / s["video"]).is_file() for s in index)
    assert list(out1) == list(out2) == ["square", "circle", "square-2"]
    # Published in order, video last: a video on disk means its captions are there too.
    assert all(files[-1].suffix == ".mp4" for files in [*out1.values(), *out2.values()])
    files = sorted(str(p.relative_to(serial)) for p in serial.rglob("*") if p.is_file())
    assert files == sorted(str(p.relative_to(parallel)) for p in parallel.rglob("*") if p.is_file())
    for name in files:
        if name.endswith(".mp4"):
            assert _same_pictures(serial / name, parallel / name), name
        else:
            assert (serial / name).read_bytes() == (parallel / name).read_bytes(), name
    # The comparison tells pictures apart: the circle is not the square's first frames.
    circle, square = _frames(serial / "circle.mp4"), _frames(serial / "square.mp4")
    assert _close_frames(circle, circle)
    assert not _close_frames(circle, square[:len(circle)])


def test_outputs_carry_captions_and_chapters(serial_and_parallel):
    serial = serial_and_parallel[0]
    assert _duration(serial / "square.mp4") == pytest.approx(0.8, abs=0.11)
    assert "00:00:00.400 --> 00:00:00.800\nIt turns." in (serial / "square.vtt").read_text()
    chapters = (serial / "square.chapters.vtt").read_text()
    assert "00:00:00.000 --> 00:00:00.400\nAppear" in chapters
    assert "00:00:00.400 --> 00:00:00.800\nTurn" in chapters
    # The two scenes differ, so equality above is not trivially true.
    assert not np.array_equal(_last_frame(serial / "square.mp4"),
                              _last_frame(serial / "circle.mp4"))


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_interrupt_leaves_no_partial_file(tmp_path, n_jobs):
    jobs = _jobs(("circle", ""), ("boom", ""))
    with pytest.raises(KeyboardInterrupt):
        render_jobs(jobs, n_jobs=n_jobs, out_dir=tmp_path, progress=False,
                    render=render_interrupted)
    left = sorted(p.name for p in tmp_path.iterdir())
    # Either the circle finished (all its files) or nothing was published; never boom.*.
    assert left in ([], [f"circle{x}" for x in EXPECTED_SUFFIXES])


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_failed_scene_propagates_and_publishes_nothing_partial(tmp_path, n_jobs):
    jobs = _jobs(("circle", ""), ("bad", ""))
    with pytest.raises(UnrolledError, match="scene 'bad': cannot draw"):
        render_jobs(jobs, n_jobs=n_jobs, out_dir=tmp_path, progress=False, render=render_failing)
    assert not any(p.name.startswith(("bad", ".")) for p in tmp_path.iterdir())


def test_repeated_stems_are_refused(tmp_path):
    with pytest.raises(UnrolledError, match="both write square"):
        render_jobs(_jobs(("square", ""), ("square", "")), out_dir=tmp_path, render=render_tiny)
    with pytest.raises(UnrolledError, match="at least 1"):
        render_jobs(_jobs(("square", "")), n_jobs=0, out_dir=tmp_path, render=render_tiny)


SIGINT_SCRIPT = r'''
import signal, sys, time
from pathlib import Path
signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with SIGINT ignored
from scenes.output.batch import RenderJob, render_jobs

def render(name, scene_input, out_dir, **kwargs):
    (out_dir / f"{name}.mp4").write_bytes(b"half")  # a video being written...
    if name == "quick":
        (out_dir / f"{name}.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nhi\n")
        return [out_dir / f"{name}.mp4"]
    Path(sys.argv[2]).touch()
    time.sleep(60)  # ...when Ctrl-C arrives

try:
    render_jobs([RenderJob("quick", None), RenderJob("slow", None)], n_jobs=2,
                out_dir=Path(sys.argv[1]), progress=True, render=render)
except KeyboardInterrupt:
    sys.exit(130)
'''


def test_real_ctrl_c_keeps_finished_files_only(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    out, started = tmp_path / "out", tmp_path / "started"
    script = tmp_path / "run.py"
    script.write_text(SIGINT_SCRIPT)
    root = Path(__file__).resolve().parents[3]
    proc = subprocess.Popen([sys.executable, str(script), str(out), str(started)], cwd=root,
                            env={**os.environ, "PYTHONPATH": str(root)},
                            start_new_session=True, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        # Interrupt once the quick scene is published and the slow one is mid-write.
        while not (started.exists() and (out / "quick.vtt").exists()):
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the batch never started"
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)  # the whole group, as a terminal's Ctrl-C does
        assert proc.wait(timeout=30) == 130
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert sorted(p.name for p in out.iterdir()) == ["quick.mp4", "quick.srt", "quick.vtt"]


def test_rerender_replaces_section_folders(tmp_path):
    for _ in range(2):
        render_jobs(_jobs(("square", "")), n_jobs=1, out_dir=tmp_path, progress=False,
                    render=render_tiny)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"square{x}" for x in EXPECTED_SUFFIXES]
    sections = sorted(p.name for p in (tmp_path / "square_sections").iterdir())
    assert sections == ["000.mp4", "001.mp4"]
