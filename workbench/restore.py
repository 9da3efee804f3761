"""Restoring a project file from a backup: checked first, swapped in whole while
holding the project's write lock, with a safety copy of the file it replaces."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from pathlib import Path

from workbench.backup import backup, backup_folder
from workbench.errors import ProjectFileError
from workbench.files import set_aside_journal


@dataclass(frozen=True)
class Restored:
    """What a restore did besides bringing the backup back."""

    safety: Path | None  # the copy of the file it replaced
    set_aside: Path | None  # a journal of an earlier file, moved out of the way


def restore(backup_file: Path, project: Path) -> Restored:
    """Bring ``backup_file`` back as ``project``, after checking it is a sound project.

    The file being replaced is kept first (a backup if it opens, a copy of its bytes if
    not), and it is replaced while its write lock is held: a restore never lands in the
    middle of another process's write, and that process, when it next writes, finds the
    file replaced and saves nothing (see ``Store.check_same_file``).
    """
    from workbench.store import check_project_file

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
    partial_journal = partial.with_name(partial.name + "-journal")

    def clean() -> None:  # (an interrupted restore's copy and journal are ours to delete)
        with contextlib.suppress(OSError):  # (a read-only folder: nothing to delete)
            partial.unlink(missing_ok=True)
            partial_journal.unlink(missing_ok=True)

    if not os.access(project.parent, os.W_OK):
        raise ProjectFileError(
            f"{project.parent}: cannot write here (a read-only folder or file system); "
            "nothing was restored"
        )

    clean()
    try:
        source = sqlite3.connect(backup_file.resolve().as_uri() + "?mode=ro", uri=True)
        dest = sqlite3.connect(str(partial))
        try:
            source.backup(dest)
        finally:
            source.close()
            dest.close()
        _check_copy(partial, backup_file)
        if project.exists():
            return _replace_holding_lock(project, partial)
        set_aside = set_aside_journal(project)
        partial.replace(project)
        return Restored(safety=None, set_aside=set_aside)
    except (sqlite3.Error, OSError) as error:
        clean()
        raise ProjectFileError(f"{project}: the restore failed ({error})") from None
    finally:
        clean()


_BUSY = (
    "{project}: busy: another workbench is writing to it; nothing was restored; "
    "try again when it has finished"
)


def _replace_holding_lock(project: Path, partial: Path) -> Restored:
    from workbench import store as store_module
    from workbench.store import Store

    try:
        current = Store.open(project)  # (a journal of its own is played back into it here)
    except ProjectFileError as error:
        if ": busy, " in str(error):  # (locked while being written: not unreadable)
            raise ProjectFileError(_BUSY.format(project=project)) from None
        # unreadable as a project: its bytes are kept as they are, whatever they hold
        safety = _copy_bytes(project)
        set_aside = set_aside_journal(project)
        partial.replace(project)
        return Restored(safety=safety, set_aside=set_aside)
    # The lock is taken on a connection of its own: the backup API cannot read through a
    # connection that holds a write transaction.
    lock = sqlite3.connect(str(project), timeout=store_module.BUSY_TIMEOUT_S)
    try:
        with current:
            try:
                lock.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                if "locked" in str(error) or "busy" in str(error):
                    raise ProjectFileError(_BUSY.format(project=project)) from None
                raise
            safety = backup(current, reason="before-restore")
            set_aside = set_aside_journal(project)  # (none: nothing was written here)
            partial.replace(project)
    finally:
        lock.close()  # (its empty transaction ends with it, on the file that was replaced)
    return Restored(safety=safety, set_aside=set_aside)


def _copy_bytes(project: Path) -> Path:
    folder = backup_folder(project)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{project.stem}-{stamp}-before-restore-unreadable.sqlite"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(project, target)
    except OSError as error:
        raise ProjectFileError(
            f"{project}: cannot keep a copy of the file before replacing it ({error.strerror}); "
            "nothing was restored"
        ) from None
    return target


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
