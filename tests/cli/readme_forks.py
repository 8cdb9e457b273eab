"""The README test's ``unrolled``: a process of its own for every command line, forked from one
interpreter that has already imported the command line and manim.

Starting Python and importing manim took about one second of the two each README command cost;
seventy commands paid it seventy times. The server below pays it once. For every command it
forks a child from the same untouched state, and the child takes the command's arguments,
folder, environment and standard streams (passed over a Unix socket), runs ``cli.main()`` and
exits with its status, which the caller exits with. What the command does is unchanged: each
one still starts from a fresh copy of the imported program, never from what an earlier one
left.

Run as ``python readme_forks.py SOCKET`` (the socket appears once the server listens);
``CLIENT`` is the program the test's shell function runs for each command, as
``python -I -S -c CLIENT SOCKET ARGS...``.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import socket
import sys
import traceback

# The caller: its own arguments, folder, environment and streams 0, 1, 2 to the server, then
# the command's exit status back. Standard library only, so it starts in milliseconds.
CLIENT = """
import json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
request = {"args": sys.argv[2:], "cwd": os.getcwd(), "env": dict(os.environ)}
socket.send_fds(s, [json.dumps(request).encode()], [0, 1, 2])
sys.exit(int(s.recv(16) or b"255"))
"""
REQUEST_BYTES = 1 << 20  # arguments and environment of one command line, with room to spare


def serve(path: str) -> None:
    """Import everything a command needs, listen on ``path``, run each command in a child."""
    import readme_dry

    readme_dry.install()
    import cli  # noqa: F401  (and with it every command's module)

    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path + ".tmp")
    listener.listen()
    os.rename(path + ".tmp", path)  # the socket appears only once it accepts
    while True:
        conn, _ = listener.accept()
        with conn:
            message, fds, _flags, _address = socket.recv_fds(conn, REQUEST_BYTES, 3)
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                listener.close()
                _run(json.loads(message), fds)  # never returns
            for fd in fds:
                os.close(fd)
            status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
            conn.sendall(str(status if status >= 0 else 128 - status).encode())


def _run(request: dict, fds: list[int]) -> None:
    """In the child: become the command (its streams, folder, environment, arguments), run it,
    exit with its status as the interpreter would."""
    import cli

    atexit._clear()  # the server's exit handlers are not the command's
    status = 1
    try:
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
    serve(sys.argv[1])
