"""The voice cache's folder ($UNROLLED_VOICE_CACHE) is checked like an output folder: one
``Error:`` line and exit status 2 before any work, never a traceback."""

import subprocess
import sys

import pytest
from cli_run import ROOT

from rnn.errors import UnrolledError
from scenes.beats import voice


def _unrolled_with_cache(cache, *args):
    env = {"PATH": "/usr/bin:/bin", "UNROLLED_VOICE_CACHE": str(cache)}
    return subprocess.run([sys.executable, "-c", "import cli; cli.main()", *args], cwd=ROOT,
                          capture_output=True, text=True, env=env)


@pytest.fixture(params=["device", "file", "unwritable"])
def bad_cache(request, tmp_path):
    if request.param == "device":
        return "/dev/null", "is not a folder"
    if request.param == "file":
        path = tmp_path / "cache"
        path.write_text("not a folder")
        return str(path), "is not a folder"
    # /proc takes no new folder, not even from root (a chmod would not stop root)
    return "/proc/unrolled-voice-cache", "cannot receive files"


def test_check_cache_refuses_in_one_line(bad_cache, monkeypatch):
    path, message = bad_cache
    monkeypatch.setenv(voice.CACHE_ENV, path)
    with pytest.raises(UnrolledError, match=message) as err:
        voice.check_cache()
    assert "\n" not in str(err.value) and "UNROLLED_VOICE_CACHE" in str(err.value)


def test_check_cache_creates_a_missing_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(voice.CACHE_ENV, str(tmp_path / "a" / "b"))
    assert voice.check_cache() == tmp_path / "a" / "b" and (tmp_path / "a" / "b").is_dir()


@pytest.mark.parametrize("command", [["render", "clipping", "--voice"],
                                     ["slides", "clipping", "--voice", "--to", "pptx"]])
def test_a_bad_cache_is_one_error_line_before_any_work(command, tmp_path):
    out = tmp_path / "out"
    res = _unrolled_with_cache("/dev/null", *command, "--out", str(out))
    assert res.returncode == 2, res.stderr
    assert res.stderr.strip().splitlines() == [
        "Error: the voice cache /dev/null ($UNROLLED_VOICE_CACHE) is not a folder"]
    assert "Traceback" not in res.stderr and not any(out.glob("*"))
