"""Backups on demand and restoring them: `workbench backup PATH`, `workbench restore PATH [BACKUP]`.

A backup is a sound SQLite copy in ``backups/`` beside the project. Restoring checks the
backup first: a damaged or foreign file is refused with one line and nothing changes.
A good one brings the content back, and the file it replaces is kept as a backup.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from core_support import Runner, integrity, sha256
from test_bad_project_files import KINDS

from workbench.backup import list_backups
from workbench.migrations import APPLICATION_ID, SCHEMA_VERSION
from workbench.store import Store

ITEM = "testing.edge-cases"


def evidence(path: Path) -> str:
    with Store.open(path, readonly=True) as store:
        return str(store.get("item", ITEM).evidence)


def backed_up(cli: Runner, project: Path, *args: object) -> Path:
    result = cli("backup", project, *args)
    assert result.code == 0, result.err
    assert result.out.startswith("Backup written to ")
    return Path(result.out.removeprefix("Backup written to ").strip())


def listing(folder: Path) -> list[tuple[str, str]]:
    """Every file under ``folder`` with its hash: what a refused restore must leave alone."""
    return sorted((str(p.relative_to(folder)), sha256(p)) for p in folder.rglob("*") if p.is_file())


def test_backup_on_demand_is_a_sound_copy_beside_the_project(cli: Runner, project: Path) -> None:
    assert cli("tick", project, ITEM, "--status", "done", "--evidence", "in the backup").code == 0
    backup = backed_up(cli, project)
    assert backup.parent == project.parent / "backups"
    assert backup.name.startswith(f"{project.stem}-") and backup.suffix == ".sqlite"
    assert list_backups(project) == [backup]
    assert integrity(backup) == "ok"
    with Store.open(project) as original, Store.open(backup, readonly=True) as copy:
        assert copy.schema_version() == SCHEMA_VERSION
        assert copy.load() == original.load()
        assert copy.history_count() == original.history_count()
    conn = sqlite3.connect(backup)
    try:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    finally:
        conn.close()
    assert not list((project.parent / "backups").glob("*.partial"))


def test_backup_into_a_chosen_folder(cli: Runner, project: Path, tmp_path: Path) -> None:
    backup = backed_up(cli, project, "--folder", tmp_path / "elsewhere")
    assert backup.parent == tmp_path / "elsewhere"
    assert integrity(backup) == "ok"


def test_restore_without_a_backup_lists_them(cli: Runner, project: Path) -> None:
    first = backed_up(cli, project)
    second = backed_up(cli, project)
    result = cli("restore", project)
    assert result.code == 0
    assert result.out.splitlines() == [
        str(second),
        str(first),
        "Restore one with: workbench restore PATH BACKUP_FILE",
    ]


def test_restore_with_no_backups_says_so(cli: Runner, project: Path) -> None:
    result = cli("restore", project)
    assert result.code == 2
    assert "no backups of" in result.err and len(result.err.splitlines()) == 1


def test_restore_brings_the_content_back_and_keeps_the_replaced_file(
    cli: Runner, project: Path
) -> None:
    assert cli("tick", project, ITEM, "--status", "done", "--evidence", "before").code == 0
    backup = backed_up(cli, project)
    assert cli("tick", project, ITEM, "--status", "done", "--evidence", "after").code == 0
    with Store.open(project) as store:
        replaced = store.load()

    result = cli("restore", project, backup)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == f"Restored {project} from {backup}."
    assert lines[1].startswith("The file it replaced was kept as ")
    kept = Path(lines[1].removeprefix("The file it replaced was kept as "))

    assert evidence(project) == "before"
    assert integrity(project) == "ok"
    assert kept.parent == project.parent / "backups" and "before-restore" in kept.name
    assert integrity(kept) == "ok"
    with Store.open(kept, readonly=True) as store:
        assert store.load() == replaced
    assert sorted(list_backups(project)) == sorted([backup, kept])
    assert not list(project.parent.glob("*.restoring"))
    # The restored project takes edits as usual.
    assert cli("tick", project, ITEM, "--status", "open").code == 0


def test_restore_brings_back_a_deleted_project(cli: Runner, project: Path) -> None:
    assert cli("tick", project, ITEM, "--status", "done", "--evidence", "saved").code == 0
    backup = backed_up(cli, project)
    project.unlink()
    result = cli("restore", project, backup)
    assert result.code == 0, result.err
    assert result.out.splitlines() == [f"Restored {project} from {backup}."]
    assert evidence(project) == "saved"


def test_restoring_the_backup_made_before_a_migration(cli: Runner, project: Path) -> None:
    from test_migrations import downgrade_to_schema_1

    assert cli("tick", project, ITEM, "--status", "done", "--evidence", "old").code == 0
    downgrade_to_schema_1(project)
    assert cli("tick", project, ITEM, "--status", "done", "--evidence", "new").code == 0
    (before_migration,) = list_backups(project)
    assert "before-migration-v1" in before_migration.name
    result = cli("restore", project, before_migration)
    assert result.code == 0, result.err
    with Store.open(project) as store:  # upgraded again on opening, content of the backup
        assert store.schema_version() == SCHEMA_VERSION
        assert store.get("item", ITEM).evidence == "old"


def incomplete(good: Path, bad: Path) -> None:
    """Stamped as a workbench file of this version, sound, but without the project's tables."""
    conn = sqlite3.connect(bad)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    conn.commit()
    conn.close()


def invalid_values(good: Path, bad: Path) -> None:
    """A sound project file holding a value no project can have."""
    shutil.copyfile(good, bad)
    conn = sqlite3.connect(bad)
    conn.execute("UPDATE items SET status = 'maybe' WHERE id = ?", [ITEM])
    conn.commit()
    conn.close()


BAD_BACKUPS = {
    **{kind: make for kind, (make, _says) in KINDS.items()},
    "incomplete": incomplete,
    "invalid-values": invalid_values,
}


@pytest.mark.parametrize("kind", [*BAD_BACKUPS, "missing", "folder"])
def test_restore_refuses_a_bad_backup_and_changes_nothing(
    cli: Runner, project: Path, tmp_path: Path, kind: str
) -> None:
    good = backed_up(cli, project)
    bad = tmp_path / "offered" / "bad-backup.sqlite"
    bad.parent.mkdir()
    if kind == "folder":
        bad.mkdir()
    elif kind != "missing":
        BAD_BACKUPS[kind](good, bad)
    before = listing(tmp_path)

    result = cli("restore", project, bad)

    assert result.code == 2, result.out
    assert result.out == ""
    assert len(result.err.splitlines()) == 1, result.err
    assert result.err.startswith(f"workbench: {bad}: ")
    assert "Traceback" not in result.err
    assert (
        listing(tmp_path) == before
    )  # the project, its backups, the offered file: all as they were
