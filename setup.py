"""The build step pyproject.toml cannot say: reveal.js fetched into the package when absent."""

import runpy
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithReveal(build_py):
    """Fetch reveal.js (tools/fetch_reveal.py, only if npm is there) before copying the
    package data, so a wheel carries the HTML decks' reveal.js."""

    def run(self):
        tool = Path(__file__).resolve().parent / "tools" / "fetch_reveal.py"
        if tool.is_file():  # absent from a bare source tree: the package data is what it is
            runpy.run_path(str(tool))["fetch"](optional=True)
        super().run()


setup(cmdclass={"build_py": BuildWithReveal})
