"""Every scene rendered with default settings can be read: its .srt keeps subtitle standards.

Netflix's timed-text guide for adults: at most 17 characters a second, each caption on screen
5/6 s to 7 s, at most 2 lines of at most 42 characters.
"""

import itertools

import av
import pytest
from readable import EPS, assert_readable

from scenes.output.subtitles import parse_srt
from scenes.registry import SCENES


@pytest.mark.parametrize("name", list(SCENES))
def test_every_caption_can_be_read(rendered_all, name):
    out, res = rendered_all
    assert res.returncode == 0, res.stderr
    cues = parse_srt((out / f"{name}.srt").read_text(encoding="utf-8"))
    assert len(cues) >= 2
    assert_readable(cues)


@pytest.mark.parametrize("name", list(SCENES))
def test_captions_stay_within_the_video_in_order(rendered_all, name):
    out, _ = rendered_all
    cues = parse_srt((out / f"{name}.srt").read_text(encoding="utf-8"))
    with av.open(str(out / f"{name}.mp4")) as c:
        duration = float(c.duration) / av.time_base
    assert all(a.end <= b.start + EPS for a, b in itertools.pairwise(cues))
    assert cues[-1].end <= duration + 0.1
