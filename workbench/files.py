"""Writing files safely: whole or not at all, never through a link, never over a project."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from workbench.errors import WorkbenchError
from workbench.migrations import APPLICATION_ID

SQLITE_MAGIC = b"SQLite format 3\x00"


class ExportError(WorkbenchError):
    """An export that cannot be written where it was asked to go."""


def is_project_file(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            header = handle.read(72)
    except OSError:
        return False
    return (
        header.startswith(SQLITE_MAGIC) and int.from_bytes(header[68:72], "big") == APPLICATION_ID
    )


def write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` via a temporary file, fsync and rename.

    A failure (or a kill) leaves the old file or none, never half a file.
    Refuses to write through a symbolic link or over a workbench project file.
    """
    if path.is_symlink():
        raise ExportError(f"{path}: is a symbolic link; choose a plain file name")
    if path.is_dir():
        raise ExportError(f"{path}: is a folder; give a file name or use --output-dir")
    if path.exists() and is_project_file(path):
        raise ExportError(f"{path}: is a workbench project; refusing to overwrite it")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"{folder}: no such folder")
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise ExportError(f"{folder}: cannot write here ({error.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
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
