"""The wheel carries what an installed unrolled needs: reveal.js for offline HTML decks, with
its licence, fetched by the build step when the tree has none (tools/fetch_reveal.py)."""

import re
import runpy
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("rnn", "scenes", "commands", "tools", "cli.py", "pyproject.toml", "setup.py",
           "MANIFEST.in", "README.md")


def test_one_reveal_version_everywhere():
    from scenes.output.slides import REVEAL_DIR, REVEAL_VERSION

    tool = runpy.run_path(str(ROOT / "tools" / "fetch_reveal.py"))
    assert tool["VERSION"] == REVEAL_VERSION
    assert tool["TARGET"] == REVEAL_DIR  # one location for the checkout and the package
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^REVEAL_VERSION := (\S+)$", makefile, re.M)[1] == REVEAL_VERSION
    assert re.search(r"^REVEAL +:= (\S+)$", makefile, re.M)[1] == "scenes/output/reveal.js"


def test_the_wheel_holds_reveal_js_and_its_licence(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(path, src / name)
    res = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                          str(tmp_path / "dist"), str(src)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("unrolled-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("scenes/output/reveal.js/LICENSE", "scenes/output/reveal.js/dist/reveal.js",
                   "scenes/output/reveal.js/dist/reveal.css", "cli.py", "rnn/model.py"):
        assert needed in names, needed
    licence = zipfile.ZipFile(wheel).read("scenes/output/reveal.js/LICENSE").decode()
    assert "Hakim El Hattab" in licence and "Permission is hereby granted" in licence
