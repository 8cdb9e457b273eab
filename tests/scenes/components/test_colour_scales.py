"""The heatmaps carry their colour scales with numbers, and the numbers are the scale the
pictures were painted with, derived here from the Trace on its own (WCAG 1.4.1).

Scenes run as dry runs on a small frame (every animation jumps to its end). A tick must also
sit where the bar has the colour the map gives its value, so a bar cannot say one scale and
paint another.
"""

import math

import numpy as np
import pytest
from manim import ImageMobject, tempconfig

from rnn import text_model
from scenes.activations import ActivationsScene
from scenes.beats.inputs import SceneInput
from scenes.bptt import BPTTScene
from scenes.components.heatmap import ColorBar, ScaleBar, diverging_pixels, log_pixels
from scenes.components.theme import THEMES
from scenes.error_map import ErrorMapScene
from scenes.forward import ForwardScene


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    return tmp_path_factory.mktemp("scales")


@pytest.fixture
def dry(dry_run, media):
    def run(scene_cls, inp):
        with tempconfig({"pixel_width": 320, "pixel_height": 180}):
            return dry_run(scene_cls, inp, media)

    return run


@pytest.fixture(scope="module")
def lstm():
    return text_model("hello", cell="lstm", hidden=3, seed=0).trace()


def number(text: str) -> float:
    return float(text.replace("−", "-").replace("±", ""))


def of_type(scene, cls) -> list:
    return [m for m in scene.get_mobject_family_members() if isinstance(m, cls)]


def bar_pixel(image: ImageMobject, fraction: float, vertical: bool = False) -> list[int]:
    """The bar's pixel at ``fraction`` of its length (from the left, or from the bottom)."""
    px = image.pixel_array
    n = px.shape[0] if vertical else px.shape[1]
    k = min(n - 1, int(fraction * n))
    return (px[n - 1 - k, 0] if vertical else px[0, k])[:3].tolist()


def test_the_heat_chains_rows_say_the_scales_of_the_errors(dry, lstm):
    scales = dry(BPTTScene, SceneInput(lstm)).stage.net.scales
    assert set(scales.bars) == {"yhat", "gates", "cell", "h"}
    want = {"yhat": np.abs(lstm.dL_do).max(), "gates": np.abs(lstm.dL_dpre).max(),
            "cell": np.abs(lstm.dL_dcell).max(), "h": np.abs(lstm.dL_dh).max()}
    for row, v in want.items():
        assert scales.shown[row] == pytest.approx(v, rel=1e-12)
        [text] = scales.numbers[row]
        assert number(text.text) == pytest.approx(v, rel=5e-3)  # printed to 3 digits
    assert len({round(v, 6) for v in want.values()}) == 4  # four scales, not one said four times


def test_the_heat_chains_rows_say_the_scales_of_the_values(dry, lstm):
    chain = dry(ForwardScene, SceneInput(lstm)).stage.net
    want = {"yhat": 1.0, "gates": 1.0, "h": 1.0, "cell": np.abs(lstm.cell).max()}
    assert want["cell"] != pytest.approx(1.0)
    for row, v in want.items():
        assert chain.scales.shown[row] == pytest.approx(v, rel=1e-12)
        # the cells of the row were painted with that scale
        cells = chain.cells(row, 1) if row != "gates" else chain.gate_cells("f", 1)
        assert cells.scale == pytest.approx(v, rel=1e-12)
    theme = THEMES["dark"]
    bar = chain.scales.bars["h"]
    for fraction, v in ((0.0, -1.0), (0.5, 0.0), (0.999, 1.0)):
        want_rgb = [round(c * 255) for c in theme.value_color(v, 1.0).to_rgb()]
        assert np.allclose(bar_pixel(bar.image, fraction), want_rgb, atol=5)


def test_the_error_maps_bar_spans_the_traces_norms(dry):
    tr = text_model("the cat sat on the mat", hidden=4, seed=1).trace()
    scene = dry(ErrorMapScene, SceneInput(tr))
    [bar] = of_type(scene, ColorBar)
    norms = tr.error_by_source_norms()
    positive = norms[np.isfinite(norms) & (norms > 0)]
    lo, hi = math.floor(math.log10(positive.min())), math.ceil(math.log10(positive.max()))
    assert bar.ticks[0] == 10.0 ** lo and bar.ticks[-1] == 10.0 ** hi
    assert positive.min() >= bar.ticks[0] and positive.max() <= bar.ticks[-1]
    assert len(bar.labels) == len(bar.ticks) >= 2
    for k, tick in enumerate(bar.ticks):
        fraction = (math.log10(tick) - lo) / (hi - lo)
        want = log_pixels(np.array([[tick]]), lo, hi)[0, 0, :3].tolist()
        assert np.allclose(bar_pixel(bar.image, min(fraction, 0.999), vertical=True), want,
                           atol=6), tick


@pytest.mark.parametrize("layer", ["h", "cell"])
def test_the_activations_bar_says_its_numbers(dry, lstm, layer):
    scene = dry(ActivationsScene, SceneInput(lstm, extra={"layer": layer}))
    [bar] = of_type(scene, ScaleBar)
    ticks = [number(t.text) for t in bar.labels if t.text[0] in "−+0"]
    assert ticks == [-1.0, -0.5, 0.0, 0.5, 1.0] == bar.ticks
    for v in ticks:
        want = diverging_pixels(np.array([[v]]))[0, 0, :3].tolist()
        assert np.allclose(bar_pixel(bar.image, min((v + 1) / 2, 0.999)), want, atol=6)
    beyond = np.abs(getattr(lstm, layer)).max()
    # manim's Text keeps its text without spaces
    notes = [m.text for m in [*bar.labels, *bar.submobjects] if hasattr(m, "text")]
    said = [n for n in notes if n.startswith("beyond")]
    if beyond > 1:  # the clamped values say how far they go
        assert said == [f"beyond ±1 (up to {beyond:.2f}): the end colours".replace(" ", "")]
    else:
        assert said == []
