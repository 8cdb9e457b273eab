"""`unrolled slides`: a deck with one slide per beat, its narration as speaker notes."""

import subprocess
import sys
from pathlib import Path

from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

ROOT = Path(__file__).resolve().parents[1]


def unrolled(*args):
    return subprocess.run([sys.executable, "-c", "import cli; cli.main()", *args], cwd=ROOT,
                          capture_output=True, text=True)


def test_pptx_deck_from_a_scene(tmp_path):
    res = unrolled("slides", "forward", "--text", "hey", "--name", "intro", "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    deck = tmp_path / "intro.pptx"
    assert f"wrote {deck}" in res.stdout
    slides = list(Presentation(str(deck)).slides)
    # forward on "hey" (2 steps): the unfolded network, one beat per step, the total loss
    assert len(slides) == 4
    for slide in slides:
        media = [sh for sh in slide.shapes if sh.shape_type == MSO_SHAPE_TYPE.MEDIA]
        assert len(media) == 1 and media[0].name.endswith(".mp4")
        assert slide.has_notes_slide and len(slide.notes_slide.notes_text_frame.text) > 20
    assert "Step 1" in slides[1].notes_slide.notes_text_frame.text


def test_slides_bad_input(tmp_path):
    res = unrolled("slides", "forward", "--to", "key", "--out", str(tmp_path))
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "--to" in res.stderr
    res = unrolled("slides", "--config", str(tmp_path / "missing.toml"), "--out", str(tmp_path))
    assert res.returncode == 2 and "missing.toml" in res.stderr
