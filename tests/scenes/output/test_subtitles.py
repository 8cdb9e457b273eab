"""SubRip -> WebVTT and sections -> chapters, checked against a rendered clip's real duration."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import av
import pytest
from manim import PI, Create, Rotate, Scene, Square, tempconfig

from rnn.errors import UnrolledError
from scenes.output.subtitles import (
    Cue,
    chapters_from_sections,
    format_vtt,
    parse_srt,
    parse_timestamp,
    srt_to_vtt,
    write_chapters,
)

TINY = {
    "quality": "low_quality", "format": "mp4", "save_sections": True, "pixel_width": 256,
    "pixel_height": 144, "frame_rate": 10, "progress_bar": "none", "verbosity": "WARNING",
    "notify_outdated_version": False, "disable_caching": True,
}


class TwoBeats(Scene):
    """Two narrated beats, like the lecture scenes but tiny."""

    def construct(self):
        square = Square()
        self.next_section("appear")
        self.add_subcaption("A square appears.", duration=0.5)
        self.play(Create(square), run_time=0.5)
        self.next_section("turn")
        self.add_subcaption("It turns a little.", duration=0.7)
        self.play(Rotate(square, PI / 4), run_time=0.7)


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    """A rendered clip with its .srt and sections index laid out as render_scene does."""
    media = tmp_path_factory.mktemp("media")
    out = tmp_path_factory.mktemp("out")
    with tempconfig({**TINY, "media_dir": str(media)}):
        scene = TwoBeats()
        scene.render()
        writer = scene.renderer.file_writer
        movie = Path(writer.movie_file_path)
        sections = Path(writer.sections_output_dir) / f"{movie.stem}.json"
    shutil.copy(movie, out / "tiny.mp4")
    shutil.copy(movie.with_suffix(".srt"), out / "tiny.srt")
    shutil.copy(sections, out / "tiny.sections.json")
    return out / "tiny.mp4"


def _duration(video: Path) -> float:
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        return float(stream.duration * stream.time_base)


def test_vtt_cues_lie_inside_the_video(clip):
    vtt = srt_to_vtt(clip.with_suffix(".srt"))
    assert vtt == clip.with_suffix(".vtt")
    text = vtt.read_text()
    assert text.startswith("WEBVTT\n\n")
    assert "00:00:00.500 --> 00:00:01.200\nIt turns a little." in text
    cues = parse_srt(clip.with_suffix(".srt").read_text())
    assert [c.text for c in cues] == ["A square appears.", "It turns a little."]
    duration = _duration(clip)
    assert duration == pytest.approx(1.2, abs=0.11)
    assert all(0 <= c.start <= c.end <= duration + 1e-6 for c in cues)


def test_chapters_tile_the_video(clip):
    chapters_path = write_chapters(clip.with_name("tiny.sections.json"))
    assert chapters_path.name == "tiny.chapters.vtt"
    text = chapters_path.read_text()
    assert "00:00:00.000 --> 00:00:00.500\nAppear" in text
    sections = json.loads(clip.with_name("tiny.sections.json").read_text())
    chapters = chapters_from_sections(sections)
    assert [c.text for c in chapters] == ["Appear", "Turn"]
    assert chapters[-1].end == pytest.approx(_duration(clip), abs=0.11)
    assert all(a.end == b.start for a, b in zip(chapters, chapters[1:]))


def test_timestamps_parse_strictly():
    assert parse_timestamp("01:02:03,004") == pytest.approx(3723.004)
    for bad in ("1:02:03,004", "00:61:00,000", "00:00:00,1", "00:00:00"):
        with pytest.raises(UnrolledError, match="bad timestamp"):
            parse_timestamp(bad)


@pytest.mark.parametrize(
    "srt, message",
    [
        ("x\n00:00:00,000 --> 00:00:01,000\nhi\n", r"clip\.srt:1: expected a cue number"),
        ("1\n00:00:00,000 -> 00:00:01,000\nhi\n", r"clip\.srt:2: expected 'start --> end'"),
        ("1\n00:00:02,000 --> 00:00:01,000\nhi\n", r"clip\.srt:2: cue ends"),
        ("1\n00:00:00,000 --> 00:00:01;000\nhi\n", r"clip\.srt:2: bad timestamp"),
    ],
)
def test_malformed_srt_names_file_and_line(srt, message):
    with pytest.raises(UnrolledError, match=message):
        parse_srt(srt, "clip.srt")


def test_vtt_escapes_cue_terminators():
    text = format_vtt([Cue(0.0, 1.0, "a --> b & <c>")])
    assert "a --&gt; b &amp; &lt;c>" in text
    assert text.count("-->") == 1


def test_missing_srt_names_the_file(tmp_path):
    with pytest.raises(UnrolledError, match="nope.srt"):
        srt_to_vtt(tmp_path / "nope.srt")
    assert not (tmp_path / "nope.vtt").exists()


def test_bad_sections_name_the_entry(tmp_path):
    path = tmp_path / "s.sections.json"
    path.write_text(json.dumps([{"name": "a", "duration": "1.0"}, {"name": "b"}]))
    with pytest.raises(UnrolledError, match=r"sections\[1\]: expected 'name' and a numeric"):
        write_chapters(path)
    assert not (tmp_path / "s.chapters.vtt").exists()


def test_outputs_are_as_readable_as_their_sources(tmp_path):
    srt = tmp_path / "a.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:01,000\nhi\n")
    srt.chmod(0o644)
    assert srt_to_vtt(srt).stat().st_mode & 0o777 == 0o644
