"""render_scene: real files, stable names, valid media, clear errors for bad requests."""

import itertools
import json

import av
import numpy as np
import pytest
import srt
from manim import Circle, Create, Scene

from rnn import UnrolledError, text_model
from scenes.beats.inputs import SceneInput, get_scene_input
from scenes.output.render import render_scene
from scenes.registry import SCENES, SceneInfo


class Blink(Scene):
    """Half a second of a circle: enough to check containers without rendering a real scene."""

    def construct(self):
        self.next_section("blink")
        self.play(Create(Circle()), run_time=0.5, subcaption="a circle")


@pytest.fixture
def blink(monkeypatch):
    monkeypatch.setitem(SCENES, "blink", SceneInfo("blink", Blink, "test only"))
    return "blink"


@pytest.fixture(scope="module")
def forward_mp4(tmp_path_factory):
    """The real forward scene, rendered once at low quality on a two-step trace."""
    out = tmp_path_factory.mktemp("render")
    inp = SceneInput(text_model("hey", hidden=3, seed=0).trace())
    return out, render_scene("forward", inp, quality="low", out_dir=out, progress=False)


def test_forward_mp4_is_a_whole_video_with_subtitles_and_sections(forward_mp4):
    out, paths = forward_mp4
    assert out / "forward.mp4" in paths and out / "forward.srt" in paths
    assert all(p.exists() for p in paths)
    with av.open(str(out / "forward.mp4")) as container:
        stream = container.streams.video[0]
        seconds = float(container.duration) / av.time_base
        frames = sum(1 for _ in container.decode(video=0))
        assert (stream.width, stream.height) == (854, 480)
    assert 4.0 < seconds < 45.0  # two steps of the storyboard at reading pace, not empty
    # 15 fps at low quality, each held picture stored once: fewer pictures than frames of
    # video, every one starting on the 1/15 s grid
    assert frames < 15 * seconds - 15
    assert all(abs(t * 15 - round(t * 15)) < 1e-6 for t in starts_of(out / "forward.mp4"))
    subtitles = list(srt.parse((out / "forward.srt").read_text(encoding="utf-8")))
    index = json.loads((out / "forward.sections.json").read_text(encoding="utf-8"))
    names = [s["name"] for s in index]
    assert names == ["unfold", "forward step 1", "forward step 2", "total loss"]
    # one sentence per beat, cut into captions that fit: at least one starts in each beat
    starts = np.cumsum([0.0] + [float(s["duration"]) for s in index])
    for a, b in itertools.pairwise(starts):
        assert any(a - 0.01 <= sub.start.total_seconds() < b for sub in subtitles), (a, b)
    assert subtitles[0].content.startswith("A simple RNN unfolded in time:")
    for section in index:
        assert (out / section["video"]).exists()


