"""The real entry point, run in a process of its own as a user would: shared by the
command-line tests.

Each command is a process forked from one interpreter that has imported the program and its
scenes once (tests/forks.py: start-up was about a second of every command), started by the
first command and stopped when the tests end. A command given an environment of its own
(``env``, which numpy and the program read as they load) starts a fresh interpreter instead.
"""

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from forks import client_command, server

ROOT = Path(__file__).resolve().parents[2]
# what renders, figures and decks import, so that their commands do not import it again
PRELOAD = ("scenes.registry", "scenes.output.render", "scenes.output.figures",
           "scenes.output.slides", "rich.progress")
_client: list[str] = []  # the command line that runs a command through the server


def _started() -> list[str]:
    if not _client:
        sockets = Path(tempfile.mkdtemp(prefix="unrolled-"))  # a socket's path must be short
        path = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))
        running = server(sockets / "unrolled", *(a for m in PRELOAD for a in ("--preload", m)),
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": path})
        running.__enter__()
        atexit.register(shutil.rmtree, sockets, ignore_errors=True)
        atexit.register(running.__exit__, None, None, None)  # first: the server stops
        _client.extend(client_command(sockets / "unrolled"))
    return _client


def unrolled(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    """``unrolled ARGS...`` in a process of its own (in ``env``: a fresh interpreter, or this
    process's environment); output captured as text."""
    if env is not None:
        return subprocess.run([sys.executable, "-c", "import cli; cli.main()", *args], cwd=cwd,
                              capture_output=True, text=True, env=env)
    return subprocess.run([*_started(), *args], cwd=cwd, capture_output=True, text=True)
