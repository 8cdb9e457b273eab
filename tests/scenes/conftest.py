"""Shared set-up for scene tests: graphical tests that really run, renders that stay offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from manim import tempconfig
from manim.utils.testing import frames_comparison

from rnn import text_model
from scenes.beats.inputs import SceneInput, set_scene_input

# Debian 12 ships cairo 1.16; manim would otherwise skip every frames_comparison test,
# and a skipped test checks nothing.
frames_comparison.MIN_CAIRO_VERSION = 0

GRAPHICAL_OPTIONS = {"--set_test": "Will create the control data for EACH running test.",
                     "--show_diff": "Will show a visual comparison if a graphical unit test fails."}


def pytest_addoption(parser):
    # The same options as manim's own tests/conftest.py, read by frames_comparison.
    for name, help_text in GRAPHICAL_OPTIONS.items():
        try:
            parser.addoption(name, action="store_true", default=False, help=help_text)
        except ValueError:  # already registered by another conftest
            pass


@pytest.fixture(autouse=True)
def _graphical_options_default(request, monkeypatch):
    """frames_comparison asks for the options without a default: when pytest was started
    from a directory where this conftest is not an initial one, answer False."""
    original = request.config.getoption
    missing = object()

    def getoption(name, default=missing, skip=False):
        if name in GRAPHICAL_OPTIONS and default is missing:
            default = False
        return original(name, skip=skip) if default is missing else original(name, default, skip)

    monkeypatch.setattr(request.config, "getoption", getoption)


@pytest.fixture(autouse=True)
def _fresh_scene_input():
    set_scene_input(None)
    yield
    set_scene_input(None)


@pytest.fixture(scope="session")
def tiny_trace():
    """Two steps, three hidden units, three characters: the cheapest picture that says something."""
    return text_model("hey", hidden=3, seed=0).trace()


@pytest.fixture(scope="session")
def hello_trace():
    return text_model("hello", hidden=3, seed=0).trace()


def run_dry(scene_cls, inp: SceneInput, media: Path):
    """Build ``scene_cls`` on ``inp`` without writing frames; return the finished scene."""
    set_scene_input(inp)
    # dry_run writes nothing but still paints every frame; skipping every animation jumps
    # each one to its end state, which is all these tests look at
    conf = {"dry_run": True, "from_animation_number": 10**9, "media_dir": str(media),
            "output_file": str(Path(media) / "dry"),  # narration is kept when a file is named
            "notify_outdated_version": False, "disable_caching": True,
            "progress_bar": "none", "verbosity": "WARNING"}
    with tempconfig(conf):
        scene = scene_cls()
        scene.render()
    return scene


@pytest.fixture(scope="session")
def dry_run():
    """``dry_run(SceneClass, scene_input, media_dir)`` -> the scene after a dry-run render."""
    return run_dry
