"""Fetch reveal.js into the package (scenes/output/reveal.js/) with ``npm pack``.

The HTML decks carry reveal.js with them; it is package data, fetched once from the npm
registry when the package is built (setup.py's build step) or by ``make`` for a checkout,
never when a deck is built. Usage: python tools/fetch_reveal.py [--optional]
(``--optional``: without npm, say so and leave the package without it).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "6.0.1"  # the version manim-slides 5.7's template is written for (scenes.output.slides)
TARGET = Path(__file__).resolve().parents[1] / "scenes" / "output" / "reveal.js"
STAMP = f".fetched-{VERSION}"


def fetch(target: Path = TARGET, optional: bool = False, package: str = f"reveal.js@{VERSION}",
          stamp: str = STAMP) -> bool:
    """``package`` (default: reveal.js ``VERSION``) in ``target``, kept if already there; False
    if npm is missing and ``optional``."""
    if (target / stamp).is_file():
        return True
    npm = shutil.which("npm")
    if npm is None:
        if optional:
            print(f"npm not found: {package} left out (HTML decks then need --reveal-url)",
                  file=sys.stderr)
            return False
        raise SystemExit("npm not found: install it (Debian: apt-get install npm)")
    with tempfile.TemporaryDirectory(prefix="reveal-") as tmp:
        out = subprocess.run([npm, "pack", "--silent", package], cwd=tmp,
                             check=True, capture_output=True, text=True).stdout.split()
        with tarfile.open(Path(tmp) / out[-1]) as tar:
            tar.extractall(tmp, filter="data")
        fresh = target.with_name(target.name + ".tmp")
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.move(str(Path(tmp) / "package"), fresh)
        (fresh / stamp).touch()
        shutil.rmtree(target, ignore_errors=True)
        fresh.rename(target)
    return True


if __name__ == "__main__":
    fetch(optional="--optional" in sys.argv[1:])
