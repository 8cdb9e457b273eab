"""The LSTM, GRU and carousel figures, through the command line.

Their videos and last frames are rendered by test_cli_every_scene.py, which renders every
registered scene; this file adds their figures and the carousel's refusal of a short task.
"""

import xml.etree.ElementTree as ET

import av
from cli_run import unrolled

NEW_SCENES = ("lstm-cell", "gru-cell", "carousel")


def test_new_figures_in_every_format(tmp_path):
    only = [a for name in NEW_SCENES for a in ("--only", name)]
    res = unrolled("figures", *only, "--width", "320", "--jobs", "2", "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{n}.{ext}" for n in NEW_SCENES for ext in ("png", "svg", "pdf"))
    for name in NEW_SCENES:
        with av.open(str(tmp_path / f"{name}.png")) as c:
            assert next(c.decode(video=0)).width == 320
        tags = {el.tag.split("}")[-1] for el in ET.parse(tmp_path / f"{name}.svg").getroot().iter()}
        assert "path" in tags and "image" not in tags, name
        assert (tmp_path / f"{name}.pdf").read_bytes().startswith(b"%PDF")


def test_a_short_carousel_task_is_refused_in_one_line(tmp_path):
    lecture = tmp_path / "gates.toml"
    lecture.write_text('[[scenes]]\nname = "lstm-cell"\nt = 3\n'
                       '[[scenes]]\nname = "carousel"\nsteps = 10\n')
    out = tmp_path / "out"
    res = unrolled("render", "--config", str(lecture), "--out", str(out))
    assert res.returncode != 0
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:"), res.stderr
    assert "scenes[1]" in lines[0] and "steps must be an integer in 50..200" in lines[0]
    assert not out.exists() or list(out.iterdir()) == []
