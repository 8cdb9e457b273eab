"""``unrolled`` for tests that run the command line many times: a process of its own for every
command, forked from one interpreter that has already imported the program.

Starting Python and importing the program (with manim, for the renders) took about a second
of each command; the README test runs seventy, the hostile-input test over a hundred. The
server below pays it once. For every command it forks a child from the same untouched state,
and the child takes the command's arguments, folder, environment and standard streams (passed
over a Unix socket), runs ``cli.main()`` and exits with its status, which the caller exits
with. What the command does is unchanged: each one still starts from a fresh copy of the
imported program, never from what an earlier one left, and several may run at once.

``python forks.py SOCKET [--install MODULE] [--preload MODULE] [--memory-limit BYTES]``:
``MODULE.install()`` runs before ``cli`` is imported (``readme_dry``'s dry renders), a
preloaded module is imported after it (the scenes, for commands that render), and the limit is
each command's address space. The socket appears once the server listens. ``client_command(SOCKET)`` is what
runs one command: the caller's arguments follow it.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import json
import logging
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import traceback
from contextlib import contextmanager
from pathlib import Path

# The caller: its arguments, folder, environment and streams 0, 1, 2 to the server, then the
# command's exit status back. Standard library only, so it starts in milliseconds.
CLIENT = """
import json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
request = {"args": sys.argv[2:], "cwd": os.getcwd(), "env": dict(os.environ)}
socket.send_fds(s, [json.dumps(request).encode()], [0, 1, 2])
sys.exit(int(s.recv(16) or b"255"))
"""
REQUEST_BYTES = 1 << 20  # arguments and environment of one command line, with room to spare


def client_command(socket_path: Path) -> list[str]:
    """The command line that runs ``unrolled ARGS...`` through the server: append ARGS."""
    return [sys.executable, "-I", "-S", "-c", CLIENT, str(socket_path)]


@contextmanager
def server(socket_path: Path, *options: str, cwd: Path, env: dict | None = None):
    """The server running (on ``socket_path``, a short path) while the block runs."""
    log_path = socket_path.with_name(socket_path.name + ".log")
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, __file__, str(socket_path), *options],
                                cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not socket_path.exists():
            assert proc.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "the command server did not start"
            time.sleep(0.05)
        yield
    finally:
        proc.kill()
        proc.wait()


def serve(path: str, install: str | None, preload: list[str], memory_limit: int | None) -> None:
    """Import everything a command needs, listen on ``path``, run each command in a child."""
    if install:
        importlib.import_module(install).install()
    import cli  # noqa: F401  (and with it every command's module)

    for module in preload:
        importlib.import_module(module)

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path + ".tmp")
    listener.listen()
    os.rename(path + ".tmp", path)  # the socket appears only once it accepts
    signal.signal(signal.SIGCHLD, _reap)  # not ignored: a reaped child's CPU time is counted
    while True:
        conn, _ = listener.accept()
        message, fds, _flags, _address = socket.recv_fds(conn, REQUEST_BYTES, 3)
        sys.stdout.flush()
        sys.stderr.flush()
        if os.fork() == 0:  # a waiter for this command, so that commands may overlap
            listener.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            pid = os.fork()
            if pid == 0:
                conn.close()
                _run(json.loads(message), fds, memory_limit)  # never returns
            status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
            conn.sendall(str(status if status >= 0 else 128 - status).encode())
            os._exit(0)
        conn.close()
        for fd in fds:
            os.close(fd)


def _reap(_signum, _frame) -> None:
    """Collect every waiter that has finished."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass


def _run(request: dict, fds: list[int], memory_limit: int | None) -> None:
    """In the child: become the command (its streams, folder, environment, arguments, memory
    limit), run it, exit with its status as the interpreter would."""
    import cli

    atexit._clear()  # the server's exit handlers are not the command's
    status = 1
    try:
        if memory_limit:
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = ["unrolled", *request["args"]]
        try:
            cli.main()
            status = 0
        except SystemExit as stop:
            if stop.code is None or isinstance(stop.code, int):
                status = stop.code or 0
            else:
                print(stop.code, file=sys.stderr)
        except BaseException:
            traceback.print_exc()
        atexit._run_exitfuncs()
        logging.shutdown()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("socket")
    parser.add_argument("--install")
    parser.add_argument("--preload", action="append", default=[])
    parser.add_argument("--memory-limit", type=int)
    args = parser.parse_args()
    serve(args.socket, args.install, args.preload, args.memory_limit)
