"""What every command shares: the one-line error, numeric option types, output checks."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from rnn import UnrolledError

POSITIVE_INT = click.IntRange(min=1)
POSITIVE_FLOAT = click.FloatRange(min=0, min_open=True)


class InputError(click.ClickException):
    """Bad input: one line on stderr, exit status 2."""

    exit_code = 2


class OneLineErrors(click.Group):
    """A group whose errors are one clear line (no usage block, no traceback)."""

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        try:
            rv = super().main(*args, **kwargs)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(130)
        except click.ClickException as exc:
            click.echo(f"Error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code if isinstance(exc, InputError) else 2)
        except UnrolledError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(2)
        sys.exit(rv if isinstance(rv, int) else 0)


def check_writable(folder: Path) -> None:
    """Fail early, with one line, if ``folder`` cannot receive files."""
    import tempfile

    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.NamedTemporaryFile(dir=folder, prefix=".unrolled-probe-").close()
    except OSError as err:
        raise InputError(f"cannot write to {folder}: {err.strerror}") from None
