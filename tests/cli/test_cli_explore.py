"""``unrolled explore`` from the command line: the page of a model or of a saved trace, and
bad input refused in one line without touching an existing page."""

from __future__ import annotations

import os

import pytest
from cli_run import unrolled

from explore.page import page_html
from rnn.traces import files as trace_files


def one_error_line(result, exit_code: int = 2) -> str:
    assert result.returncode == exit_code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_a_saved_trace_gives_the_page_of_that_trace(tmp_path, suffix):
    saved = tmp_path / f"t{suffix}"
    made = unrolled("trace", "--cell", "lstm", "--text", "hello", "--window", "2", "--json",
                    str(saved), "--quiet")
    assert made.returncode == 0, made.stderr
    out = tmp_path / "page.html"
    result = unrolled("explore", "--trace", str(saved), "--theme", "light", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"wrote {out}" in result.stdout
    # the page of the loaded trace, as the Python API makes it: same bytes
    assert out.read_text(encoding="utf-8") == page_html(trace_files.load_any(saved), theme="light")


def test_model_options_choose_the_model(tmp_path):
    out = tmp_path / "gru.html"
    result = unrolled("explore", "--cell", "gru", "--text", "hello world", "--hidden", "4",
                      "--out", str(out))
    assert result.returncode == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert '"cell":"gru"' in html and '"H":4' in html and '"T":10' in html


def test_bad_input_is_one_line_and_leaves_the_page_alone(tmp_path):
    out = tmp_path / "page.html"
    out.write_text("the previous page")
    malformed = tmp_path / "bad.json"
    malformed.write_text('{"format": "unrolled.trace", "version": 2, "cell": "rnn"')
    for args, says in [
        (["--trace", str(malformed)], "bad.json"),
        (["--trace", str(malformed), "--hidden", "4"], "--hidden does not apply with --trace"),
        (["--hidden", "0"], "--hidden"),
        (["--title", "x" * 201], "--title has 201 characters"),
        (["--cell", "gru", "--forget-bias", "1"], "--forget-bias applies to --cell lstm"),
    ]:
        line = one_error_line(unrolled("explore", *args, "--out", str(out)))
        assert says in line
    assert out.read_text() == "the previous page"


def test_an_output_that_is_not_a_regular_file_is_refused(tmp_path):
    fifo = tmp_path / "fifo.html"
    os.mkfifo(fifo)
    line = one_error_line(unrolled("explore", "--out", str(fifo)))
    assert "FIFO" in line and fifo.exists()
    line = one_error_line(unrolled("explore", "--out", str(tmp_path)))
    assert "folder" in line
