"""Write files under a temporary name and rename when complete: never a half-written output."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rnn.errors import UnrolledError

_KINDS = {stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
          stat.S_IFIFO: "a FIFO", stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}


def _not_regular(path: Path) -> str | None:
    """What ``path`` is if it exists and is not a regular file (symlinks followed), else None."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if os.path.islink(path):
            return "a broken symbolic link"
        return None
    except OSError as err:
        return f"unreadable ({err.strerror})"
    if stat.S_ISREG(mode):
        return None
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def check_output_path(path: str | os.PathLike, folder: bool = True) -> Path:
    """Refuse, before any work, an output that exists and is not a regular file, or (with
    ``folder``) whose folder cannot receive files. Returns ``path`` as a Path.
    """
    path = Path(path)
    kind = _not_regular(path)
    if kind:
        raise UnrolledError(f"output {path} is {kind}, not a regular file; refusing to replace it")
    if folder:
        check_output_folder(path.parent, create=False)
    return path


def check_output_folder(folder: str | os.PathLike, create: bool = True) -> Path:
    """Refuse a folder that is not one or cannot receive files (created if ``create``)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UnrolledError(f"output folder {folder} is not a folder")
    if not folder.exists() and not create:
        raise UnrolledError(f"output folder {folder} does not exist")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.NamedTemporaryFile(dir=folder, prefix=".unrolled-probe-").close()
    except OSError as err:
        raise UnrolledError(f"cannot write to {folder}: {err.strerror}") from None
    return folder


def publish(tmp: str | os.PathLike, path: str | os.PathLike) -> Path:
    """Rename the finished ``tmp`` onto ``path``, unless ``path`` became a non-regular file.

    Checked again just before the rename: a device, FIFO or folder is never replaced (the
    temporary file is removed and one UnrolledError raised instead).
    """
    path = Path(path)
    kind = _not_regular(path)
    if kind and kind != "a broken symbolic link":
        Path(tmp).unlink(missing_ok=True)
        raise UnrolledError(f"output {path} is {kind}, not a regular file; refusing to replace it")
    os.replace(tmp, path)
    return path


@contextmanager
def atomic_path(path: str | os.PathLike, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it onto ``path``.

    On any exception (Ctrl-C included) the temporary file is removed and ``path`` is untouched.
    A ``path`` that is not a regular file is refused before and again after the work.
    """
    path = check_output_path(path)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.stem}.", suffix=suffix if suffix is not None else path.suffix + ".tmp",
        dir=path.parent,
    )
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        # mkstemp makes 0600 files; a finished output gets the usual umask-derived mode
        os.chmod(tmp, 0o666 & ~_umask())
        publish(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0o022)  # the only portable way to read it is to set it and put it back
    os.umask(mask)
    return mask


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
