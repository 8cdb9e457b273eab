"""`unrolled list` and `unrolled render`: what a lecturer types, checked end to end."""


import av
import pytest
from cli_run import unrolled
from click.testing import CliRunner

from cli import cli


def test_list_names_every_scene_with_a_description():
    from scenes.registry import SCENES

    res = CliRunner().invoke(cli, ["list"])
    assert res.exit_code == 0
    lines = res.output.strip().splitlines()
    assert [line.split()[0] for line in lines] == list(SCENES)
    assert all(len(line.split(maxsplit=1)[1]) > 10 for line in lines)


@pytest.mark.parametrize("args, message", [
    (["render", "nosuch"], "unknown scene 'nosuch'"),
    (["render"], "name at least one scene"),
    (["render", "forward", "--transparent"], "--transparent needs"),
    (["render", "forward", "--format", "avi"], "--format"),
    (["render", "forward", "-q", "8k"], "--quality"),
    (["render", "forward", "--clip", "2"], "--clip does not apply to forward"),
    (["render", "truncated", "--window", "0"], "--window"),
    (["render", "vanishing", "--radius", "-1"], "--radius"),
    (["render", "forward", "--text", "ab" * 33, "--format", "png"], "at most 64 time steps"),
    (["render", "forward", "--hidden", "257", "--format", "png"], "at most 256 hidden units"),
    (["render", "forward", "--trace", "missing.json"], "missing.json"),
    (["render", "forward", "--config", "lectures/example.toml"], "not both"),
    (["render", "--all", "--shard", "3/2"], "shard"),
])
def test_bad_render_input_is_one_line_exit_2(args, message):
    res = unrolled(*args)
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and message in lines[0], res.stderr
    assert "Traceback" not in res.stderr


def test_unwritable_out_keeps_existing_files(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("keep")
    res = unrolled("render", "forward", "--format", "png", "--out", str(blocker / "sub"))
    assert res.returncode == 2 and "cannot write" in res.stderr
    assert blocker.read_text() == "keep"


def test_render_png_still(tmp_path):
    res = unrolled("render", "bptt", "--format", "png", "--theme", "light", "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    png = tmp_path / "bptt.png"
    assert f"wrote {png}" in res.stdout
    with av.open(str(png)) as c:
        frame = next(c.decode(video=0))
    assert (frame.width, frame.height) == (854, 480)
    # light theme: the corners are white
    assert frame.to_ndarray(format="rgb24")[2, 2].tolist() == [255, 255, 255]


def test_render_saved_trace_video_with_captions(tmp_path):
    trace = tmp_path / "t.json"
    assert unrolled("trace", "--text", "hey", "--json", str(trace), "--quiet").returncode == 0
    res = unrolled("render", "forward", "--trace", str(trace), "--out", str(tmp_path / "out"))
    assert res.returncode == 0, res.stderr
    video = tmp_path / "out" / "forward.mp4"
    with av.open(str(video)) as c:
        stream = c.streams.video[0]
        duration = float(stream.duration * stream.time_base)
        assert stream.frames > 30 and 3 < duration < 60
    srt = (tmp_path / "out" / "forward.srt").read_text()
    assert "-->" in srt and (tmp_path / "out" / "forward.vtt").read_text().startswith("WEBVTT")
    hidden = {p.name for p in (tmp_path / "out").glob(".*")}
    assert hidden == {".cache"}  # manim's reusable partial movies; no staging or temporary file


def test_an_overflowed_saved_trace_is_refused_not_drawn(tmp_path):
    from rnn import text_model
    from rnn.traces import files as trace_files

    model = text_model("hello", hidden=3, seed=0)
    model.params.V[:] = model.params.c[:] = 1.7e308  # o(t) = c + V h(t) overflows
    trace = model.trace()
    assert trace.first_non_finite() == "o at t=3"  # the engine records the overflow as it is
    saved = tmp_path / "exploded.json"
    trace_files.save(saved, trace)
    out = tmp_path / "out"
    res = unrolled("render", "bptt", "--trace", str(saved), "--format", "png", "--out", str(out))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.count("\n") == 1 and "non-finite" in res.stderr
    assert not out.exists() or list(out.iterdir()) == []
