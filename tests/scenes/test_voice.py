"""The offline voice: the same sentence gives the same bytes, synthesised afresh or cached."""

from scenes.beats import voice


def test_a_sentence_is_spoken_to_the_same_bytes_twice(tmp_path, monkeypatch):
    sentence = "The error at h four travels back to h three."
    spoken = []
    for name in ("first", "second"):  # two empty caches: two real syntheses
        monkeypatch.setenv(voice.CACHE_ENV, str(tmp_path / name))
        before = voice.syntheses
        spoken.append(voice.say(sentence))
        assert voice.syntheses == before + 1
    first, second = (s.path.read_bytes() for s in spoken)
    assert len(first) > 44 + 16000  # a WAV header and more than a moment of sound
    assert first == second
    assert spoken[0].path.parent != spoken[1].path.parent
