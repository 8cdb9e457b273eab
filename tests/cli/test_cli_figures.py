"""`unrolled figures`: every figure of the article in print formats, same bytes every time."""

import xml.etree.ElementTree as ET

import av
import pytest
from cli_run import unrolled

from scenes.output.figures import FIGURES

# maps as images, and the heat chain's colour scales (bars left of step 1)
HEATMAP_FIGURES = {"activations", "neuron-text", "error-map", "vanishing", "lstm-unfolded"}
# Drawn twice: a network with errors, a compact chain, a heatmap and a cell diagram
AGAIN = ("bptt-errors", "truncated", "error-map", "lstm-cell")


def test_every_figure_names_a_registered_scene():
    from scenes.registry import SCENES

    assert len({f.name for f in FIGURES}) == len(FIGURES)
    assert all(f.scene in SCENES for f in FIGURES)


@pytest.fixture(scope="module")
def figure_set(tmp_path_factory):
    """All figures in all formats at a small width, then a few of them again for determinism."""
    runs = []
    for k, only in enumerate(([], [a for name in AGAIN for a in ("--only", name)])):
        out = tmp_path_factory.mktemp(f"figs{k}")
        res = unrolled("figures", "--width", "640", "--out", str(out), *only)
        assert res.returncode == 0, res.stderr
        runs.append(out)
    return runs


def test_each_figure_in_each_format(figure_set):
    out = figure_set[0]
    for fig in FIGURES:
        png, svg, pdf = (out / f"{fig.name}.{ext}" for ext in ("png", "svg", "pdf"))
        with av.open(str(png)) as c:
            frame = next(c.decode(video=0))
        assert (frame.width, frame.height) == (640, 360)
        root = ET.parse(svg).getroot()
        tags = {el.tag.split("}")[-1] for el in root.iter()}
        assert "path" in tags, fig.name
        # heatmaps are embedded bitmaps (one pixel per cell); every other figure is all vector
        assert ("image" in tags) == (fig.name in HEATMAP_FIGURES), fig.name
        assert pdf.read_bytes().startswith(b"%PDF")


def test_same_inputs_same_bytes(figure_set):
    a, b = figure_set
    for fig in (f for f in FIGURES if f.name in AGAIN):
        for ext in ("png", "svg", "pdf"):
            assert (a / f"{fig.name}.{ext}").read_bytes() == (b / f"{fig.name}.{ext}").read_bytes()


def test_light_theme_is_the_default(figure_set):
    with av.open(str(figure_set[0] / "bptt-errors.png")) as c:
        frame = next(c.decode(video=0)).to_ndarray(format="rgb24")
    assert frame[1, 1].tolist() == [255, 255, 255]


@pytest.mark.parametrize("args, message", [
    (["--format", "png,tiff"], "unknown figure format 'tiff'"),
    (["--format", ","], "unknown figure format"),
    (["--width", "10"], "width must be in 320..8000"),
    (["--width", "99999"], "width must be in 320..8000"),
    (["--only", "nosuch"], "unknown figure 'nosuch'"),
])
def test_bad_figure_input(tmp_path, args, message):
    res = unrolled("figures", "--out", str(tmp_path), *args)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [res.stderr.strip()] and message in res.stderr
    assert list(tmp_path.iterdir()) == []


def test_unwritable_folder_keeps_what_is_there(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("keep")
    res = unrolled("figures", "--only", "forward-values", "--out", str(blocker / "figs"))
    assert res.returncode == 2 and "cannot write" in res.stderr
    assert blocker.read_text() == "keep"
