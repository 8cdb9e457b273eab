"""`unrolled slides`: a deck with one slide per beat, its narration as speaker notes."""

import subprocess
import sys

from cli_run import ROOT, unrolled
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE


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


def beats_of_example_lecture() -> list[int]:
    """Sections each scene of the example lecture opens, counted from dry runs of the scenes."""
    import dataclasses
    import sys
    import tempfile

    from manim import Scene, tempconfig

    from scenes.beats.inputs import set_scene_input
    from scenes.output.lecture_file import load_lecture
    from scenes.registry import SCENES

    lecture = load_lecture(ROOT / "lectures" / "example.toml")
    counts = []
    opened = []
    real = Scene.next_section

    def counting(self, *args, **kwargs):
        opened.append(args[0] if args else kwargs.get("name"))
        return real(self, *args, **kwargs)

    Scene.next_section = counting
    try:
        for name, inp in zip(lecture.scene_names, lecture.scene_inputs()):
            with tempfile.TemporaryDirectory() as media, tempconfig({
                    "dry_run": True, "from_animation_number": sys.maxsize, "media_dir": media,
                    "output_file": f"{media}/x", "notify_outdated_version": False,
                    "progress_bar": "none", "verbosity": "WARNING"}):
                set_scene_input(dataclasses.replace(inp))
                opened.clear()
                SCENES[name].cls().render()
                counts.append(len(opened))
    finally:
        Scene.next_section = real
        set_scene_input(None)
    return counts


def test_deck_of_the_example_lecture(tmp_path):
    res = unrolled("slides", "--config", "lectures/example.toml", "--to", "pptx", "--jobs", "2",
                   "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    slides = list(Presentation(str(tmp_path / "example.pptx")).slides)
    expected = beats_of_example_lecture()
    assert len(expected) == 4 and len(slides) == sum(expected)
    for slide in slides:
        media = [sh for sh in slide.shapes if sh.shape_type == MSO_SHAPE_TYPE.MEDIA]
        assert len(media) == 1
        assert slide.notes_slide.notes_text_frame.text.strip().endswith(".")


def test_relative_out_folder(tmp_path):
    res = subprocess.run([sys.executable, "-c", "import cli; cli.main()", "slides", "forward",
                          "--text", "hey", "--to", "html", "--out", "media"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "media" / "forward.html").is_file()
    assert len(list((tmp_path / "media" / "forward_assets").glob("*.mp4"))) == 4
