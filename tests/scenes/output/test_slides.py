"""Decks: one slide per beat, each with its video and the beat's narration as notes."""

from __future__ import annotations

import zipfile
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import unquote

import pytest
from manim import PI, Create, FadeOut, Rotate, Scene, Square
from pptx import Presentation

from rnn.errors import UnrolledError
from scenes.beats.contract import SceneContract
from scenes.output import slides as slides_module
from scenes.output import slides_html
from scenes.output.slides import build_deck, check_reveal_url, slide_class


class TwoBeats(Scene):
    """Two narrated beats, one through add_subcaption, one through play(subcaption=...)."""

    def construct(self):
        square = Square()
        self.next_section("appear")
        self.add_subcaption("A square appears.", duration=0.3)
        self.play(Create(square), run_time=0.3)
        self.next_section("turn")
        self.play(Rotate(square, PI / 3), run_time=0.3, subcaption="It turns: a < b & c.")


class OneBeat(Scene):
    def setup(self):
        # Stands in for a real scene reading its input in setup(); must not be lost.
        from scenes.beats.inputs import get_scene_input

        self.seen_theme = get_scene_input().theme
        self.camera.background_color = "#111418"  # a plain string, as the real scenes set it

    def construct(self):
        self.next_section("bye")
        self.add_subcaption(f"Goodbye in {self.seen_theme}.", duration=0.3)
        self.play(FadeOut(Square()), run_time=0.3)


REGISTRY = {"two": SimpleNamespace(cls=TwoBeats, contract=SceneContract()),
            "one": SimpleNamespace(cls=OneBeat, contract=SceneContract())}


@pytest.fixture(scope="module")
def scene_input():
    from rnn.model import text_model
    from scenes.beats.inputs import SceneInput

    return SceneInput(trace=text_model().trace())


class _Refs(HTMLParser):
    """Collect every URL-like attribute of a page."""

    def __init__(self):
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key in ("src", "href", "data-background-video", "data-background-image") and value:
                self.refs.append(value)


def _refs(page: Path) -> list[str]:
    parser = _Refs()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.refs


def _movies(slide) -> int:
    # python-pptx adds a movie as a picture whose nvPr holds a videoFile link.
    return len(slide.shapes._spTree.xpath(".//a:videoFile"))


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_pptx_has_one_slide_per_beat_with_video_and_notes(tmp_path, scene_input, n_jobs):
    deck = build_deck(["two", "one"], scene_input, to="pptx", out_dir=tmp_path,
                      theme="light", registry=REGISTRY, n_jobs=n_jobs, progress=n_jobs > 1)
    assert deck == tmp_path / "two-one.pptx"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["two-one.pptx"]  # no work folder left
    slides = list(Presentation(str(deck)).slides)
    assert len(slides) == 3
    assert [_movies(s) for s in slides] == [1, 1, 1]
    notes = [s.notes_slide.notes_text_frame.text for s in slides]
    assert notes == ["A square appears.", "It turns: a < b & c.", "Goodbye in light."]


def test_html_references_only_existing_files(tmp_path, scene_input):
    deck = build_deck(["two"], scene_input, to="html", out_dir=tmp_path, name="lecture",
                      title="RNNs <live>", registry=REGISTRY)
    assert deck == tmp_path / "lecture.html"
    refs = _refs(deck)
    assert all(not r.startswith(("http://", "https://", "//")) for r in refs)  # offline
    assert all((tmp_path / r).is_file() for r in refs)
    videos = [r for r in refs if r.endswith(".mp4")]
    assert len(videos) == 2  # one video per beat
    reveal = sorted(r for r in refs if r not in videos)
    assert "lecture_assets/reveal.js/dist/reveal.js" in reveal
    # reveal.js travels with its licence, and only the files the page names
    assets = tmp_path / "lecture_assets"
    copied = sorted(str(p.relative_to(tmp_path)) for p in (assets / "reveal.js").rglob("*")
                    if p.is_file())
    assert copied == sorted(reveal + ["lecture_assets/reveal.js/LICENSE"])
    assert "MIT" in (assets / "reveal.js" / "LICENSE").read_text()
    page = deck.read_text()
    assert "A square appears." in page
    assert "It turns: a &lt; b &amp; c." in page  # narration stays text
    assert "<title>RNNs &lt;live&gt;</title>" in page


