"""Decks for every viewer: each slide's video carries its beat's captions (WebVTT text tracks in
the HTML deck, shown in Chromium offline; alternative text on the PowerPoint video), the page
declares its language and lets the reader zoom, and nothing plays by itself under
prefers-reduced-motion."""

from __future__ import annotations

import base64
import re
import shutil
from types import SimpleNamespace

import pytest
from manim import PI, Create, Rotate, Scene, Square
from pptx import Presentation

from scenes.beats.contract import SceneContract
from scenes.output.slides import build_deck
from scenes.output.subtitles import parse_timestamp

# the two decks are built once, in the module fixture: under -n its tests stay in one worker
pytestmark = pytest.mark.xdist_group("caption-decks")
CHROMIUM = "/usr/bin/chromium"
SAID = ["A square appears.", "It turns a third of the way."]


class Said(Scene):
    """Two beats, each narrated half a second after it starts."""

    def construct(self):
        square = Square()
        self.next_section("appear")
        self.wait(0.5)
        self.add_subcaption(SAID[0], duration=0.4)
        self.play(Create(square), run_time=0.4)
        self.next_section("turn_it")
        self.wait(0.5)
        self.play(Rotate(square, PI / 3), run_time=0.4, subcaption=SAID[1])


REGISTRY = {"said": SimpleNamespace(cls=Said, contract=SceneContract())}


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    from rnn.model import text_model
    from scenes.beats.inputs import SceneInput

    out = tmp_path_factory.mktemp("decks")
    inp = SceneInput(trace=text_model().trace())
    html, pptx = build_deck(["said"], inp, to=("html", "pptx"), out_dir=out, registry=REGISTRY)
    return html, pptx


def vtt_cues(vtt: str) -> list[tuple[float, float, str]]:
    """(start, end, text) of each cue of a WebVTT text, parsed here on its own."""
    assert vtt.startswith("WEBVTT\n")
    found = re.findall(r"^(\S+) --> (\S+)\n(.*?)(?:\n\n|\n?$)", vtt, re.MULTILINE | re.DOTALL)
    return [(parse_timestamp(a), parse_timestamp(b), text) for a, b, text in found]


def tracks_of(page: str) -> list[tuple[str, str]]:
    """Each slide's (captions, chapters) WebVTT, decoded from the page's data URLs."""
    found = re.findall(r'data-captions-vtt="data:text/vtt;base64,([^"]+)" '
                       r'data-chapters-vtt="data:text/vtt;base64,([^"]+)"', page)
    return [tuple(base64.b64decode(x).decode() for x in pair) for pair in found]


def test_each_slide_carries_its_beats_captions_timed_within_it(decks):
    html, _ = decks
    page = html.read_text()
    tracks = tracks_of(page)
    assert len(tracks) == 2
    for (captions, chapters), said, title in zip(tracks, SAID, ["Appear", "Turn it"]):
        ((start, end, text),) = vtt_cues(captions)
        assert text == said
        assert start == pytest.approx(0.5, abs=0.07)  # half a second into its own slide
        assert end - start == pytest.approx(0.4, abs=0.07)
        ((c_start, c_end, chapter),) = vtt_cues(chapters)
        assert chapter == title and c_start == 0.0 and c_end == end


def test_the_page_declares_its_language_and_can_be_zoomed(decks):
    page = decks[0].read_text()
    assert '<html lang="en">' in page
    viewport = re.search(r'<meta name="viewport" content="([^"]*)">', page).group(1)
    assert "user-scalable=no" not in viewport and "maximum-scale" not in viewport


def test_powerpoint_videos_are_described_by_their_narration(decks):
    _, pptx = decks
    slides = list(Presentation(str(pptx)).slides)
    described = [[pic.get("descr") for pic in s.shapes._spTree.xpath(".//p:pic/p:nvPicPr/p:cNvPr")]
                 for s in slides]
    assert described == [[SAID[0]], [SAID[1]]]


def open_deck(html, reduced_motion: bool):
    """The deck in Chromium with every non-file request refused; (playwright, browser, tab)."""
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM), "chromium is not installed (make test installs it)"
    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                 args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"])
    context = browser.new_context(reduced_motion="reduce" if reduced_motion else "no-preference")
    tab = context.new_page()
    tab.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
              else r.abort())
    tab.goto(html.as_uri())
    tab.wait_for_function("window.Reveal && Reveal.isReady()", timeout=30_000)
    return pw, browser, tab


CUES = """() => {
  const v = Reveal.getCurrentSlide().slideBackgroundContentElement.querySelector("video");
  if (!v || !v.textTracks.length || !v.textTracks[0].cues) return null;
  return {kinds: Array.from(v.textTracks).map(t => t.kind), mode: v.textTracks[0].mode,
          cues: Array.from(v.textTracks[0].cues).map(c => c.text),
          chapters: Array.from(v.textTracks[1].cues || []).map(c => c.text)};
}"""


def test_chromium_loads_the_captions_offline(decks):
    pw, browser, tab = open_deck(decks[0], reduced_motion=False)
    try:
        seen = []
        for k in range(2):
            tab.wait_for_function(f"({CUES})() && ({CUES})().cues.length > 0", timeout=15_000)
            seen.append(tab.evaluate(CUES))
            if k == 0:
                tab.evaluate("Reveal.next()")
        assert [s["cues"] for s in seen] == [[SAID[0]], [SAID[1]]]
        assert all(s["kinds"] == ["captions", "chapters"] and s["mode"] == "showing"
                   for s in seen)
        assert [s["chapters"] for s in seen] == [["Appear"], ["Turn it"]]
    finally:
        browser.close()
        pw.stop()


def test_nothing_plays_by_itself_under_reduced_motion(decks):
    for reduced in (False, True):
        pw, browser, tab = open_deck(decks[0], reduced_motion=reduced)
        try:
            # false stops every video playing by itself (null leaves reveal.js's default: play)
            config = tab.evaluate("[Reveal.getConfig().autoPlayMedia, Reveal.getConfig().autoSlide]")
            assert (config[0] is False) == reduced and (config[1] == 0 or not reduced)
            video = ("Reveal.getCurrentSlide().slideBackgroundContentElement"
                     ".querySelector('video')")
            tab.wait_for_function(f"{video} && {video}.readyState >= 2", timeout=15_000)
            if reduced:  # given time to start, it still has not
                tab.wait_for_timeout(1000)
                assert tab.evaluate(f"{video}.paused") is True
            else:  # it starts by itself (on a loaded machine, not within a fixed delay)
                tab.wait_for_function(f"!{video}.paused", timeout=15_000)
        finally:
            browser.close()
            pw.stop()


def test_the_deck_has_no_wcag_violation(decks):
    from axe_audit import violations

    pw, browser, tab = open_deck(decks[0], reduced_motion=False)
    try:
        assert violations(tab) == []
    finally:
        browser.close()
        pw.stop()
