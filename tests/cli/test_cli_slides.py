"""`unrolled slides`: a deck with one slide per beat, its narration as speaker notes."""

import re
import shutil
import subprocess
import sys

import pytest
from cli_run import unrolled
from example_deck import beats_of_example_lecture, example_decks
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE


def test_pptx_deck_from_a_scene(tmp_path):
    res = unrolled("slides", "forward", "--text", "hey", "--name", "intro", "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    assert "Generating video slides" not in res.stdout + res.stderr  # manim-slides' own bar
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


@pytest.fixture(scope="module")
def example_pptx(tmp_path_factory):
    """The example lecture's PowerPoint deck, built once for the tests that read it."""
    return example_decks() / "example.pptx"


def test_deck_of_the_example_lecture(example_pptx):
    slides = list(Presentation(str(example_pptx)).slides)
    expected = beats_of_example_lecture()
    assert len(expected) == 4 and len(slides) == sum(map(len, expected))
    notes = [sentence for beats in expected for sentence in beats]
    for slide, sentence in zip(slides, notes):
        media = [sh for sh in slide.shapes if sh.shape_type == MSO_SHAPE_TYPE.MEDIA]
        assert len(media) == 1
        text = slide.notes_slide.notes_text_frame.text
        assert text.strip().endswith(".") and text.split() == sentence.split()


def _pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF as LibreOffice writes it: page objects, checked against the page tree."""
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))
    counts = [int(c) for c in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf)]
    counts += [int(c) for c in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", pdf)]
    assert counts and max(counts) == pages, (pages, counts)
    return pages


def test_example_deck_opens_in_libreoffice(example_pptx, tmp_path):
    """A real PowerPoint reader: LibreOffice Impress turns the deck into one page per beat."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice Impress is not installed (make test installs it)"
    res = subprocess.run(
        [soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(example_pptx)],
        capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    pdf = (tmp_path / "example.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert _pdf_pages(pdf) == sum(map(len, beats_of_example_lecture()))


def test_decks_are_reproducible(tmp_path):
    """The same command twice: the same bytes, for PowerPoint and for HTML (page and assets)."""
    for to in ("pptx", "html"):
        outs = [tmp_path / f"{to}{k}" for k in range(2)]
        for out in outs:
            res = unrolled("slides", "forward", "--text", "hey", "--to", to, "--out", str(out))
            assert res.returncode == 0, res.stderr
        files = [sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
                 for out in outs]
        assert files[0] == files[1] and len(files[0]) >= 1
        for rel in files[0]:
            assert (outs[0] / rel).read_bytes() == (outs[1] / rel).read_bytes(), rel


@pytest.mark.parametrize("url", ['"><script>alert(1)</script>', "javascript:alert(1)"])
def test_hostile_reveal_url_is_refused(tmp_path, url):
    res = unrolled("slides", "forward", "--to", "html", "--reveal-url", url,
                   "--out", str(tmp_path / "out"))
    assert res.returncode == 2 and res.stderr.count("\n") == 1
    assert res.stderr.startswith("Error: ") and "reveal-url" in res.stderr
    assert "Traceback" not in res.stderr and not (tmp_path / "out").exists()


def test_relative_out_folder(tmp_path):
    res = subprocess.run([sys.executable, "-c", "import cli; cli.main()", "slides", "forward",
                          "--text", "hey", "--to", "html", "--out", "media"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "media" / "forward.html").is_file()
    assert len(list((tmp_path / "media" / "forward_assets").glob("*.mp4"))) == 4
