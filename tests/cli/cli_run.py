"""The real entry point, run in a subprocess as a user would: shared by the command-line tests."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def unrolled(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """``unrolled ARGS...`` in a fresh interpreter (in ``env``, or this process's environment);
    output captured as text."""
    return subprocess.run([sys.executable, "-c", "import cli; cli.main()", *args], cwd=cwd,
                          capture_output=True, text=True, env=env)