def test_html_one_file_with_local_reveal(tmp_path, scene_input):
    deck = build_deck(["two"], scene_input, to="html", out_dir=tmp_path, one_file=True,
                      reveal_url="reveal.js", registry=REGISTRY)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["two.html"]
    refs = _refs(deck)
    videos = [r for r in refs if r.startswith("data:video/mp4;base64,")]
    assert len(videos) == 2
    assert all(r.startswith(("data:", "reveal.js/dist/")) for r in refs)


def test_html_one_file_carries_reveal(tmp_path, scene_input):
    deck = build_deck(["two"], scene_input, to="html", out_dir=tmp_path, one_file=True,
                      registry=REGISTRY)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["two.html"]
    refs = _refs(deck)
    assert len(refs) == 2 and all(r.startswith("data:video/mp4;base64,") for r in refs)
    page = deck.read_text()
    reveal_js = (slides_module.REVEAL_DIR / "dist" / "reveal.js").read_text()
    assert reveal_js[-2000:] in page and "Reveal.initialize(" in page


def test_rebuild_replaces_assets(tmp_path, scene_input):
    for _ in range(2):
        deck = build_deck(["one"], scene_input, to="html", out_dir=tmp_path, registry=REGISTRY)
    videos = [r for r in _refs(deck) if r.endswith(".mp4")]
    assert len(videos) == 1
    assert sorted(p.name for p in (tmp_path / "one_assets").iterdir()) == sorted(
        [Path(videos[0]).name, "reveal.js"])


def test_html_name_is_escaped_in_the_page(tmp_path, scene_input):
    name = 'week 3 "<b>"'
    deck = build_deck(["one"], scene_input, to="html", out_dir=tmp_path, name=name,
                      registry=REGISTRY)
    assert deck == tmp_path / f"{name}.html"
    page = deck.read_text()
    assert "<b>" not in page
    refs = _refs(deck)
    assert refs and all((tmp_path / unquote(r)).is_file() for r in refs)


def test_pptx_is_reproducible(tmp_path, scene_input):
    decks = [build_deck(["two"], scene_input, to="pptx", out_dir=tmp_path / str(k),
                        registry=REGISTRY) for k in range(2)]
    assert decks[0].read_bytes() == decks[1].read_bytes()
    with zipfile.ZipFile(decks[0]) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert z.namelist()[0] == "[Content_Types].xml"
    props = Presentation(str(decks[0])).core_properties
    assert props.title == "two" and props.last_modified_by == "unrolled"


def test_reveal_missing_is_one_error(tmp_path, scene_input, monkeypatch):
    monkeypatch.setattr(slides_html, "REVEAL_DIR", tmp_path / "nowhere")
    with pytest.raises(UnrolledError, match="reveal.js 6.0.1 is not installed"):
        build_deck(["two"], scene_input, to="html", out_dir=tmp_path / "out", registry=REGISTRY)
    assert not (tmp_path / "out").exists()  # refused before any rendering


@pytest.mark.parametrize("url", [
    '"><script>alert(1)</script>', "javascript:alert(1)", "data:text/html,x", "a b",
    "x'onload='y", "http://[::1", "{0}", "", "https://cdn/x\\y", "tab\there",
])
def test_reveal_url_refused(url):
    with pytest.raises(UnrolledError, match="reveal-url"):
        check_reveal_url(url)


@pytest.mark.parametrize("url", [
    "reveal.js", "../shared/reveal.js/", "https://cdn.jsdelivr.net/npm/reveal.js@6.0.1",
    "file:///srv/reveal.js", "http://host:8000/r?a=1&b=2",
])
def test_reveal_url_accepted(url):
    assert check_reveal_url(url) == url.rstrip("/")


def test_slide_class_keeps_the_scene():
    cls = slide_class(TwoBeats)
    assert cls.__name__ == "TwoBeats"
    assert issubclass(cls, TwoBeats)
    from manim_slides import Slide

    assert issubclass(cls, Slide)
    assert cls.construct is TwoBeats.construct


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"to": "pdf"}, "deck format 'pdf': expected one of pptx, html"),
        ({"quality": "ultra"}, "quality 'ultra'"),
        ({"one_file": True}, "HTML decks only"),
        ({"to": "html", "reveal_url": "javascript:x"}, "http.s., file or relative URL"),
        ({"name": "../up"}, "deck name '../up'"),
    ],
)
def test_bad_options(tmp_path, scene_input, kwargs, message):
    with pytest.raises(UnrolledError, match=message):
        build_deck(["two"], scene_input, out_dir=tmp_path, registry=REGISTRY, **kwargs)


