"""Every registered scene renders through the command line; one scene in every format."""


from fractions import Fraction

import av
import pytest
from cli_run import unrolled

from scenes.registry import SCENES


def frames_on_the_grid(path, fps=15):
    """(frames, duration in s) of a video whose frames all start on the 1/fps grid.

    A picture that holds still is one frame lasting as long as the hold, so a video has at
    most fps x duration frames; each starts at a whole frame of the scene's rate.
    """
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        starts = [Fraction(f.pts * stream.time_base) for f in c.decode(video=0)]
        tick = Fraction(stream.time_base)  # a GIF counts in hundredths of a second
        duration = float(c.duration) / av.time_base
    assert starts and starts[0] == 0, path
    assert all(abs(s - round(s * fps) / Fraction(fps)) <= tick for s in starts), path
    assert len(starts) <= fps * duration + 1, path
    assert float(starts[-1]) < duration, path
    return len(starts), duration


def test_every_scene_renders_its_last_frame(tmp_path):
    res = unrolled("render", "--all", "--format", "png", "--jobs", "2", "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    for name in SCENES:
        with av.open(str(tmp_path / f"{name}.png")) as c:
            frame = next(c.decode(video=0))
        assert (frame.width, frame.height) == (854, 480), name
        # a drawing, not an empty frame: more than a handful of distinct colours
        assert len({tuple(p) for p in frame.to_ndarray(format="rgb24")[::8, ::8].reshape(-1, 3)}) > 20


def test_every_scene_renders_a_valid_video(rendered_all):
    tmp_path, res = rendered_all
    assert res.returncode == 0, res.stderr
    for name in SCENES:
        video = tmp_path / f"{name}.mp4"
        assert f"wrote {video}" in res.stdout
        frames, duration = frames_on_the_grid(video)
        # at reading pace the longest clip (lecture: 20 beats, 39 captions) lasts about 140 s
        assert 3 < duration < 200 and frames > 10, name
        assert (tmp_path / f"{name}.srt").read_text().count("-->") >= 2, name


@pytest.mark.parametrize("fmt, transparent, codec", [
    ("mp4", False, "h264"), ("webm", False, "vp9"), ("gif", False, "gif"),
    ("mov", True, "qtrle"), ("webm", True, "vp9"),
])
def test_one_scene_in_every_video_format(tmp_path, fmt, transparent, codec):
    args = ["render", "forward", "--text", "hi!", "--format", fmt, "--out", str(tmp_path)]
    res = unrolled(*args, *(["--transparent"] if transparent else []))
    assert res.returncode == 0, res.stderr
    with av.open(str(tmp_path / f"forward.{fmt}")) as c:
        stream = c.streams.video[0]
        assert stream.codec_context.name == codec
        assert (stream.width, stream.height) == (854, 480)
        if transparent and fmt == "mov":
            assert stream.codec_context.pix_fmt == "argb"
    frames, duration = frames_on_the_grid(tmp_path / f"forward.{fmt}")
    assert 3 < duration < 60 and frames > 10
