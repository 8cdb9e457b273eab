"""A scene rendered with --voice carries its narration: one audio track as long as the video,
and captions that follow the sentence of their beat."""

import json

import av
import numpy as np
import pytest
from cli_run import unrolled

from scenes.output.subtitles import parse_srt


def _loudness(path):
    """Seconds at the start of each 20 ms window and the peak level of the audio in it."""
    with av.open(str(path)) as c:
        stream = c.streams.audio[0]
        rate = stream.codec_context.sample_rate
        samples = np.concatenate([f.to_ndarray().mean(axis=0) for f in c.decode(stream)])
    hop = rate // 50
    n = len(samples) // hop
    peaks = np.abs(samples[: n * hop]).reshape(n, hop).max(axis=1)
    return np.arange(n) * hop / rate, peaks


@pytest.fixture(scope="module")
def narrated(tmp_path_factory):
    """forward on "hi!" rendered with --voice, its sentences synthesised into a fresh cache."""
    out = tmp_path_factory.mktemp("voice")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("UNROLLED_VOICE_CACHE", str(out / "voice-cache"))
        res = unrolled("render", "forward", "--text", "hi!", "--voice", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert len(list((out / "voice-cache").glob("*.wav"))) == 4  # one sentence per beat
    return out


def test_the_video_has_an_audio_track_as_long_as_itself(narrated):
    with av.open(str(narrated / "forward.mp4")) as c:
        video, audio = c.streams.video[0], c.streams.audio[0]
        video_s = float(video.duration * video.time_base)
        audio_s = float(audio.duration * audio.time_base)
    assert audio.codec_context.name == "aac"
    assert video_s > 10 and abs(audio_s - video_s) <= 0.5


def test_every_caption_lies_within_the_sentence_of_its_beat(narrated):
    cues = parse_srt((narrated / "forward.srt").read_text(encoding="utf-8"))
    sections = json.loads((narrated / "forward.sections.json").read_text(encoding="utf-8"))
    times, peaks = _loudness(narrated / "forward.mp4")
    voiced = peaks > 0.02 * peaks.max()
    start = 0.0
    covered = 0
    for section in sections:
        end = start + float(section["duration"])
        inside = voiced & (times >= start) & (times < end)
        assert inside.any(), section["name"]  # every beat says something
        said_from, said_to = times[inside][0], times[inside][-1] + 0.02
        for cue in cues:
            if start - 0.01 <= cue.start < end:
                covered += 1
                assert said_from - 0.3 <= cue.start and cue.end <= said_to + 0.3, (
                    cue, section, said_from, said_to, sections)
        start = end
    assert covered == len(cues)
