"""Backups of a project file, made with SQLite's backup API (restoring one: ``restore``)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.errors import ProjectFileError

if TYPE_CHECKING:
    from workbench.store import Store


def backup_folder(project: Path) -> Path:
    """Where backups of ``project`` go: a ``backups`` folder beside it."""
    return project.resolve().parent / "backups"


def backup(store: Store, reason: str = "manual", folder: Path | None = None) -> Path:
    """Copy the open project into a new backup file and return its path.

    The copy is made with SQLite's online backup API, so it is consistent even
    while another process writes, and it is written to a temporary name first.
    """
    if store.path is None:
        raise ProjectFileError("an in-memory project has no file to back up")
    folder = folder or backup_folder(store.path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ProjectFileError(
            f"{folder}: cannot create the backup folder ({error.strerror})"
        ) from None
    if not os.access(folder, os.W_OK):
        raise ProjectFileError(
            f"{folder}: cannot write here (a read-only folder or file system); no backup was made"
        )
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{store.path.stem}-{stamp}-{reason}.sqlite"
    partial = target.with_name(target.name + ".partial")
    try:
        dest = sqlite3.connect(str(partial))
        try:
            store.db.conn.backup(dest)
        finally:
            dest.close()
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        partial.replace(target)
    except (sqlite3.Error, OSError) as error:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        if isinstance(error, OSError) and error.strerror:
            error = error.strerror  # type: ignore[assignment]
        raise ProjectFileError(f"{target}: the backup failed ({error})") from None
    return target


def list_backups(project: Path) -> list[Path]:
    folder = backup_folder(project)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{project.stem}-*.sqlite"), reverse=True)
