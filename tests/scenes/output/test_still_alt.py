"""Stills of ``unrolled render --format png`` carry their description as the figures do: in
the PNG (iTXt ``Title`` and ``Description``) and beside it (``NAME.alt.txt``), written from
the Trace the still draws; every scene has its story.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from rnn import text_model
from scenes.beats.inputs import SceneInput
from scenes.output.alt_stories import SCENE_STORIES, describe_scene
from scenes.output.render import render_scene
from scenes.registry import SCENES

NUMBER = r"(-?\d+(?:\.\d+)?(?:e-?\d+)?)"


def close(text: str, value: float) -> bool:
    return float(text) == pytest.approx(float(value), rel=5e-3)


def read_back(png: Path) -> tuple[str, str, str]:
    """Title and Description of the PNG, and its side file."""
    with Image.open(png) as image:
        chunks = dict(image.text)
    side = png.with_name(png.stem + ".alt.txt").read_text(encoding="utf-8")
    return chunks["Title"], chunks["Description"], side


def test_a_bptt_still_tells_its_traces_numbers(tmp_path):
    tr = text_model("hey you", hidden=4, seed=3).trace()
    written = render_scene("bptt", SceneInput(tr), fmt="png", out_dir=tmp_path, progress=False)
    assert sorted(p.name for p in written) == ["bptt.alt.txt", "bptt.png"]
    title, long, side = read_back(tmp_path / "bptt.png")
    assert side == f"{title}\n\n{long}\n" and long.startswith(title)
    s = int(np.argmax(tr.losses)) + 1
    norms = tr.error_by_source_norms()
    found = re.search(rf"the loss L\((\d+)\) = {NUMBER} is the largest; its error reaches "
                      rf"h\(1\) with norm {NUMBER}", title)
    assert found and int(found[1]) == s
    assert close(found[2], tr.losses[s - 1]) and close(found[3], norms[s - 1, 0])
    assert "'hey you', 6 steps, 4 hidden units" in title
    for k in range(1, tr.T + 1):
        assert close(re.search(rf"L\({k}\) = {NUMBER}", long)[1], tr.losses[k - 1])


def test_a_prepared_scenes_still_tells_the_traces_it_drew(tmp_path):
    """vanishing builds its own two traces: the words are theirs."""
    from scenes.vanishing import prepare_input

    inp = prepare_input({"radius": 1.5}, text="hello world!")
    render_scene("vanishing", inp, fmt="png", out_dir=tmp_path, progress=False)
    title, long, _ = read_back(tmp_path / "vanishing.png")
    T = inp.extra["small"].T
    assert f"L({T})" in title and "spectral radius 0.5" in title and "with 1.5" in title
    for key, r in (("small", "0.5"), ("large", "1.5")):
        norms = inp.extra[key].error_by_source_norms()
        near, far = re.search(rf"[Aa]t radius {r}[^,]*?,? (?:its norm goes )?from {NUMBER} "
                              rf"(?:at h\({T}\) )?to {NUMBER}", long).groups()
        assert close(near, norms[T - 1, T - 1]) and close(far, norms[T - 1, 0])


def test_every_scene_has_a_story_from_its_input():
    from scenes.output.lecture_file import Lecture, ModelSpec, SceneEntry

    assert set(SCENE_STORIES) == set(SCENES)
    lecture = Lecture(path=Path("stills"), title="t", model=ModelSpec(),
                      # carousel trains two models: its story is checked with the figures
                      scenes=tuple(SceneEntry(n, {}) for n in SCENES if n != "carousel"))
    for name, inp in zip([e.name for e in lecture.scenes], lecture.scene_inputs()):
        d = describe_scene(name, inp)
        assert d.short and d.long.startswith(d.short), name
        assert describe_scene(name, inp) == d  # the same words every time
