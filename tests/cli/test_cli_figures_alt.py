"""`unrolled figures`: the description is in every file, as each format's readers look for it.

Read back from the SVG (``<title>``, ``<desc>``, ``role``), the PNG (iTXt ``Description``)
and the PDF (document information), and its numbers checked against the default model's
Trace, built here on its own.
"""

import html.parser
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from cli_run import unrolled
from PIL import Image

from rnn import text_model

SVG = "{http://www.w3.org/2000/svg}"
FIGS = ("bptt-errors", "forward-values")


@pytest.fixture(scope="module")
def figure_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("alt")
    only = [a for name in FIGS for a in ("--only", name)]
    res = unrolled("figures", "--width", "320", "--out", str(out), "--html", "--jobs", "1",
                   *only)
    assert res.returncode == 0, res.stderr
    return out


def svg_text(path) -> tuple[str, str, str]:
    """(role, title, desc) of an SVG; title and desc must be the first children."""
    root = ET.parse(path).getroot()
    first = list(root)[:2]
    assert [el.tag for el in first] == [SVG + "title", SVG + "desc"]
    return root.get("role"), first[0].text, first[1].text


def pdf_info(path) -> dict[str, str]:
    """The Title and Subject of a PDF's document information: a UTF-16 hex string, or a
    literal string in parentheses (with backslash escapes and balanced parentheses)."""
    data = path.read_bytes()
    found = {}
    for key in ("Title", "Subject"):
        match = re.search(rb"/%s\s*([<(])" % key.encode(), data)
        assert match, f"no /{key} in {path.name}"
        if match[1] == b"<":
            end = data.index(b">", match.end())
            found[key] = bytes.fromhex(data[match.end():end].decode()).decode("utf-16-be")
            assert found[key].startswith("\ufeff")
            found[key] = found[key][1:]
        else:
            found[key] = _literal(data, match.end())
    return found


def _literal(data: bytes, i: int) -> str:
    """The PDF literal string starting at ``data[i]`` (after its opening parenthesis)."""
    out, depth = bytearray(), 0
    while True:
        c = data[i:i + 1]
        if c == b"\\":
            out += data[i + 1:i + 2]
            i += 2
            continue
        if c == b")" and depth == 0:
            return out.decode("latin-1")
        depth += {b"(": 1, b")": -1}.get(c, 0)
        out += c
        i += 1


class FigureSnippet(html.parser.HTMLParser):
    """The <img> attributes and the <figcaption> text of an HTML snippet."""

    def __init__(self):
        super().__init__()
        self.img, self.caption, self._in_caption = {}, "", False

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.img = dict(attrs)
        self._in_caption = tag == "figcaption"

    def handle_endtag(self, tag):
        self._in_caption = False

    def handle_data(self, data):
        if self._in_caption:
            self.caption += data


def test_every_format_carries_the_same_description(figure_dir):
    for name in FIGS:
        short, long = (figure_dir / f"{name}.alt.txt").read_text(encoding="utf-8") \
            .rstrip("\n").split("\n\n")
        assert long.startswith(short) and len(long) > len(short)
        assert svg_text(figure_dir / f"{name}.svg") == ("img", short, long)
        with Image.open(figure_dir / f"{name}.png") as image:
            assert image.text["Description"] == long and image.text["Title"] == short
            assert image.size == (320, 180)
        assert pdf_info(figure_dir / f"{name}.pdf") == {"Title": short, "Subject": long}
        snippet = FigureSnippet()
        snippet.feed((figure_dir / f"{name}.html").read_text(encoding="utf-8"))
        assert snippet.img == {"src": f"{name}.svg", "width": "320", "height": "180",
                               "alt": short}
        assert snippet.caption == long


def test_the_numbers_are_the_traces(figure_dir):
    tr = text_model().trace()  # the default model: 'hello', 3 hidden units, seed 0
    norms = tr.error_by_source_norms()
    s = int(np.argmax(tr.losses)) + 1
    _, short, long = svg_text(figure_dir / "bptt-errors.svg")
    match = re.search(r"L\((\d)\) = (\d+(?:\.\d+)?) is the largest; its error reaches h\(1\) with "
                      r"norm (\d+(?:\.\d+)?)", short)
    assert match and int(match[1]) == s
    assert float(match[2]) == pytest.approx(tr.losses[s - 1], rel=5e-3)
    assert float(match[3]) == pytest.approx(norms[s - 1, 0], rel=5e-3)
    with Image.open(figure_dir / "forward-values.png") as image:
        words = image.text["Description"]
    printed = [float(v) for v in re.findall(r"L\(\d\) = (\d+(?:\.\d+)?)", words)]
    assert printed == pytest.approx(tr.losses, rel=5e-3)
    total = re.search(r"total loss is L = (\d+(?:\.\d+)?)", pdf_info(
        figure_dir / "forward-values.pdf")["Title"])
    assert total and float(total[1]) == pytest.approx(tr.losses.sum(), rel=5e-3)


def test_html_needs_an_image_format(tmp_path):
    res = unrolled("figures", "--format", "pdf", "--html", "--only", "folded",
                   "--out", str(tmp_path))
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [res.stderr.strip()]
    assert "--html" in res.stderr and "svg or png" in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_markup_and_any_script_survive_in_every_format(tmp_path):
    from manim import Circle, Scene

    from scenes.output.alt_text import Description
    from scenes.output.still import save_stills

    class One(Scene):
        def construct(self):
            self.add(Circle())

    words = Description("A <b> & 'c' \"d\" ‖e‖ → ⏎ figure.",
                        "A <b> & 'c' \"d\" ‖e‖ → ⏎ figure. (Nested (parentheses)) \\ done.")
    paths = {fmt: tmp_path / f"one.{fmt}" for fmt in ("svg", "png", "pdf")}
    save_stills(One, paths, 320, description=words)
    assert svg_text(paths["svg"]) == ("img", words.short, words.long)
    bare = tmp_path / "bare.png"
    save_stills(One, {"png": bare}, 320)
    with Image.open(paths["png"]) as image, Image.open(bare) as plain_image:
        assert (image.text["Title"], image.text["Description"]) == (words.short, words.long)
        assert np.array_equal(np.asarray(image), np.asarray(plain_image))  # the same pixels
    assert pdf_info(paths["pdf"]) == {"Title": words.short, "Subject": words.long}
    plain = tmp_path / "plain.pdf"
    save_stills(One, {"pdf": plain}, 320, description=Description("A b.", "A b. C."))
    assert b"/Title (A b.)" in plain.read_bytes()  # short plain ASCII: a literal string
    assert pdf_info(plain) == {"Title": "A b.", "Subject": "A b. C."}
