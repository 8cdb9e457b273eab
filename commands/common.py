"""What every command shares: the one-line error, numeric option types, output checks.

Exit statuses: 2 for bad input (click's errors, InputError, UnrolledError), 1 for a run that
started correctly and then overflowed or diverged (``rnn.limits.Diverged``), 0 otherwise.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import click

from rnn import UnrolledError
from rnn.files.atomic import check_output_folder, check_output_path
from rnn.limits import RANGES, Diverged, Range


class FiniteRange(click.FloatRange):
    """A FloatRange that also refuses NaN and infinities (NaN passes every comparison)."""

    name = "finite float range"

    def convert(self, value, param, ctx):
        rv = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(rv):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return super().convert(rv, param, ctx)


def ranged(name: str | Range) -> click.ParamType:
    """The click type of a numeric option: ``name``'s range in ``rnn.limits.RANGES``, or the
    range given (a scene's or the renderer's)."""
    r = RANGES[name] if isinstance(name, str) else name
    if r.kind is int:
        return click.IntRange(min=int(r.lo), max=int(r.hi), min_open=r.lo_open)
    return FiniteRange(min=r.lo, max=r.hi, min_open=r.lo_open)


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
        except Diverged as exc:  # before UnrolledError: a run that started correctly
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        except UnrolledError as exc:
            click.echo(f"Error: {_one_line(str(exc))}", err=True)
            sys.exit(2)
        except MemoryError:  # the limits should make this unreachable; one line if not
            click.echo("Error: out of memory; use a smaller model or text", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)


def _one_line(text: str) -> str:
    return " ".join(text.split("\n"))


def check_writable(folder: Path) -> None:
    """Fail early, with one line, if ``folder`` is not a folder or cannot receive files."""
    try:
        check_output_folder(folder)
    except UnrolledError as err:
        raise InputError(str(err)) from None


def check_output_file(path: Path) -> None:
    """Fail early, with one line, if ``path`` exists and is not a regular file, or its folder
    cannot receive files."""
    try:
        check_output_path(path)
    except UnrolledError as err:
        raise InputError(str(err)) from None


def check_input_files(weights: Path | None, trace_file: Path | None, config: Path | None) -> None:
    """Read and check the files a command is given before anything heavy is imported or built.

    A device, FIFO, folder, oversized or malformed file is refused here with one line; the
    same readers run again where the files are used (they are small and quick to re-read).
    """
    from rnn.files.checkpoint import load_checkpoint
    from rnn.files.safe_io import read_text
    from rnn.limits import MAX_LECTURE_FILE
    from rnn.traces import files as trace_files

    if weights is not None:
        from rnn.imports.weights import check_file, is_imported

        check_file(weights) if is_imported(weights) else load_checkpoint(weights)
    if trace_file is not None:
        trace_files.load_any(trace_file)  # any cell: the scenes say which they draw
    if config is not None and (config.exists() or config.is_symlink()):
        read_text(config, MAX_LECTURE_FILE, "lecture file")
