"""The carousel through the command line: a task too short to show the carousel is refused.

The cell scenes' videos and last frames are rendered by test_cli_every_scene.py and their
figures in every format by test_cli_figures.py, which cover every registered scene and figure.
"""

from cli_run import unrolled


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
