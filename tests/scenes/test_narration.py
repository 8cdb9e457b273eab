"""Captions cut to fit and paced for reading, and sentences a voice can say."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnn.errors import UnrolledError
from scenes.beats.inputs import SceneInput
from scenes.beats import voice
from scenes.beats.narration import (
    DEFAULT_PACE,
    MAX_CUE,
    MIN_CUE,
    VOICE_PAUSE,
    Narration,
    cue_lines,
    reading_times,
    schedule,
    split_caption,
    spoken_cues,
    spoken_form,
    spread,
)
from scenes.registry import SCENES

LONG = ("Step 3: the input and the previous hidden state, through U and W, give h(3); "
        "V turns it into the prediction and its loss L(3). It starts from the hidden state "
        "the previous window ended in, and its errors travel back only as far as step 1.")


def test_a_long_sentence_is_cut_at_clauses_into_cues_that_fit():
    cues = split_caption(LONG)
    assert len(cues) >= 3
    assert " ".join(cues) == LONG  # nothing lost, nothing added
    assert cues[0] == "Step 3: the input and the previous hidden state, through U and W, give h(3);"
    for cue in cues:
        lines = cue_lines(cue).split("\n")
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines)


@given(st.lists(st.text("abcdefghij", min_size=1, max_size=30), min_size=1, max_size=60),
       st.floats(8, 40))
def test_any_words_fit_in_cues_readable_within_seven_seconds(words, pace):
    text = " ".join(words)
    cues = split_caption(text, pace)
    assert " ".join(cues) == text
    for cue, seconds in zip(cues, reading_times(cues, pace)):
        assert len(cue_lines(cue).split("\n")) <= 2
        assert MIN_CUE <= seconds <= MAX_CUE


def test_a_clause_too_long_for_one_cue_is_cut_into_even_halves_not_a_lone_word():
    cues = split_caption("At the same starting parameters, the truncated gradient of W misses "
                         "what the errors crossing the cuts would have added.")
    assert cues[0] == "At the same starting parameters,"
    assert len(cues) == 3 and min(len(c) for c in cues[1:]) > 30


def test_spoken_cues_share_the_speech_and_none_is_too_short_to_read():
    assert spread(["a" * 30, "b" * 10], 4.0) == [3.0, 1.0]
    times = spread(["a" * 80, "bb"], 5.0)
    assert times[1] == MIN_CUE and abs(sum(times) - 5.0) < 1e-9


def test_a_cue_spoken_longer_than_seven_seconds_is_cut_again():
    # 78 characters fit one cue at reading pace 15 (7 s); a voice saying them in 8 s
    # would hold the cue 8 s: it is cut at the comma instead
    cue = "the error fades on its way back, one step after another, until nothing is left"
    assert split_caption(cue) == [cue]
    cues, times = spoken_cues([cue], 8.0)
    assert " ".join(cues) == cue and len(cues) == 2
    assert max(times) <= MAX_CUE and abs(sum(times) - 8.0) < 1e-9
    assert spoken_cues([cue], 6.0) == ([cue], [6.0])  # within 7 s: left as it was


@given(st.lists(st.text("abcdefghij", min_size=1, max_size=12), min_size=1, max_size=60),
       st.floats(8, 17), st.floats(6, 16))
def test_spoken_cues_never_last_over_seven_seconds(words, pace, voice_pace):
    # any caption cut for reading at ``pace``, spoken at ``voice_pace`` characters a second
    text = " ".join(words)
    cues, times = spoken_cues(split_caption(text, pace), len(text) / voice_pace)
    assert " ".join(cues) == text
    assert max(times) <= MAX_CUE + 1e-9
    assert all(len(cue_lines(c).split("\n")) <= 2 for c in cues)


def test_the_last_cue_stays_until_the_beat_ends_but_at_most_seven_seconds():
    assert schedule([2.0, 3.0], 10.0) == [(0.0, 2.0), (2.0, 7.0)]
    assert schedule([2.0, 3.0], 4.0) == [(0.0, 2.0), (2.0, 3.0)]
    assert schedule([2.0, 3.0], 10.0, extend=False) == [(0.0, 2.0), (2.0, 3.0)]


@pytest.mark.parametrize("written, said", [
    ("dL/dh(4) follows.", "The error at h four follows."),
    ("h(t−1) enters h(t)", "H at t minus one enters h at t"),
    ("the gradient dL/dW is summed", "The gradient the gradient of W is summed"),
    ("clip to C = 1.00", "Clip to C equals 1.00"),
])
def test_notation_is_said_in_words(written, said):
    assert spoken_form(written) == said


@pytest.mark.parametrize("pace, captions", [(7.9, "side"), (40.1, "side"), (15, "subtitles")])
def test_narration_settings_out_of_range_are_one_clear_error(pace, captions):
    with pytest.raises(UnrolledError):
        Narration(pace=pace, captions=captions)


@pytest.mark.parametrize("name", list(SCENES))
def test_no_spoken_sentence_holds_notation(name, dry_run, tmp_path, hello_trace):
    scene = dry_run(SCENES[name].cls, SceneInput(hello_trace), tmp_path)
    told = scene.narrated
    assert told
    for beat, caption, spoken in told:
        assert caption and spoken, beat
        assert not set("/()^_") & set(spoken), (beat, spoken)


def test_voiced_cues_of_vanishing_last_at_most_seven_seconds(dry_run, tmp_path, hello_trace,
                                                              monkeypatch):
    # the example lecture's vanishing, spoken: one cue of its reading plan lasted 7.2 s
    monkeypatch.setenv(voice.CACHE_ENV, str(tmp_path / "voice"))
    scene = dry_run(SCENES["vanishing"].cls, SceneInput(hello_trace), tmp_path)
    longest_before = 0.0
    for beat, caption, spoken in scene.narrated:
        audio = voice.say(spoken)
        speech = audio.speech - audio.onset
        read = split_caption(caption, DEFAULT_PACE)
        longest_before = max(longest_before, *spread(read, speech))
        cues, times = spoken_cues(read, speech)
        assert " ".join(cues) == " ".join(read), beat
        plan = schedule(times, audio.seconds + VOICE_PAUSE, extend=False, lead=audio.onset)
        for cue, (_, seconds) in zip(cues, plan):
            assert MIN_CUE - 1e-9 <= seconds <= MAX_CUE, (beat, cue, seconds)
            assert len(cue_lines(cue).split("\n")) <= 2, (beat, cue)
    assert longest_before > MAX_CUE  # the case this guards against does occur in the scene
