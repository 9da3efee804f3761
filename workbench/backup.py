"""Backups of a project file, made with SQLite's backup API, and restoring them."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import tempfile
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
        partial.unlink(missing_ok=True)
        raise ProjectFileError(f"{target}: the backup failed ({error})") from None
    return target


def list_backups(project: Path) -> list[Path]:
    folder = backup_folder(project)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{project.stem}-*.sqlite"), reverse=True)


def restore(backup_file: Path, project: Path) -> Path | None:
    """Bring ``backup_file`` back as ``project``, after checking it is a sound project.

    The project file being replaced is itself backed up first (if it exists and
    opens); the path of that safety copy is returned.
    """
    from workbench.store import Store, check_project_file

    if not backup_file.exists():
        raise ProjectFileError(f"{backup_file}: no such backup file")
    check_project_file(backup_file)
    probe = sqlite3.connect(backup_file.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        result = probe.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.Error as error:
        raise ProjectFileError(f"{backup_file}: the backup is damaged ({error})") from None
    finally:
        probe.close()
    if result != "ok":
        raise ProjectFileError(f"{backup_file}: the backup is damaged ({result})")
    partial = project.with_name(project.name + ".restoring")
    try:
        source = sqlite3.connect(backup_file.resolve().as_uri() + "?mode=ro", uri=True)
        dest = sqlite3.connect(str(partial))
        try:
            source.backup(dest)
        finally:
            source.close()
            dest.close()
        _check_copy(partial, backup_file)
        safety = None
        if project.exists():
            try:
                with Store.open(project) as current:
                    safety = backup(current, reason="before-restore")
            except ProjectFileError:
                safety = None  # the file being replaced is unreadable: nothing worth keeping
        partial.replace(project)
    except (sqlite3.Error, OSError) as error:
        partial.unlink(missing_ok=True)
        raise ProjectFileError(f"{project}: the restore failed ({error})") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return safety


def _check_copy(copy: Path, backup_file: Path) -> None:
    """Open the restored copy as a project (upgrading an older one) before it replaces anything.

    A file that passes the integrity check may still not be a project this version can use
    (tables missing, values out of range): it is refused here, while the project is untouched.
    """
    from workbench.store import Store

    with tempfile.TemporaryDirectory() as scratch:  # no second backup of an older copy
        try:
            with Store.open(copy, backup_dir=Path(scratch)) as store:
                store.load()
        except ProjectFileError as error:
            reason = str(error).removeprefix(f"{copy}: ").split("; restore a backup")[0]
            raise ProjectFileError(f"{backup_file}: not a usable backup ({reason})") from None
