"""The views of long sequences through the command line: stills, lecture-file options, limits."""

import av
from cli_run import unrolled

VIEWS = ("activations", "neuron-text", "error-map")


def _frame(path):
    with av.open(str(path)) as c:
        return next(c.decode(video=0)).to_ndarray(format="rgb24")


def test_each_view_renders_its_last_frame_as_png(tmp_path):
    res = unrolled("render", *VIEWS, "--text", "hello world,\nhello there", "--hidden", "8",
                   "--format", "png", "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    for name in VIEWS:
        frame = _frame(tmp_path / f"{name}.png")
        assert frame.shape == (480, 854, 3), name
        # a heatmap, not an empty frame: many distinct colours
        assert len({tuple(p) for p in frame[::4, ::4].reshape(-1, 3)}) > 40, name


def test_a_lecture_file_chooses_the_units_and_a_bad_unit_is_one_line(tmp_path):
    lecture = tmp_path / "views.toml"
    lecture.write_text('[model]\ntext = "hello world"\nhidden = 4\n\n'
                       '[[scenes]]\nname = "activations"\nunits = [3, 1]\n', encoding="utf-8")
    res = unrolled("render", "--config", str(lecture), "--format", "png",
                   "--out", str(tmp_path / "out"))
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "out" / "activations.png").is_file()
    lecture.write_text(lecture.read_text().replace("[3, 1]", "[3, 9]"), encoding="utf-8")
    res = unrolled("render", "--config", str(lecture), "--format", "png",
                   "--out", str(tmp_path / "bad"))
    assert res.returncode != 0
    assert res.stderr.strip() == "Error: activations: unit 9 does not exist (units 1..4)"
    assert "Traceback" not in res.stderr + res.stdout


def test_a_text_beyond_the_limit_is_refused_with_one_line(tmp_path):
    res = unrolled("render", "error-map", "--text", "ab" * 260, "--format", "png",
                   "--out", str(tmp_path))
    assert res.returncode != 0
    assert res.stderr.strip() == "Error: error-map draws at most 500 steps, the trace has 519"
    assert not any(tmp_path.iterdir())  # nothing written


def test_unit_flag_reaches_neuron_text_and_no_other_scene(tmp_path):
    res = unrolled("render", "neuron-text", "--text", "hello world", "--hidden", "4",
                   "--unit", "7", "--format", "png", "--out", str(tmp_path))
    assert res.returncode != 0
    assert res.stderr.strip() == "Error: neuron-text: unit 7 does not exist (units 1..4)"
    res = unrolled("render", "forward", "--unit", "2", "--format", "png", "--out", str(tmp_path))
    assert res.returncode != 0
    assert res.stderr.strip() == "Error: --unit does not apply to forward"
