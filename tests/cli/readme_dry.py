"""``unrolled`` with its renders turned into dry runs, for running the README's examples.

Imported before ``cli`` in the README test's subprocesses. Everything up to the drawing is
real: option parsing, validation, lecture files, the model and its Trace, each scene's input and
its ``setup`` (the data it loads and the limits it checks). What is skipped: the scenes' beats
(``construct``: building every scene once costs minutes; tests/cli/test_cli_every_scene.py
renders them all), encoding videos (``render``), converting slides into a deck (``slides``: an
empty deck file is written instead), drawing a figure's final frame (``figures``: an empty
file) and speaking (``--voice``). The render, slides, figures and voice tests check those.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path


def install() -> None:
    """Replace the drawing steps of render, slides and figures (see the module's docstring)."""
    from manim import tempconfig

    from scenes.beats.inputs import get_scene_input, set_scene_input
    from scenes.output import render, slides, still
    from scenes.registry import SCENES

    def set_up(make_scene) -> None:
        with tempfile.TemporaryDirectory(prefix="unrolled-dry-") as media:
            with tempconfig({"dry_run": True, "from_animation_number": sys.maxsize,
                             "media_dir": media, "output_file": str(Path(media) / "dry"),
                             "disable_caching": True, "progress_bar": "none",
                             "notify_outdated_version": False, "verbosity": "WARNING"}):
                make_scene().setup()  # the scene's data and limits, not its beats

    def dry_run(cls, scene_input) -> None:
        previous = get_scene_input()
        try:
            set_scene_input(scene_input)
            set_up(cls)
        finally:
            set_scene_input(previous)

    def still_render(scene_factory, fmts, width, height, background):
        set_up(scene_factory)
        return {fmt: b"" for fmt in fmts}

    def render_fresh(name, inp, *_how, **_more):  # quality, format, ... do not matter dry
        dry_run(SCENES[name].cls, inp)
        return []

    def render_all(tasks, n_jobs, progress):
        for scene_cls, scene_input, _work, _quality in tasks:
            dry_run(scene_cls, scene_input)
        return [], []

    def convert(configs, captions, dest, to, one_file, reveal_url, title, assets_url):
        dest.parent.mkdir(parents=True)
        dest.write_bytes(b"")

    fresh_or_cached = render.render_scene

    def render_scene(*args, **kwargs):  # a dry run leaves nothing to cache
        return fresh_or_cached(*args, **{**kwargs, "cache_dir": None})

    render._render_fresh = render_fresh
    render.render_scene = render_scene
    slides._render_all = render_all
    slides._convert = convert
    still._render = still_render
