"""The page's pure functions (decoding, formatting, equations, the chain's choices) under
``node --test``, and the page's modules joined into the one module the page inlines."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from explore import page

NODE = shutil.which("node") or "/usr/bin/node"
TESTS = sorted((Path(__file__).parent / "node").glob("*.test.mjs"))


def node(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    assert Path(NODE).exists(), "node is not installed (make installs Debian's nodejs)"
    return subprocess.run([NODE, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_pure_functions_pass_their_node_tests():
    assert len(TESTS) >= 3
    done = node("--test", *map(str, TESTS), cwd=Path(__file__).parent)
    assert done.returncode == 0, done.stdout + done.stderr
    passed = int(re.search(r"^# pass (\d+)$", done.stdout, re.M).group(1))
    assert passed >= 10 and re.search(r"^# fail 0$", done.stdout, re.M)


def test_the_joined_modules_load_as_one_module(tmp_path):
    # a name declared at the top of two modules would make this a syntax error
    joined = tmp_path / "explore.mjs"
    joined.write_text(page.script())
    done = node("--input-type=module", "-e",
                f"const m = await import({str(joined.as_uri())!r});"
                "console.log(typeof m.mount, typeof m.default.render, typeof m.equation);",
                cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["function", "function", "function"]
    assert page.asset(page.SCRIPT) == page.script()  # what the widget serves


@pytest.mark.parametrize("line", ['import { fmt } from "./explore.js";',
                                  'import { x } from "https://example.com/x.js";',
                                  "import * as all from './format.js';"])
def test_a_module_imports_only_modules_joined_before_it(monkeypatch, line):
    real = page._file
    monkeypatch.setattr(page, "_file", lambda name: (line + "\n" + real(name))
                        if name == "chain.js" else real(name))
    with pytest.raises(ValueError, match="chain.js"):
        page.script()


def test_the_script_names_no_cell():
    # what a cell is comes with the page's data; the script never asks which cell it is
    for name in page.MODULES:
        source = page._file(name)
        assert not re.search(r"""["'](rnn|lstm|gru|cell)["']""", source), name
        assert len(source.splitlines()) <= 400, name
