"""Writing files safely: whole or not at all, never through a link, never over a project."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from workbench.errors import ProjectFileError, WorkbenchError
from workbench.vocab import APPLICATION_ID, SCHEMA_VERSION, SQLITE_MAGIC


class ExportError(WorkbenchError):
    """An export that cannot be written where it was asked to go."""


def is_project_file(path: Path) -> bool:
    if not path.is_file():  # (opening a named pipe to look inside would wait forever)
        return False
    try:
        with path.open("rb") as handle:
            header = handle.read(72)
    except OSError:
        return False
    return (
        header.startswith(SQLITE_MAGIC) and int.from_bytes(header[68:72], "big") == APPLICATION_ID
    )


# Files SQLite keeps beside a project while it is open; overwriting one can damage the project.
SIDE_FILES = ("-journal", "-wal", "-shm")


CHARACTER_DEVICE = "a character device"


def special_kind(path: Path) -> str | None:
    """What ``path`` is when it is neither a regular file, a folder, a link nor absent."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISCHR(mode):
        return CHARACTER_DEVICE
    return None


def check_target(path: Path, inside: Path | None = None) -> None:
    """Refuse a target an export must not write: a link, a folder, a project or its journal.

    With ``inside``, the target must also land in that folder once every link on
    the way is followed (a name like ``x/../y`` cannot step out of it).
    """
    if path.is_symlink():
        raise ExportError(f"{path}: is a symbolic link; choose a plain file name")
    special = special_kind(path)
    if special is not None and special != CHARACTER_DEVICE:
        raise ExportError(f"{path}: is {special}, not a regular file; give a file name")
    if path.is_dir():
        raise ExportError(f"{path}: is a folder; give a file name or use --output-dir")
    if path.exists() and is_project_file(path):
        raise ExportError(f"{path}: is a workbench project; refusing to overwrite it")
    for suffix in SIDE_FILES:
        stem = path.name[: -len(suffix)]
        if path.name.endswith(suffix) and stem and is_project_file(path.with_name(stem)):
            raise ExportError(
                f"{path}: belongs to the workbench project beside it; refusing to overwrite it"
            )
    if inside is not None:
        folder = path.parent if str(path.parent) else Path(".")
        if folder.is_dir() and folder.resolve() != inside.resolve():
            raise ExportError(f"{path}: is outside the folder {inside}; choose a plain file name")


def set_aside_journal(path: Path) -> Path | None:
    """Move a journal left beside ``path`` out of the way; where it went, or None.

    SQLite plays a journal it finds beside a file back into that file when it opens it,
    whichever file that now is. Before a file is created or restored under ``path``, a
    journal already there belongs to an earlier file: kept, under a name SQLite ignores.
    """
    journal = path.with_name(path.name + "-journal")
    if not os.path.lexists(journal):
        return None
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}-journal.stale-{stamp}")
    try:
        os.replace(journal, target)
    except OSError as error:
        raise ProjectFileError(
            f"{journal}: a journal left by an earlier file of this name cannot be moved aside "
            f"({error.strerror}); move it away by hand, then try again"
        ) from None
    return target


def write_atomic(path: Path, text: str | bytes, inside: Path | None = None) -> Path:
    """Write ``text`` (or a binary document's bytes) to ``path`` via a temporary file,
    fsync and rename.

    A failure (or a kill) leaves the old file or none, never half a file.
    Refuses to write through a symbolic link or over a workbench project file
    (see :func:`check_target`). The rename replaces a link put in the way
    meanwhile, never the file it points to.
    """
    check_target(path, inside)
    if special_kind(path) == CHARACTER_DEVICE:
        # /dev/null, /dev/stdout, a terminal: written in place (renaming a file over one
        # would replace the device node, as root, for every program on the machine)
        try:
            with _opened(path.open, text) as handle:
                handle.write(text)
        except OSError as error:
            raise ExportError(f"{path}: cannot write it ({error.strerror})") from None
        return path
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"{folder}: no such folder")
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise ExportError(f"{folder}: cannot write here ({error.strerror})") from None
    try:
        with _opened(lambda *a, **k: os.fdopen(fd, *a, **k), text) as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise ExportError(f"{path}: cannot write it ({error.strerror})") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return path


def _opened(opener: Any, content: str | bytes) -> Any:
    """A handle for ``content``: binary for bytes, UTF-8 text with LF line ends for text."""
    if isinstance(content, bytes):
        return opener("wb")
    return opener("w", encoding="utf-8", newline="\n")


def check_project_file(path: Path) -> None:
    """Refuse, without writing a byte, anything that is not a project this version reads."""
    if not path.exists():
        raise ProjectFileError(
            f"{path}: no such project file (create one with: workbench new {path} --name NAME)"
        )
    if path.is_dir():
        raise ProjectFileError(f"{path}: is a folder, not a project file")
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as error:
        raise ProjectFileError(f"{path}: cannot read it ({error.strerror})") from None
    if not header:
        raise ProjectFileError(f"{path}: the file is empty, not a workbench project")
    if not header.startswith(SQLITE_MAGIC) or len(header) < 100:
        raise ProjectFileError(f"{path}: not a workbench project (it is not a SQLite database)")
    app_id = int.from_bytes(header[68:72], "big")
    version = int.from_bytes(header[60:64], "big")
    if app_id != APPLICATION_ID:
        raise ProjectFileError(
            f"{path}: a SQLite database of another application, not a workbench project"
        )
    if version > SCHEMA_VERSION:
        raise ProjectFileError(
            f"{path}: written by a newer workbench (file schema {version}, this version reads up "
            f"to {SCHEMA_VERSION}); upgrade workbench to open it"
        )
