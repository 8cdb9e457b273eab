"""Held pictures stored once: the video shows what the constant-rate render shows, when it does."""

import json
from fractions import Fraction

import av
import numpy as np
import pytest
import srt
from manim import Circle, Create, FadeOut, Scene, Square

from rnn import text_model
from scenes.beats.inputs import SceneInput
from scenes.beats.narration import Narration
from scenes.output.held import same_picture
from scenes.output.render import render_scene
from scenes.registry import SCENES, SceneInfo

FPS = 15  # low quality


class Hold(Scene):
    """A drawing, a one-second hold, a fade: a held frame between moving ones."""

    def construct(self):
        self.next_section("draw")
        circle = Circle()
        self.play(Create(circle), run_time=0.5)
        self.wait(1)
        self.next_section("fade")
        self.play(FadeOut(circle), Create(Square()), run_time=0.5)


@pytest.fixture
def hold(monkeypatch):
    monkeypatch.setitem(SCENES, "hold", SceneInfo("hold", Hold, "test only"))
    return "hold"


def _render(tmp_path_factory, fmt, constant_rate, **told):
    out = tmp_path_factory.mktemp(f"{fmt}-{'constant' if constant_rate else 'held'}")
    inp = SceneInput(text_model("hey", hidden=3, seed=0).trace(), narration=Narration(**told))
    render_scene("forward", inp, quality="low", fmt=fmt, transparent=fmt == "mov", out_dir=out,
                 progress=False, constant_rate=constant_rate)
    return out


@pytest.fixture(scope="module")
def lossless(tmp_path_factory):
    """forward with burned-in captions as lossless video (qtrle), held and constant-rate."""
    return [_render(tmp_path_factory, "mov", rate, captions="burn") for rate in (False, True)]


@pytest.fixture(scope="module")
def mp4s(tmp_path_factory):
    """forward as mp4 (x264), held and constant-rate."""
    return [_render(tmp_path_factory, "mp4", rate) for rate in (False, True)]


