"""How a beat's sentence is told: paced for reading, cut into captions that fit, said aloud.

Subtitle standards (Netflix timed text, adults) ask for at most 17 characters a second, each
caption on screen 5/6 s to 7 s, at most 2 lines of 42 characters. A beat's written caption is
cut into such cues here, and the beat is held until they can be read at ``pace``. With a voice,
the cues follow the audio instead. No manim here: ``stage.beat`` applies the plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rnn.errors import UnrolledError

MAX_LINE = 42  # characters on one caption line
MAX_LINES = 2
MIN_CUE = 5 / 6  # seconds a cue stays on screen, at least
MAX_CUE = 7.0  # ... and at most
DEFAULT_PACE = 15.0  # characters a second: under the 17 of subtitle standards
PACE_RANGE = (8.0, 40.0)  # slower cannot fit a full cue in 7 s; faster is for previews
CAPTION_MODES = ("side", "burn")
VOICE_PAUSE = 0.6  # seconds of silence after each spoken sentence


@dataclass(frozen=True)
class Narration:
    """How the beats of one render are told (part of the scene input, so of the cache key)."""

    pace: float = DEFAULT_PACE  # reading speed the beats are held for, characters a second
    voice: bool = False  # speak each beat's sentence (needs the ``voice`` extra)
    captions: str = "side"  # "side": a .srt beside the video; "burn": drawn in the frame too

    def __post_init__(self):
        check_pace(self.pace)
        if self.captions not in CAPTION_MODES:
            raise UnrolledError(f"unknown captions mode {self.captions!r}; "
                                f"choose one of {', '.join(CAPTION_MODES)}")


def check_pace(pace: float) -> float:
    """``pace`` if within ``PACE_RANGE``, else one clear UnrolledError."""
    low, high = PACE_RANGE
    if not isinstance(pace, (int, float)) or isinstance(pace, bool) or not low <= pace <= high:
        raise UnrolledError(f"pace {pace!r} is out of range: expected {low:g} to {high:g} "
                            "characters a second")
    return float(pace)


# Cutting a sentence into cues -----------------------------------------------------------------
def wrap(text: str, width: int = MAX_LINE) -> list[str]:
    """Greedy word wrap of ``text`` into lines of at most ``width`` characters."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _fits(text: str, max_chars: int) -> bool:
    return len(text) <= max_chars and len(wrap(text)) <= MAX_LINES


# sentence ends, then clause marks, then words: the places a caption is best cut, in order
_CUTS = (re.compile(r"(?<=[.!?])\s+"), re.compile(r"(?<=[;:])\s+"),
         re.compile(r"(?<=,)\s+|\s+(?=—)"), re.compile(r"\s+"))


def split_caption(text: str, pace: float = DEFAULT_PACE) -> list[str]:
    """``text`` cut into cues of at most 2 lines of 42 characters, each readable in 7 s.

    Cut at sentence ends first, then at clause marks, then between words; neighbouring
    pieces are joined again while they fit in one cue.
    """
    max_chars = min(MAX_LINE * MAX_LINES, int(MAX_CUE * min(pace, 17.0)))
    return _split(" ".join(text.split()), max_chars, 0)


def _split(text: str, max_chars: int, level: int) -> list[str]:
    if _fits(text, max_chars) or level == len(_CUTS):
        return [text] if text else []
    if level == len(_CUTS) - 1:
        return _even_words(text, max_chars)
    pieces = [p for p in _CUTS[level].split(text) if p]
    cues: list[str] = []
    for piece in pieces:
        if cues and _fits(cues[-1] + " " + piece, max_chars):
            cues[-1] += " " + piece
        elif _fits(piece, max_chars):
            cues.append(piece)
        else:
            cues += _split(piece, max_chars, level + 1)
    return cues


def _even_words(text: str, max_chars: int) -> list[str]:
    """``text`` cut between words into the fewest cues that fit, of about equal length, so
    that no cue is a lone word left over."""
    words = text.split()
    for k in range(1, len(words) + 1):
        target = len(text) / k
        cues: list[str] = []
        for word in words:
            if cues and len(cues[-1]) < target and _fits(cues[-1] + " " + word, max_chars):
                cues[-1] += " " + word
            else:
                cues.append(word)
        if len(cues) <= k and all(_fits(c, max_chars) for c in cues):
            return cues
    return words


def spread(cues: list[str], seconds: float) -> list[float]:
    """Seconds of each cue when ``cues`` share ``seconds`` of speech by their length, none
    under 5/6 s while the speech is long enough for that."""
    chars = [len(c) for c in cues]
    times = [seconds * n / sum(chars) for n in chars]
    short = [t < MIN_CUE for t in times]
    if any(short) and seconds >= MIN_CUE * len(cues):
        rest = seconds - MIN_CUE * sum(short)
        long_chars = sum(n for n, s in zip(chars, short) if not s)
        times = [MIN_CUE if s else rest * n / long_chars for n, s in zip(chars, short)]
    return times


