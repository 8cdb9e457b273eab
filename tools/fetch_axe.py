"""Fetch axe-core into build/axe-core/ with ``npm pack``: the accessibility rules the tests run
on the explore page and the HTML deck in Chromium (WCAG 2.1 A and AA). A test tool only: the
package never carries it. Usage: python tools/fetch_axe.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fetch_reveal import fetch  # noqa: E402

VERSION = "4.14.1"
TARGET = Path(__file__).resolve().parents[1] / "build" / "axe-core"

if __name__ == "__main__":
    fetch(TARGET, package=f"axe-core@{VERSION}", stamp=f".fetched-{VERSION}")