def pictures(path):
    """(start, end, rgba) of every picture of ``path``, in seconds, one at a time."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        end = Fraction(container.duration, av.time_base)
        previous = None
        for frame in container.decode(stream):
            start = frame.pts * stream.time_base
            if previous is not None:
                yield previous[0], start, previous[1]
            previous = (start, frame.to_ndarray(format="rgba"))
        yield previous[0], max(end, previous[0]), previous[1]


def shown_at(path, instants):
    """The picture shown at each of the sorted ``instants`` (seconds)."""
    shown, source = [], pictures(path)
    start, end, picture = next(source)
    for t in instants:
        while t >= end:
            start, end, picture = next(source)
        assert start <= t, (path, t)
        shown.append(picture)
    return shown


def instants_to_check(held_video, constant_dir, name):
    """Section starts, caption cues and holds: each an instant half a frame after it starts
    (and a hold's last frame too), in seconds, sorted."""
    half = Fraction(1, 2 * FPS)
    index = json.loads((constant_dir / f"{name}.sections.json").read_text(encoding="utf-8"))
    starts = np.cumsum([0] + [Fraction(s["duration"]) for s in index])[:-1]
    times = {Fraction(round(s * FPS), FPS) for s in starts}
    for cue in srt.parse((constant_dir / f"{name}.srt").read_text(encoding="utf-8")):
        for t in (cue.start, cue.end):
            times.add(Fraction(round(t.total_seconds() * FPS), FPS))
    holds = [(s, e) for s, e, _ in pictures(held_video) if e - s > Fraction(1, FPS)]
    assert holds  # reading pace holds each beat
    for start, end in holds:
        times |= {start, end - Fraction(1, FPS)}
    total = sum(e - s for s, e, _ in pictures(held_video))
    return sorted(t + half for t in times if t + half < total), len(holds)


def test_lossless_held_video_shows_the_constant_rate_pictures_at_every_instant(lossless):
    held, constant = lossless[0] / "forward.mov", lossless[1] / "forward.mov"
    checked, holds = instants_to_check(held, lossless[1], "forward")
    assert len(checked) > 20 and holds > 3
    for t, a, b in zip(checked, shown_at(held, checked), shown_at(constant, checked)):
        assert np.array_equal(a, b), f"pictures differ at {float(t):.3f} s"
    # and at every frame of the film: burned-in captions change inside holds too
    every = [Fraction(2 * k + 1, 2 * FPS) for k in range(int(checked[-1] * FPS))]
    for t, a, b in zip(every, shown_at(held, every), shown_at(constant, every)):
        assert np.array_equal(a, b), f"pictures differ at {float(t):.3f} s"


def test_held_video_is_as_long_and_has_fewer_pictures(lossless, mp4s):
    for held_dir, constant_dir, ext in (*[(*lossless, "mov")], *[(*mp4s, "mp4")]):
        held = list(pictures(held_dir / f"forward.{ext}"))
        constant = list(pictures(constant_dir / f"forward.{ext}"))
        assert held[-1][1] == pytest.approx(float(constant[-1][1]), abs=1 / FPS)
        assert len(held) < len(constant) / 2  # most of reading pace is held
        assert all((s * FPS).denominator == 1 for s, _, _ in held)  # on the frame grid


def test_mp4_shows_the_same_pictures_at_sections_cues_and_holds(mp4s):
    held, constant = mp4s[0] / "forward.mp4", mp4s[1] / "forward.mp4"
    checked, _ = instants_to_check(held, mp4s[1], "forward")
    for t, a, b in zip(checked, shown_at(held, checked), shown_at(constant, checked)):
        # two x264 encodings of one picture: a few levels apart at edges, never another picture
        diff = np.abs(a[..., :3].astype(int) - b[..., :3])
        assert diff.mean() < 1.5, f"pictures differ at {float(t):.3f} s ({diff.mean():.2f})"
    assert (mp4s[0] / "forward.srt").read_bytes() == (mp4s[1] / "forward.srt").read_bytes()
    held_index = json.loads((mp4s[0] / "forward.sections.json").read_text(encoding="utf-8"))
    constant_index = json.loads((mp4s[1] / "forward.sections.json").read_text(encoding="utf-8"))
    for a, b in zip(held_index, constant_index, strict=True):
        assert a["name"] == b["name"]
        assert float(a["duration"]) == pytest.approx(float(b["duration"]), abs=0.5 / FPS)
        # each section clip lasts what its index says: cut at the same instants
        clip = list(pictures(mp4s[0] / a["video"]))
        assert float(clip[-1][1]) == pytest.approx(float(a["duration"]), abs=1e-3)


def test_same_command_same_bytes(tmp_path, hold):
    first = render_scene(hold, quality="low", out_dir=tmp_path / "a", progress=False)
    second = render_scene(hold, quality="low", out_dir=tmp_path / "b", progress=False)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_gif_delays_are_the_holds(tmp_path, hold):
    render_scene(hold, quality="low", fmt="gif", out_dir=tmp_path / "h", progress=False)
    render_scene(hold, quality="low", fmt="gif", out_dir=tmp_path / "c", progress=False,
                 constant_rate=True)
    held = list(pictures(tmp_path / "h/hold.gif"))
    constant = list(pictures(tmp_path / "c/hold.gif"))
    assert held[-1][1] == constant[-1][1]  # to the hundredth
    assert abs(held[-1][1] - 2) < Fraction(2, FPS)  # 0.5 + 1 + 0.5 s, in whole frames
    constant_starts = {s for s, _, _ in constant}
    assert all(s in constant_starts for s, _, _ in held)  # the same instants
    longest = max(e - s for s, e, _ in held)
    assert longest >= 1  # the one-second wait is one picture
    assert len(held) < len(constant) - 10


def test_webm_keeps_its_length_and_sections(tmp_path, hold):
    held = render_scene(hold, quality="low", fmt="webm", out_dir=tmp_path / "h",
                        progress=False)
    constant = render_scene(hold, quality="low", fmt="webm", out_dir=tmp_path / "c",
                            progress=False, constant_rate=True)
    assert held[0].suffix == ".webm" and constant[0].suffix == ".webm"
    a, b = list(pictures(held[0])), list(pictures(constant[0]))
    assert float(a[-1][1]) == pytest.approx(float(b[-1][1]), abs=0.002)  # milliseconds
    assert len(a) < len(b) - 10
    index = json.loads((tmp_path / "h/hold.sections.json").read_text(encoding="utf-8"))
    assert [s["duration"] for s in index] == [f"{23 / FPS:.6f}", f"{8 / FPS:.6f}"]  # frames


def test_same_picture_compares_pixels():
    a = np.zeros((4, 6, 4), np.uint8)
    assert same_picture(a, a) and same_picture(a, a.copy())
    b = a.copy()
    b[3, 5, 2] = 1
    assert not same_picture(a, b)
    assert not same_picture(a, a[:, :5])


def test_a_travelling_chain_held_shows_the_constant_rate_pictures(tmp_path_factory):
    # along a chain longer than the frame the camera paints planned plays: a held picture
    # is told apart by the live parts of each plan alone
    trace = text_model("recurrent nets", cell="lstm", hidden=3, seed=0).trace()  # 13 steps
    videos = []
    for rate in (False, True):
        out = tmp_path_factory.mktemp(f"travel-{rate}")
        render_scene("forward", SceneInput(trace), quality="low", fmt="mov", transparent=True,
                     out_dir=out, progress=False, constant_rate=rate)
        videos.append(out / "forward.mov")
    held = list(pictures(videos[0]))
    assert len(held) < len(list(pictures(videos[1])))  # holds were stored once
    every = [Fraction(2 * k + 1, 2 * FPS) for k in range(int(held[-1][1] * FPS) - 1)]
    for t, a, b in zip(every, shown_at(videos[0], every), shown_at(videos[1], every)):
        assert np.array_equal(a, b), f"pictures differ at {float(t):.3f} s"