def starts_of(path):
    """The instants, in seconds, at which the pictures of ``path`` are shown."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [float(f.pts * stream.time_base) for f in container.decode(stream)]


def test_png_is_the_last_frame_at_the_quality_size(tmp_path, blink):
    paths = render_scene(blink, quality="low", fmt="png", out_dir=tmp_path, progress=False)
    assert paths == [tmp_path / "blink.png"]
    with av.open(str(paths[0])) as container:
        frame = next(container.decode(video=0))
    assert (frame.width, frame.height) == (854, 480)


def test_transparent_mov_keeps_an_alpha_channel(tmp_path, blink):
    paths = render_scene(blink, fmt="mov", transparent=True, out_dir=tmp_path, progress=False)
    with av.open(str(tmp_path / "blink.mov")) as container:
        *_, frame = container.decode(video=0)  # the last frame: the circle is drawn
        assert container.streams.video[0].codec_context.name == "qtrle"
    rgba = frame.to_ndarray(format="rgba")
    assert rgba[0, 0, 3] == 0  # the corner is see-through
    assert rgba[..., 3].max() == 255  # the circle is not
    assert tmp_path / "blink.srt" in paths


def test_transparent_webm_is_marked_as_having_alpha(tmp_path, blink):
    render_scene(blink, fmt="webm", transparent=True, out_dir=tmp_path, progress=False)
    with av.open(str(tmp_path / "blink.webm")) as container:
        assert container.streams.video[0].metadata.get("alpha_mode") == "1"


@pytest.mark.parametrize("fmt", ["mp4", "gif"])
def test_transparent_without_alpha_is_refused_before_rendering(tmp_path, fmt):
    with pytest.raises(UnrolledError, match="cannot be transparent"):
        render_scene("forward", fmt=fmt, transparent=True, out_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_unknown_scene_lists_the_known_ones(tmp_path):
    with pytest.raises(UnrolledError, match="known scenes: forward, bptt, gradients, lecture"):
        render_scene("backprop", out_dir=tmp_path)


@pytest.mark.parametrize("kwargs,message", [({"quality": "8k"}, "unknown quality"),
                                            ({"fmt": "avi"}, "unknown format")])
def test_unknown_quality_or_format_is_refused(tmp_path, kwargs, message):
    with pytest.raises(UnrolledError, match=message):
        render_scene("forward", out_dir=tmp_path, **kwargs)


def test_output_directory_that_is_a_file_is_refused(tmp_path):
    blocker = tmp_path / "media"
    blocker.write_text("not a directory")
    with pytest.raises(UnrolledError, match="cannot write to output directory"):
        render_scene("forward", out_dir=blocker / "out")


def test_a_trace_too_long_to_draw_fails_with_the_limit_and_leaves_no_file(tmp_path):
    inp = SceneInput(text_model("ab" * 33).trace())  # 65 steps
    with pytest.raises(UnrolledError, match="at most 64 time steps"):
        render_scene("forward", inp, out_dir=tmp_path, progress=False)
    assert not (tmp_path / "forward.mp4").exists()


def test_rendering_restores_the_scene_input_it_replaced(tmp_path, blink):
    before = get_scene_input()
    render_scene(blink, SceneInput(before.trace, theme="light"), fmt="png", out_dir=tmp_path,
                 progress=False)
    assert get_scene_input() is before
    assert np.array_equal(get_scene_input().trace.h, before.trace.h)


def test_h264_videos_use_the_superfast_preset(tmp_path):
    from rnn import text_model
    from scenes.beats.inputs import SceneInput
    from scenes.output.render import render_scene

    render_scene("forward", SceneInput(text_model("hi!").trace()), out_dir=tmp_path,
                 progress=False)
    data = (tmp_path / "forward.mp4").read_bytes()
    settings = data[data.index(b"x264 - core"):][:2000]
    # what superfast sets (the default preset, medium, has ref=3 subme=7 me=hex trellis=1)
    assert all(f" {option} ".encode() in settings
               for option in ("ref=1", "subme=1", "me=dia", "trellis=0", "scenecut=40"))


@pytest.fixture(scope="module")
def forward_constant_rate(tmp_path_factory):
    """forward as in ``forward_mp4``, written at a constant rate (every frame encoded)."""
    out = tmp_path_factory.mktemp("constant")
    inp = SceneInput(text_model("hey", hidden=3, seed=0).trace())
    return out, render_scene("forward", inp, quality="low", out_dir=out, progress=False,
                             constant_rate=True)


def test_held_frames_skip_motion_search_and_the_joined_video_decodes_whole(
        forward_constant_rate):
    out, files = forward_constant_rate
    data = files[0].read_bytes()
    settings = [data[i:i + 2000] for i in range(len(data)) if data.startswith(b"x264 - core", i)]
    held = [s for s in settings if b" subme=0 " in s and b" scenecut=0 " in s]
    moving = [s for s in settings if b" subme=1 " in s and b" scenecut=40 " in s]
    assert held and moving  # both kinds of play were joined into one video
    with av.open(str(files[0])) as container:
        stream = container.streams.video[0]
        decoded = sum(1 for _ in container.decode(stream))
        seconds = float(container.duration) / av.time_base
        rate = float(stream.average_rate)  # PyAV 18 refuses a closed container's stream
    assert decoded == pytest.approx(seconds * rate, abs=2)