def spoken_cues(cues: list[str], seconds: float) -> tuple[list[str], list[float]]:
    """``cues`` following ``seconds`` of speech, each cut again where its share is over 7 s.

    A cue cut for reading fits 7 s at the reading pace; spoken more slowly, its share of the
    sentence can be longer: such a cue is cut (clauses, then words) to the length the voice
    says in 7 s. Returns the cues and their seconds (``spread``).
    """
    times = spread(cues, seconds)
    while True:
        longer = [(k, t) for k, t in enumerate(times) if t > MAX_CUE]
        if not longer:
            return cues, times
        k, t = longer[0]
        pieces = _split(cues[k], int(len(cues[k]) * MAX_CUE / t), 0)
        if len(pieces) < 2:  # one word spoken for 7 s: nothing left to cut
            return cues, times
        cues = cues[:k] + pieces + cues[k + 1:]
        times = spread(cues, seconds)


def cue_lines(cue: str) -> str:
    """A cue as shown: wrapped into lines of at most 42 characters."""
    return "\n".join(wrap(cue))


def reading_times(cues: list[str], pace: float) -> list[float]:
    """Seconds each cue needs at ``pace`` characters a second (never under 5/6 s)."""
    return [max(MIN_CUE, len(cue) / pace) for cue in cues]


def reading_plan(caption: str, pace: float) -> tuple[list[str], list[float], float]:
    """A caption's cues, the seconds each needs at ``pace``, and how long the beat holds."""
    cues = split_caption(caption, pace)
    times = reading_times(cues, pace)
    return cues, times, sum(times)


def schedule(times: list[float], elapsed: float, extend: bool = True,
             lead: float = 0.0) -> list[tuple[float, float]]:
    """(offset, duration) of each cue, given the seconds each needs, in a beat of ``elapsed``.

    Cues follow each other at their own times from ``lead`` on; with ``extend`` the last
    stays until the beat ends, but never longer than 7 s. Burned-in captions and the ``.srt``
    use the same plan.
    """
    plan, t = [], lead
    for k, d in enumerate(times):
        if extend and k == len(times) - 1:
            d = min(max(d, elapsed - t), MAX_CUE)
        plan.append((t, d))
        t += d
    return plan


# Saying it aloud ------------------------------------------------------------------------------
_NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
            "seventeen", "eighteen", "nineteen", "twenty")
_SYMBOLS = {"x": "x", "h": "h", "a": "a", "o": "o", "y": "y", "ŷ": "y hat", "yhat": "y hat",
            "L": "L", "s": "s", "t": "t", "U": "U", "W": "W", "V": "V", "b": "b", "c": "c"}


def _say_index(index: str) -> str:
    index = index.replace("−", "-").replace(" ", "")
    m = re.fullmatch(r"([a-z]?)([+-]?)(\d*)", index)
    if not m:
        return index
    var, sign, num = m.groups()
    words = [var] if var else []
    if sign:
        words.append("plus" if sign == "+" else "minus")
    if num:
        words.append(_NUMBERS[int(num)] if int(num) < len(_NUMBERS) else num)
    return " ".join(words)


def _say_symbol(sym: str) -> str:
    return _SYMBOLS.get(sym, sym)


def spoken_form(caption: str) -> str:
    """How ``caption`` is said: notation such as ``dL/dh(4)`` becomes words a voice can read.

    ``dL/dX(t)`` -> "the error at X t", ``dL/dW`` -> "the gradient of W", ``h(t−1)`` ->
    "h at t minus one"; any other slash, bracket, caret or underscore becomes words or a pause.
    """
    s = caption
    s = re.sub(r"dL/d(\w+)\(([^()]*)\)",
               lambda m: f"the error at {_say_symbol(m[1])} {_say_index(m[2])}", s)
    s = re.sub(r"dL/d(\w+)", lambda m: f"the gradient of {_say_symbol(m[1])}", s)
    s = re.sub(r"\b(\w+)\(([^()]*)\)",
               lambda m: f"{_say_symbol(m[1])} at {_say_index(m[2])}"
               if re.fullmatch(r"\s*[a-z]?\s*[+\-−]?\s*\d*\s*", m[2]) else m[0], s)
    s = re.sub(r"(\w)\^(\w+)", r"\1 to the power \2", s)
    s = re.sub(r"(\w)_(\w+)", r"\1 \2", s)
    s = s.replace("/", " over ").replace("(", ", ").replace(")", ",").replace("^", " ")
    s = s.replace("_", " ").replace("−", " minus ").replace("×", " times ")
    s = s.replace(" = ", " equals ").replace("σ", "sigmoid").replace("ŷ", "y hat")
    s = re.sub(r"\s+([,.;:])", r"\1", s)
    s = re.sub(r",\s*,", ",", s)
    s = " ".join(s.split()).rstrip(",")
    return s[:1].upper() + s[1:]
