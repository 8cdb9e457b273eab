"""What the example lecture's deck must hold, found without the deck: dry runs of its scenes.

Shared by the deck tests (slide counts, notes) so they compare a deck with the scenes, not with
numbers copied from an earlier deck.
"""

import atexit
import dataclasses
import functools
import shutil
import sys
import tempfile
from pathlib import Path

from cli_run import ROOT, unrolled

EXAMPLE = ROOT / "lectures" / "example.toml"


@functools.cache  # dry runs of four scenes: once per test session
def beats_of_example_lecture() -> tuple[tuple[str, ...], ...]:
    """Per scene of the example lecture, per beat it opens, the narration said in that beat."""
    from manim import Scene, tempconfig

    from scenes.beats.inputs import set_scene_input
    from scenes.output.lecture_file import load_lecture
    from scenes.registry import SCENES

    lecture = load_lecture(EXAMPLE)
    scenes: list[list[str]] = []
    beats: list[str] = []
    real_section, real_caption = Scene.next_section, Scene.add_subcaption

    def section(self, *args, **kwargs):
        beats.append("")
        return real_section(self, *args, **kwargs)

    def caption(self, content, *args, **kwargs):
        if beats:
            beats[-1] = f"{beats[-1]} {content}".strip()
        return real_caption(self, content, *args, **kwargs)

    Scene.next_section, Scene.add_subcaption = section, caption
    try:
        for name, inp in zip(lecture.scene_names, lecture.scene_inputs()):
            with tempfile.TemporaryDirectory() as media, tempconfig({
                    "dry_run": True, "from_animation_number": sys.maxsize, "media_dir": media,
                    "output_file": f"{media}/x", "notify_outdated_version": False,
                    "progress_bar": "none", "verbosity": "WARNING"}):
                set_scene_input(dataclasses.replace(inp))
                beats = []
                SCENES[name].cls().render()
                scenes.append(tuple(beats))
    finally:
        Scene.next_section, Scene.add_subcaption = real_section, real_caption
        set_scene_input(None)
    return tuple(scenes)


@functools.cache  # the example's scenes rendered once per session, for both decks
def example_decks() -> Path:
    """``unrolled slides --config lectures/example.toml --to pptx --to html``: the folder."""
    out = Path(tempfile.mkdtemp(prefix="unrolled-example-deck-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    res = unrolled("slides", "--config", str(EXAMPLE), "--to", "pptx", "--to", "html",
                   "--jobs", "2", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert res.stdout.count("wrote ") == 2
    # One progress display, the project's: not manim-slides' own bar.
    assert "Generating video slides" not in res.stdout + res.stderr
    return out
