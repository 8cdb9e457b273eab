"""Stills: PNG size, true vector SVG/PDF, identical bytes on re-render, safe failures."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from manim import (
    BLUE,
    DOWN,
    LEFT,
    RED,
    RESAMPLING_ALGORITHMS,
    RIGHT,
    UP,
    Arrow,
    Circle,
    Create,
    GrowArrow,
    ImageMobject,
    PointCloudDot,
    Scene,
    Text,
    VGroup,
)

from rnn.errors import UnrolledError
from scenes.output.still import save_stills

SVG = "{http://www.w3.org/2000/svg}"
WIDTH = 640  # small keeps the suite fast; sizes are checked separately


def save_still(scene, path, fmt="png", width_px=2400, background=None):
    """One still in one format: the single-format case of ``save_stills``."""
    return save_stills(scene, {fmt: path}, width_px, background)[0]


class Figure(Scene):
    """A few circles, an arrow and some text, drawn with animations and a plain add."""

    def construct(self):
        circles = VGroup(*[
            Circle(0.4, color=RED, fill_opacity=0.5).shift(RIGHT * (i - 2) * 1.2) for i in range(5)
        ])
        arrow = Arrow(LEFT * 3 + DOWN * 2, RIGHT * 3 + UP, color=BLUE)
        self.play(Create(circles), GrowArrow(arrow))
        self.add(Text("dL/dh = +0.12", font_size=36).to_edge(UP))
        self.add_subcaption("Five neurons and an arrow.", duration=1)
        self.wait()


class Broken(Scene):
    def construct(self):
        self.add(Circle())
        raise RuntimeError("scene bug")


class WithPoints(Scene):
    def construct(self):
        self.add(Circle(), PointCloudDot())


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])  # IHDR width and height


@pytest.mark.parametrize("width, height", [(WIDTH, 360), (1001, 563)])
def test_png_has_the_requested_size(tmp_path, width, height):
    out = save_still(Figure, tmp_path / "f.png", "png", width_px=width)
    assert out == tmp_path / "f.png"
    assert _png_size(out.read_bytes()) == (width, height)


def test_png_background_is_the_given_colour(tmp_path):
    from PIL import Image

    save_still(Figure, tmp_path / "f.png", "png", width_px=WIDTH, background="#102030")
    with Image.open(tmp_path / "f.png") as image:
        assert image.convert("RGB").getpixel((2, 2)) == (0x10, 0x20, 0x30)


def test_svg_is_vector_with_true_colours(tmp_path):
    save_still(Figure, tmp_path / "f.svg", "svg", width_px=WIDTH, background="#102030")
    text = (tmp_path / "f.svg").read_text()
    root = ET.fromstring(text)
    assert root.tag == SVG + "svg" and root.get("viewBox") == f"0 0 {WIDTH} 360"
    paths = root.findall(f".//{SVG}path")
    # 5 circles, the arrow's line and tip, and one outline per visible character of the text
    assert len(paths) >= 5 + 2 + len("dL/dh=+0.12")
    assert root.findall(f".//{SVG}image") == [] and "<image" not in text
    assert "<text" not in text and "<glyph" not in text  # text is outlines, not fonts
    # Manim's RED is #FC6255: red and blue must not come out swapped
    assert "fill:rgb(98.823529%,38.431373%,33.333333%)" in text
    assert "fill:rgb(6.27451%,12.54902%,18.823529%)" in text  # the background #102030


def test_pdf_is_a_pdf(tmp_path):
    save_still(Figure, tmp_path / "f.pdf", "pdf", width_px=WIDTH)
    data = (tmp_path / "f.pdf").read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert b"/Subtype /Image" not in data  # nothing rasterised


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_two_renders_give_identical_bytes(tmp_path, fmt):
    a = save_still(Figure, tmp_path / f"a.{fmt}", fmt, width_px=WIDTH).read_bytes()
    b = save_still(Figure, tmp_path / f"b.{fmt}", fmt, width_px=WIDTH).read_bytes()
    assert a == b and len(a) > 1000


def test_a_factory_works_like_a_class(tmp_path):
    by_class = save_still(Figure, tmp_path / "a.svg", "svg", width_px=WIDTH).read_bytes()
    by_factory = save_still(lambda: Figure(), tmp_path / "b.svg", "svg", width_px=WIDTH)
    assert by_factory.read_bytes() == by_class


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(fmt="jpg"), "unknown still format 'jpg'"),
        (dict(fmt="svg", width_px=319), "still width must be an integer in 320..8000"),
        (dict(fmt="png", width_px=8001), "still width"),
        (dict(fmt="png", width_px=1200.0), "still width"),
    ],
)
def test_bad_arguments_raise(tmp_path, kwargs, message):
    with pytest.raises(UnrolledError, match=message):
        save_still(Figure, tmp_path / "f.out", **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_missing_or_non_folder_parent_raises(tmp_path):
    with pytest.raises(UnrolledError, match="not a writable folder"):
        save_still(Figure, tmp_path / "absent" / "f.png", "png", width_px=WIDTH)
    (tmp_path / "file").write_text("x")
    with pytest.raises(UnrolledError, match="not a writable folder"):
        save_still(Figure, tmp_path / "file" / "f.svg", "svg", width_px=WIDTH)


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_failed_render_keeps_the_existing_file(tmp_path, fmt):
    target = tmp_path / f"f.{fmt}"
    target.write_bytes(b"the previous still")
    with pytest.raises(RuntimeError, match="scene bug"):
        save_still(Broken, target, fmt, width_px=WIDTH)
    assert target.read_bytes() == b"the previous still"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temporary left


def test_raster_mobjects_are_refused_in_vector_stills(tmp_path):
    target = tmp_path / "f.pdf"
    with pytest.raises(UnrolledError, match="raster mobjects \\(PointCloudDot\\)"):
        save_still(WithPoints, target, "pdf", width_px=WIDTH)
    assert not target.exists()


def test_output_is_readable_by_others(tmp_path):
    out = save_still(Figure, tmp_path / "f.svg", "svg", width_px=WIDTH)
    assert out.stat().st_mode & 0o044 == 0o044  # not the 0600 of a temporary file


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_only_the_still_is_written(tmp_path, monkeypatch, fmt):
    # A scene with narration: manim's .srt and frame files stay in the private media folder
    monkeypatch.chdir(tmp_path)
    save_still(Figure, tmp_path / f"f.{fmt}", fmt, width_px=WIDTH)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"f.{fmt}"]


CELLS = np.array([[[255, 0, 0, 255], [0, 0, 255, 255]],
                  [[0, 200, 0, 255], [250, 250, 250, 255]]], dtype=np.uint8)  # 2 x 2 RGBA


class WithImage(Scene):
    """A 2 x 2 image stretched to 4 x 4 frame units at the centre, cells kept crisp."""

    def construct(self):
        image = ImageMobject(CELLS).set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
        self.add(image.stretch_to_fit_width(4).stretch_to_fit_height(4))


def test_images_are_painted_with_their_cells_in_place(tmp_path):
    from PIL import Image

    save_still(WithImage, tmp_path / "f.png", "png", width_px=WIDTH, background="#000000")
    with Image.open(tmp_path / "f.png") as image:
        rgb = image.convert("RGB")
        # the frame is 8 units high on 360 px: one cell is 2 units = 90 px, centred on 320, 180
        assert rgb.getpixel((320 - 45, 180 - 45)) == (255, 0, 0)  # upper left
        assert rgb.getpixel((320 + 45, 180 - 45)) == (0, 0, 255)  # upper right
        assert rgb.getpixel((320 - 45, 180 + 45)) == (0, 200, 0)  # lower left
        assert rgb.getpixel((320 + 45, 180 + 45)) == (250, 250, 250)
        assert rgb.getpixel((320 - 100, 180)) == (0, 0, 0)  # outside the image


@pytest.mark.parametrize("fmt, marker", [("svg", b"<image"), ("pdf", b"/Subtype /Image")])
def test_images_are_embedded_in_vector_stills(tmp_path, fmt, marker):
    out = save_still(WithImage, tmp_path / f"f.{fmt}", fmt, width_px=WIDTH)
    assert marker in out.read_bytes()


@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_images_give_the_same_bytes_twice(tmp_path, fmt):
    # cairo numbers embedded images process-wide; the still renumbers them from 1
    first = save_still(WithImage, tmp_path / f"a.{fmt}", fmt, width_px=WIDTH).read_bytes()
    assert save_still(WithImage, tmp_path / f"b.{fmt}", fmt, width_px=WIDTH).read_bytes() == first
