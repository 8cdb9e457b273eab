"""Networks of every shape through `unrolled render`: the chain scenes draw them, every other
scene refuses them in one line that names the scenes that do."""

from cli_run import unrolled
from PIL import Image


def test_render_draws_a_stacked_bidirectional_network(tmp_path):
    out = tmp_path / "out"
    res = unrolled("render", "bptt", "--cell", "lstm", "--num-layers", "2", "--bidirectional",
                   "--text", "hey", "--quality", "low", "--format", "png", "--out", str(out))
    assert res.returncode == 0, res.stderr
    with Image.open(out / "bptt.png") as image:
        assert image.size == (854, 480)
        assert len(set(image.convert("RGB").getdata())) > 50  # drawn, not a blank frame


def test_render_draws_one_label_per_sequence(tmp_path):
    out = tmp_path / "out"
    res = unrolled("render", "forward", "--label", "x", "--classes", "x,y", "--text", "xab",
                   "--cell", "gru", "--quality", "low", "--format", "png", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert (out / "forward.png").stat().st_size > 0


def test_a_scene_that_draws_one_layer_refuses_a_network_in_one_line(tmp_path):
    for scene, args in (("vanishing", ("--num-layers", "2")),
                        ("clipping", ("--bidirectional",)),
                        ("neurons", ("--label", "x", "--classes", "x,y"))):
        out = tmp_path / scene
        res = unrolled("render", scene, *args, "--text", "xab", "--out", str(out))
        assert res.returncode == 2
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error:"), res.stderr
        assert f"scene {scene!r} draws one layer" in lines[0]
        assert "scenes for it: forward, bptt, gradients, lecture, truncated;" in lines[0]
        assert "of one layer direction: activations, neuron-text, error-map" in lines[0]
        assert not out.exists() or list(out.iterdir()) == []


def test_a_saved_network_trace_is_drawn_by_the_chain_and_refused_by_the_rest(tmp_path):
    saved = tmp_path / "net.json"
    res = unrolled("trace", "--num-layers", "2", "--text", "hey", "--json", str(saved))
    assert res.returncode == 0, res.stderr
    out = tmp_path / "out"
    res = unrolled("render", "neurons", "--trace", str(saved), "--out", str(out))
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: scene 'neurons' draws one layer")
    assert "the model has 2 layers" in lines[0]  # read from the saved trace itself
    assert not out.exists() or list(out.iterdir()) == []
    res = unrolled("render", "forward", "--trace", str(saved), "--quality", "low", "--format",
                   "png", "--out", str(out))
    assert res.returncode == 0, res.stderr
    assert (out / "forward.png").stat().st_size > 0


def test_render_draws_truncated_bptt_of_a_stacked_network(tmp_path):
    out = tmp_path / "out"
    res = unrolled("render", "truncated", "--cell", "gru", "--num-layers", "2", "--steps", "6",
                   "--window", "3", "--quality", "low", "--format", "png", "--out", str(out))
    assert res.returncode == 0, res.stderr
    with Image.open(out / "truncated.png") as image:
        assert image.size == (854, 480)
        assert len(set(image.convert("RGB").getdata())) > 50
    said = (out / "truncated.alt.txt").read_text(encoding="utf-8")
    assert "Truncated BPTT of the 2-layer GRU" in said and "dL/dW_hh_l0" in said
