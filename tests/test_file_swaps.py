"""Nothing lost when a project file is swapped: restore during a write, stale journals,
a full disk, and outputs that are not regular files.

Each test is a case found by trying the product as an unlucky user would; each checks
what is in the project file (its content, its hash, SQLite's integrity check), not only
the exit status.
"""

from __future__ import annotations

import csv
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from core_support import Runner, integrity, sha256, tmpfs
from results_support import one_line_error

from workbench import operations
from workbench import store as store_module
from workbench.backup import backup as make_backup
from workbench.errors import ProjectFileError
from workbench.store import Store

ITEM = "testing.edge-cases"


def decisions(path: Path) -> list[str]:
    with Store.open(path, readonly=True) as opened:
        return [d.title for d in opened.load().decisions]


def backup_of(cli: Runner, project: Path) -> Path:
    result = cli("backup", project)
    assert result.code == 0, result.err
    return Path(result.out.removeprefix("Backup written to ").strip())


def write_results(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "category", "correct", "output"])
        for n in range(rows):
            out.writerow([f"case-{n}", "billing", "true" if n % 3 else "false", "an answer " * 4])


def workbench_process(*args: object) -> subprocess.Popen[str]:
    env = {**os.environ, "WORKBENCH_USER": "importer"}
    return subprocess.Popen(
        [sys.executable, "-m", "workbench", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def wait_for(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


# ---------------------------------------------------------------- restore and writers


def test_restore_while_an_import_writes_is_refused_and_loses_nothing(
    cli: Runner, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found: restore waited, swallowed "busy", skipped its safety copy and renamed the
    backup over the project; the import then said "Imported run" and exited 0, and
    neither the import nor the decision made after the backup existed anywhere."""
    backup = backup_of(cli, project)
    decided = cli(
        "decide", project, "--title", "after the backup", "--decision", "d", "--rationale", "r"
    )
    assert decided.code == 0, decided.err
    results = tmp_path / "big.csv"
    write_results(results, 300_000)
    journal = project.with_name(project.name + "-journal")
    importing = workbench_process("import-results", project, results, "--label", "big")
    try:
        wait_for(journal.exists)  # the import is inside its transaction
        monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.2)
        refused = cli("restore", project, backup)
    finally:
        _, err = importing.communicate(timeout=120)
    assert importing.returncode == 0, err
    assert refused.code == 2
    assert one_line_error(refused) == (
        f"workbench: {project}: busy: another workbench is writing to it; nothing was "
        "restored; try again when it has finished"
    )
    assert "after the backup" in decisions(project)
    runs = cli("runs", project, "--json").json()["runs"]  # type: ignore[index]
    assert [(r["label"], r["rows"]) for r in runs] == [("big", 300_000)]
    assert integrity(project) == "ok"


def test_a_writer_that_opened_the_file_before_a_restore_saves_nothing(
    cli: Runner, project: Path
) -> None:
    backup = backup_of(cli, project)
    with Store.open(project) as writer:
        restored = cli("restore", project, backup)
        assert restored.code == 0, restored.err
        after_restore = sha256(project)
        with pytest.raises(ProjectFileError) as refused:
            operations.decide(writer, "late", title="lost?", decision="d", rationale="r")
    assert str(refused.value) == (
        f"{project}: the project file was replaced (restored from a backup?) while it was "
        "open; nothing was saved: open it again and redo the edit"
    )
    assert sha256(project) == after_restore
    kept = restored.out.split("The file it replaced was kept as ")[1].strip()
    assert integrity(Path(kept)) == "ok"


def test_a_writer_whose_file_was_deleted_saves_nothing(project: Path) -> None:
    with Store.open(project) as writer:
        project.unlink()
        with pytest.raises(ProjectFileError, match="was deleted or moved while it was open"):
            operations.tick(writer, ITEM, "done", "ana")
    assert not project.exists()


def test_restore_of_an_unreadable_project_keeps_its_bytes(cli: Runner, project: Path) -> None:
    backup = backup_of(cli, project)
    project.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    damaged = sha256(project)
    result = cli("restore", project, backup)
    assert result.code == 0, result.err
    kept = Path(result.out.split("The file it replaced was kept as ")[1].strip())
    assert kept.name.endswith("-before-restore-unreadable.sqlite")
    assert sha256(kept) == damaged
    assert integrity(project) == "ok"


# ---------------------------------------------------------------- stale journals

SPILL = textwrap.dedent(
    """
    import os, sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("PRAGMA cache_size = 5")  # a small cache: the transaction spills to the file
    conn.execute("BEGIN IMMEDIATE")
    for n in range(3000):
        conn.execute(
            "INSERT INTO decisions (id, title, decision, rationale, status) "
            "VALUES (?, ?, 'd', 'r', 'accepted')",
            [1000 + n, "spilled " * 20],
        )
    os._exit(0)  # killed inside the transaction: its journal is hot
    """
)


def kill_inside_a_write(path: Path) -> Path:
    """A writer that spilled part of a transaction into ``path`` and died: a hot journal."""
    subprocess.run([sys.executable, "-c", SPILL, str(path)], check=True)
    journal = path.with_name(path.name + "-journal")
    assert journal.stat().st_size > 0
    return journal


def columns_of_decisions(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        names = [row[1] for row in conn.execute("PRAGMA table_info(decisions)")]
    finally:
        conn.close()
    assert "title" in names, names


def test_a_new_project_is_not_the_old_one_played_back_from_its_journal(
    cli: Runner, tmp_path: Path
) -> None:
    """Found: kill a writer, delete the project, `new PATH --name Fresh`: "Created 'Old'"
    (SQLite played the old project's journal into the new file)."""
    path = tmp_path / "project.sqlite"
    assert cli("new", path, "--name", "Old", "--risk", "high").code == 0
    columns_of_decisions(path)
    journal = kill_inside_a_write(path)
    stale = journal.read_bytes()
    path.unlink()
    result = cli("new", path, "--name", "Fresh")
    assert result.code == 0, result.err
    assert "Created" in result.out and "'Fresh', medium risk" in result.out
    moved = [p for p in tmp_path.iterdir() if ".sqlite-journal.stale-" in p.name]
    assert len(moved) == 1 and moved[0].read_bytes() == stale
    assert f"moved aside: {moved[0]}" in result.out
    assert not journal.exists()
    assert integrity(path) == "ok"
    assert cli("status", path).code == 0
    with Store.open(path, readonly=True) as opened:
        assert opened.load().project.name == "Fresh"


def test_restoring_a_deleted_project_does_not_play_back_its_journal(
    cli: Runner, project: Path
) -> None:
    backup = backup_of(cli, project)
    journal = kill_inside_a_write(project)
    project.unlink()
    result = cli("restore", project, backup)
    assert result.code == 0, result.err
    assert "A journal left by an earlier file of this name was moved aside" in result.out
    assert not journal.exists()
    assert integrity(project) == "ok"
    with Store.open(project, readonly=True) as restored, Store.open(backup) as original:
        assert restored.load() == original.load()


def test_a_killed_writers_own_journal_is_still_rolled_back(cli: Runner, project: Path) -> None:
    """The journal beside a project that is still there is that project's: played back."""
    before = decisions(project)
    kill_inside_a_write(project)
    assert cli("status", project).code == 0
    assert decisions(project) == before
    assert not project.with_name(project.name + "-journal").exists()
    assert integrity(project) == "ok"


# ---------------------------------------------------------------- a full disk


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 512 KB file system (tmpfs), where a write runs out of space."""
    with tmpfs(tmp_path / "small", "512k") as where:
        yield where


@pytest.mark.parametrize("filler_share", [0.4, 0.7, 0.95])
def test_a_write_that_fills_the_disk_leaves_the_file_as_it_was(
    cli: Runner, small_disk: Path, tmp_path: Path, filler_share: float
) -> None:
    """Found: an import that ran out of space exited 2 but left the file modified, with a
    hot journal beside it for whoever opened it next.

    The filler takes a share of the space the new project left free, so the import runs
    out at a different point in each case however large a new project is."""
    path = small_disk / "project.sqlite"
    assert cli("new", path, "--name", "Full").code == 0
    free = shutil.disk_usage(small_disk).free
    (small_disk / "filler").write_bytes(b"\0" * int(free * filler_share))
    before = sha256(path)
    results = tmp_path / "results.csv"
    write_results(results, 20_000)
    message = one_line_error(cli("import-results", path, results))
    assert message == (
        f"workbench: {path}: the disk is full; nothing was saved (free some space and try again)"
    )
    assert sha256(path) == before
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "project.sqlite"]
    assert integrity(path) == "ok"


# ---------------------------------------------------------------- outputs


@pytest.fixture
def char_device(tmp_path: Path) -> Path:
    """A character device like /dev/null (the same device), made in the test's folder."""
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("cannot make a device node here (needs root)")
    return node


def test_a_junit_file_on_a_character_device_is_written_in_place(
    cli: Runner, project: Path, char_device: Path
) -> None:
    """Found: `check --junit /dev/null` as root replaced /dev/null with a regular file."""
    result = cli("check", project, "--junit", char_device)
    assert result.code in (0, 1, 3), result.err
    assert stat.S_ISCHR(os.lstat(char_device).st_mode)
    result = cli("export", project, "--format", "md", "-o", char_device)
    assert result.code == 0, result.err
    assert stat.S_ISCHR(os.lstat(char_device).st_mode)


def run_with_timeout(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )


def test_an_export_to_a_named_pipe_is_refused_at_once(project: Path, tmp_path: Path) -> None:
    """Found: `export -o FIFO` and `--output-dir` over a FIFO hung forever."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = run_with_timeout("export", project, "--format", "md", "-o", fifo)
    assert (result.returncode, result.stderr) == (
        2,
        f"workbench: {fifo}: is a named pipe, not a regular file; give a file name\n",
    )
    folder = tmp_path / "out"
    folder.mkdir()
    os.mkfifo(folder / "demo-readiness.md")
    result = run_with_timeout("export", project, "--format", "md", "--output-dir", folder)
    assert result.returncode == 2
    assert "is a named pipe, not a regular file" in result.stderr
    result = run_with_timeout("check", project, "--junit", fifo)
    assert "is a named pipe, not a regular file" in result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_an_export_to_a_socket_is_refused(project: Path, tmp_path: Path) -> None:
    import socket

    where = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(where))
    try:
        result = run_with_timeout("export", project, "--format", "md", "-o", where)
    finally:
        server.close()
    assert result.returncode == 2
    assert f"{where}: is a socket, not a regular file" in result.stderr


def test_the_default_export_name_is_unaffected(cli: Runner, project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    assert cli("export", project, "--format", "md", "--output-dir", folder).code == 0
    (written,) = folder.iterdir()
    assert written.is_file() and written.read_text(encoding="utf-8").startswith("# ")
    shutil.rmtree(folder)


@pytest.fixture
def read_only_mount(tmp_path: Path) -> Iterator[Path]:
    """A file system mounted read-only, holding a project and a backup of it."""
    with tmpfs(tmp_path / "ro", "2m") as where:
        operations.create_project(where / "p.sqlite", name="RO", risk="low", by="x").close()
        with Store.open(where / "p.sqlite") as opened:
            make_backup(opened)
        subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True)
        yield where


def test_new_restore_and_backup_on_a_read_only_mount_say_so(
    cli: Runner, read_only_mount: Path
) -> None:
    """Found: `new` and `restore` on a read-only mount ended in exit 70."""
    project = read_only_mount / "p.sqlite"
    before = sha256(project)
    (kept,) = (read_only_mount / "backups").iterdir()
    assert one_line_error(cli("new", read_only_mount / "q.sqlite", "--name", "Y")) == (
        f"workbench: {read_only_mount / 'q.sqlite'}: cannot write here (unable to open "
        "database file); check the folder's permissions and free space"
    )
    assert one_line_error(cli("restore", project, kept)) == (
        f"workbench: {read_only_mount}: cannot write here (a read-only folder or file "
        "system); nothing was restored"
    )
    assert one_line_error(cli("backup", project)) == (
        f"workbench: {read_only_mount / 'backups'}: cannot write here (a read-only folder or "
        "file system); no backup was made"
    )
    assert sha256(project) == before
    assert cli("status", project).code == 0


def test_restore_while_another_process_commits_is_refused_not_taken_for_unreadable(
    cli: Runner, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file locked for a commit cannot even be read: that is busy, not unreadable, and a
    restore must not copy its bytes and swap it under the writer."""
    kept = backup_of(cli, project)
    before = sha256(project)
    committing = sqlite3.connect(project)
    committing.execute("BEGIN EXCLUSIVE")
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.1)
    try:
        message = one_line_error(cli("restore", project, kept))
    finally:
        committing.rollback()
        committing.close()
    assert message == (
        f"workbench: {project}: busy: another workbench is writing to it; nothing was "
        "restored; try again when it has finished"
    )
    assert sha256(project) == before
    assert not list((project.parent / "backups").glob("*unreadable*"))
