"""--captions burn draws each cue of the side file into the frame, in a band at the bottom."""

import av
import numpy as np
import pytest
from cli_run import unrolled

from scenes.components.caption_band import BAND_HEIGHT
from scenes.output.subtitles import parse_srt

FRAME_HEIGHT = 8.0  # scene units of the frame's height (manim's default)


def _frames_at(path, seconds):
    """Grey frames (2-D arrays) of the video shown at each of ``seconds``: the last picture
    starting at or before it (a held picture is stored once, lasting its hold)."""
    wanted = sorted(seconds)
    found = {}
    shown = None
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        for frame in c.decode(stream):
            t = float(frame.pts * stream.time_base)
            while wanted and t > wanted[0] + 1e-6:
                found[wanted.pop(0)] = shown
            if not wanted:
                break
            shown = frame.to_ndarray(format="gray").astype(int)
    for s in wanted:  # shown by the last picture
        found[s] = shown
    return [found[s] for s in seconds]


@pytest.fixture(scope="module")
def two_renders(tmp_path_factory):
    """forward on "hey" rendered with side captions and with burned-in ones."""
    out = {}
    for mode in ("side", "burn"):
        folder = tmp_path_factory.mktemp(mode)
        res = unrolled("render", "forward", "--text", "hey", "--captions", mode,
                       "--out", str(folder))
        assert res.returncode == 0, res.stderr
        out[mode] = folder
    return out


def test_burned_captions_keep_the_same_side_file(two_renders):
    side, burn = (parse_srt((two_renders[m] / "forward.srt").read_text(encoding="utf-8"))
                  for m in ("side", "burn"))
    assert [c.text for c in burn] == [c.text for c in side]
    assert [(c.start, c.end) for c in burn] == [(c.start, c.end) for c in side]  # same timing


def test_each_cue_is_drawn_in_the_band_and_the_picture_above_is_untouched(two_renders):
    cues = parse_srt((two_renders["burn"] / "forward.srt").read_text(encoding="utf-8"))
    assert len(cues) >= 4
    middles = [(c.start + c.end) / 2 for c in cues]
    side = _frames_at(two_renders["side"] / "forward.mp4", middles)
    burn = _frames_at(two_renders["burn"] / "forward.mp4", middles)
    rows = side[0].shape[0]
    band = int(rows * BAND_HEIGHT / FRAME_HEIGHT)  # the band's rows at the bottom
    above = rows - band - 4  # a margin for the codec's blocks at the band's edge
    bands = []
    for plain, burned in zip(side, burn):
        assert np.abs(plain[:above] - burned[:above]).mean() < 1.0  # the picture is the same
        text = np.abs(plain[-band:] - burned[-band:]) > 60  # the caption's strokes
        assert text.mean() > 0.005  # a cue is written in the band
        bands.append(burned[-band:])
    # every cue shows its own text, not the previous cue's
    for a, b in zip(bands, bands[1:]):
        assert (np.abs(a - b) > 60).mean() > 0.005