def test_unknown_scene(tmp_path, scene_input):
    with pytest.raises(UnrolledError, match=r"unknown scene 'three' \(expected one of one, two\)"):
        build_deck(["two", "three"], scene_input, out_dir=tmp_path, registry=REGISTRY)
    assert list(tmp_path.iterdir()) == []


def test_inputs_list_must_match_scenes(tmp_path, scene_input):
    with pytest.raises(UnrolledError, match="2 scene inputs for 1 scenes"):
        build_deck(["two"], [scene_input, scene_input], out_dir=tmp_path, registry=REGISTRY)


def test_real_scene_deck(tmp_path):
    """The forward scene as a deck: every beat a slide with its video and its sentence."""
    from rnn.model import text_model
    from scenes.beats.inputs import SceneInput

    inp = SceneInput(trace=text_model("hey", hidden=2).trace())
    deck = build_deck(["forward"], inp, to="pptx", out_dir=tmp_path)
    slides = list(Presentation(str(deck)).slides)
    notes = [s.notes_slide.notes_text_frame.text for s in slides]
    assert len(slides) >= 3  # at least: unfold, one step per character pair, total loss
    assert [_movies(s) for s in slides] == [1] * len(slides)
    assert all(n.endswith(".") for n in notes) and len(set(notes)) == len(notes)


def test_lecture_deck(tmp_path):
    from scenes.output.lecture_file import load_lecture
    from scenes.output.slides import lecture_deck

    path = tmp_path / "week3.toml"
    path.write_text('title = "Week 3"\ntheme = "light"\n[[scenes]]\nname = "one"\n'
                    '[[scenes]]\nname = "two"\nvalues = true\n')
    lecture = load_lecture(path, REGISTRY)
    deck = lecture_deck(lecture, to="html", out_dir=tmp_path / "out", n_jobs=1, registry=REGISTRY)
    assert deck == tmp_path / "out" / "week3.html"
    page = deck.read_text()
    assert "<title>Week 3</title>" in page and "Goodbye in light." in page
    assert len([r for r in _refs(deck) if r.endswith(".mp4")]) == 3


def test_a_narrated_deck_speaks_each_beat_in_its_slide(tmp_path, monkeypatch):
    """--voice: each slide's video carries its beat's sentence, from the slide's first frame."""
    import wave
    from dataclasses import replace

    import av

    from rnn.model import text_model
    from scenes.beats import voice
    from scenes.beats.inputs import SceneInput

    monkeypatch.setenv(voice.CACHE_ENV, str(tmp_path / "voices"))
    inp = SceneInput(trace=text_model("hey", hidden=3, seed=0).trace())
    inp = replace(inp, narration=replace(inp.narration, voice=True))
    build_deck(["forward"], inp, to="html", out_dir=tmp_path, quality="low", n_jobs=1)
    videos = sorted((tmp_path / "forward_assets").glob("*.mp4"))
    sentences = list((tmp_path / "voices").glob("*.wav"))
    assert len(videos) == len(sentences) == 4  # the unfolded network, two steps, the total
    spoken = []
    for video in videos:
        with av.open(str(video)) as c:
            audio = c.streams.audio
            assert len(audio) == 1 and audio[0].codec_context.name == "aac"
            seconds = sum(f.samples for f in c.decode(audio=0)) / audio[0].rate
            assert seconds <= float(c.duration) / av.time_base + 0.1  # within its slide
        spoken.append(seconds)
    wavs = []
    for path in (tmp_path / "voices").glob("*.wav"):
        with wave.open(str(path)) as w:
            wavs.append(w.getnframes() / w.getframerate())
    # every slide speaks one whole cached sentence (AAC adds up to two frames of 1024 samples)
    assert sorted(spoken) == pytest.approx(sorted(wavs), abs=2 * 1024 / 22050 + 1e-3)
