"""Captions and chapters for players: SubRip -> WebVTT, and a sections index -> WebVTT chapters.

Manim writes narration as ``.srt`` (from ``add_subcaption``) and, with ``save_sections``, a JSON
index of the sections (one per beat). Browsers and most players want WebVTT, so both are
converted here. Parsing is strict: a malformed timestamp is reported, never guessed.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from rnn.errors import UnrolledError
from rnn.files.atomic import write_text_atomic

_SRT_TIME = re.compile(r"^(\d{2,}):([0-5]\d):([0-5]\d)[,.](\d{3})$")
_ARROW = " --> "


@dataclass(frozen=True)
class Cue:
    """One timed text: a caption or a chapter, times in seconds."""

    start: float
    end: float
    text: str


def parse_timestamp(stamp: str, where: str = "timestamp") -> float:
    """Seconds of an SRT timestamp ``HH:MM:SS,mmm`` (a ``.`` is accepted for the comma)."""
    match = _SRT_TIME.match(stamp.strip())
    if not match:
        raise UnrolledError(f"{where}: bad timestamp {stamp.strip()!r} (expected HH:MM:SS,mmm)")
    h, m, s, ms = (int(g) for g in match.groups())
    return h * 3600 + m * 60 + s + ms / 1000


def format_timestamp(seconds: float) -> str:
    """WebVTT timestamp ``HH:MM:SS.mmm`` of a non-negative time in seconds."""
    ms = round(seconds * 1000)
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def parse_srt(text: str, source: str = "srt") -> list[Cue]:
    """Parse SubRip text into cues; UnrolledError naming ``source`` and the line if malformed."""
    cues: list[Cue] = []
    lines = text.replace("\r\n", "\n").lstrip("\ufeff").split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        # A block: an index line, a timing line, then text up to a blank line.
        if not lines[i].strip().isdigit():
            raise UnrolledError(f"{source}:{i + 1}: expected a cue number, got {lines[i]!r}")
        if i + 1 >= len(lines) or _ARROW not in lines[i + 1]:
            raise UnrolledError(f"{source}:{i + 2}: expected 'start --> end' after cue number")
        where = f"{source}:{i + 2}"
        first, _, second = lines[i + 1].partition(_ARROW)
        start = parse_timestamp(first, where)
        end = parse_timestamp(second.split()[0] if second.split() else "", where)
        if end < start:
            raise UnrolledError(f"{where}: cue ends ({second.strip()}) before it starts ({first})")
        i += 2
        body = []
        while i < len(lines) and lines[i].strip():
            body.append(lines[i].rstrip())
            i += 1
        cues.append(Cue(start, end, "\n".join(body)))
    return cues


def format_vtt(cues: list[Cue]) -> str:
    """WebVTT text of ``cues``; ``-->`` inside a text is escaped so it cannot end a cue early."""
    blocks = ["WEBVTT"]
    for n, cue in enumerate(cues, start=1):
        text = cue.text.replace("&", "&amp;").replace("<", "&lt;").replace("-->", "--&gt;")
        blocks.append(f"{n}\n{format_timestamp(cue.start)} --> {format_timestamp(cue.end)}\n{text}")
    return "\n\n".join(blocks) + "\n"


def srt_to_vtt(srt_path: str | Path, vtt_path: str | Path | None = None) -> Path:
    """Convert a ``.srt`` file to WebVTT (default: the same name with ``.vtt``), atomically."""
    srt_path = Path(srt_path)
    vtt_path = Path(vtt_path) if vtt_path is not None else srt_path.with_suffix(".vtt")
    try:
        text = srt_path.read_text(encoding="utf-8")
    except OSError as err:
        raise UnrolledError(f"{srt_path}: cannot read subtitles ({err.strerror})") from None
    write_text_atomic(vtt_path, format_vtt(parse_srt(text, str(srt_path))))
    # The atomic write creates a private (0600) file; captions are as shareable as their source.
    shutil.copymode(srt_path, vtt_path)
    return vtt_path


def chapters_from_sections(sections: list, source: str = "sections") -> list[Cue]:
    """One chapter per section of a manim sections index (``name`` and ``duration`` per entry)."""
    if not isinstance(sections, list):
        raise UnrolledError(f"{source}: expected a list of sections")
    cues, t = [], 0.0
    for k, section in enumerate(sections):
        try:
            name = str(section["name"])
            duration = float(section["duration"])
        except (TypeError, KeyError, ValueError):
            raise UnrolledError(
                f"{source}: sections[{k}]: expected 'name' and a numeric 'duration'"
            ) from None
        if duration < 0:
            raise UnrolledError(f"{source}: sections[{k}]: negative duration {duration}")
        cues.append(Cue(t, t + duration, chapter_title(name)))
        t += duration
    return cues


def chapter_title(name: str) -> str:
    """A section name as a reader sees it: ``show_errors`` -> ``Show errors``."""
    words = name.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else "Untitled"


def write_chapters(sections_path: str | Path, chapters_path: str | Path | None = None) -> Path:
    """Write WebVTT chapters for ``<name>.sections.json`` to ``<name>.chapters.vtt``, atomically."""
    sections_path = Path(sections_path)
    if chapters_path is None:
        stem = sections_path.name.removesuffix(".json").removesuffix(".sections")
        chapters_path = sections_path.with_name(f"{stem}.chapters.vtt")
    try:
        sections = json.loads(sections_path.read_text(encoding="utf-8"))
    except OSError as err:
        raise UnrolledError(f"{sections_path}: cannot read sections ({err.strerror})") from None
    except json.JSONDecodeError as err:
        raise UnrolledError(
            f"{sections_path}: not valid JSON ({err.msg}, line {err.lineno})"
        ) from None
    chapters = chapters_from_sections(sections, str(sections_path))
    write_text_atomic(chapters_path, format_vtt(chapters))
    shutil.copymode(sections_path, chapters_path)
    return Path(chapters_path)
