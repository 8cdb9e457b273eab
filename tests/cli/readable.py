"""The subtitle standard every caption cue must meet (at most 2 lines of 42 characters,
5/6 s to 7 s on screen, at most 17 characters a second), shared by the caption tests."""

EPS = 0.002  # SubRip keeps milliseconds


def assert_readable(cues) -> None:
    """Fail on the first cue of ``cues`` (``subtitles.Cue``) that breaks the standard."""
    for cue in cues:
        lines = cue.text.split("\n")
        seconds = cue.end - cue.start
        assert len(lines) <= 2 and max(map(len, lines)) <= 42, cue
        assert 5 / 6 - EPS <= seconds <= 7 + EPS, cue
        assert len("".join(lines)) / seconds <= 17, cue
