"""Two at once: two processes on one project never corrupt it and never silently lose an edit.

Two real writer processes (tests/writer_process.py) edit the same file at the same time
through the CLI's code, each ticking its own items and adding decisions; every edit either
waits for the lock (``BEGIN IMMEDIATE`` with a busy timeout) or is refused out loud, and
each one acknowledged is in the file and in the history. An edit that lost a race to a
newer value of the same field is refused (``ConflictError``), not written over it. And
the file stays in rollback-journal mode (the SQLite Python links may have the WAL-reset
bug), even when another program switched it to WAL.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from core_support import Runner

import workbench.store
from workbench import operations
from workbench.errors import ConflictError
from workbench.migrations import SCHEMA_VERSION
from workbench.store import Store

WRITER = Path(__file__).resolve().parent / "writer_process.py"
EDITS = 150  # per writer: 75 ticks and 75 decisions
ITEM = "testing.edge-cases"


def writers(jobs: list[dict[str, object]], cwd: Path) -> list[tuple[int, str, str]]:
    """Start one writer process per job, let them go together, and wait for both."""
    env = {**os.environ, "WORKBENCH_USER": "nobody"}
    env.pop("WORKBENCH_DEBUG", None)
    procs = [
        subprocess.Popen(
            [sys.executable, str(WRITER), "run", json.dumps(job)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env=env,
        )
        for job in jobs
    ]
    try:
        for proc in procs:  # both have imported workbench and wait on stdin
            assert proc.stdout is not None
            assert proc.stdout.readline() == "READY\n"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("GO\n")
            proc.stdin.flush()
        done = []
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            done.append((proc.returncode, out, err))
        return done
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def integrity(conn: sqlite3.Connection) -> str:
    return "; ".join(str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall())


def test_two_writers_at_once_lose_no_edit(project: Path) -> None:
    with Store.open(project) as store:
        items = [item.id for item in store.load().checklist]
    mine = {"ana": items[:6], "ben": items[6:12]}
    jobs = [
        {"kind": "mixed", "path": str(project), "name": name, "items": own, "count": EDITS}
        for name, own in mine.items()
    ]
    results = writers(jobs, project.parent)

    acked: dict[str, list[tuple[str, int]]] = {}
    for name, (code, out, err) in zip(mine, results, strict=True):
        lines = out.splitlines()
        assert code == 0, (name, err)
        assert not [line for line in lines if line.startswith("FAIL")], (name, lines)
        assert lines[-1] == "END", (name, lines[-3:], err)
        acked[name] = [(line.split()[1], int(line.split()[2])) for line in lines[:-1]]
        assert [n for _kind, n in acked[name]] == list(range(1, EDITS + 1)), name

    with Store.open(project) as store:
        conn = store.db.conn
        assert integrity(conn) == "ok"
        order = [r[0] for r in conn.execute("SELECT by FROM changes ORDER BY id")]
        switches = sum(a != b for a, b in itertools.pairwise(order))
        assert switches >= 10, f"the writers hardly overlapped: {switches} switches"
        data = store.load()
        for name, own in mine.items():
            ticks = [n for kind, n in acked[name] if kind == "tick"]
            decisions = [n for kind, n in acked[name] if kind == "decide"]
            # One change per acknowledged edit, and nothing else, by this writer.
            changes = conn.execute("SELECT count(*) FROM changes WHERE by = ?", [name])
            assert changes.fetchone()[0] == EDITS, name
            # Each tick's evidence is in the history, in the order it was made.
            logged = conn.execute(
                "SELECT h.new FROM history h JOIN changes c ON c.id = h.change "
                "WHERE c.by = ? AND h.entity = 'item' AND h.field = 'evidence' ORDER BY h.id",
                [name],
            ).fetchall()
            assert [json.loads(r[0]) for r in logged] == [f"{name}-{n}" for n in ticks], name
            # Each item holds the last value its writer gave it.
            for item in data.checklist:
                ticked = [n for n in ticks if own[(n // 2) % len(own)] == item.id]
                if ticked:
                    assert item.evidence == f"{name}-{ticked[-1]}", (name, item.id)
            # Each decision is there, once, with its history entry.
            titles = [d.title for d in data.decisions if d.title.startswith(f"{name}-")]
            assert titles == [f"{name}-decision-{n}" for n in decisions], name
            added = conn.execute(
                "SELECT count(*) FROM history h JOIN changes c ON c.id = h.change "
                "WHERE c.by = ? AND h.entity = 'decision' AND h.field = '*'",
                [name],
            ).fetchone()[0]
            assert added == len(decisions), name
        ids = [d.id for d in data.decisions]
        assert len(set(ids)) == len(ids) == 2 * (EDITS // 2)


def test_two_processes_opening_old_files_at_once_migrate_each_once(project: Path) -> None:
    """Both wait for the one that migrates first, then find nothing left to do."""
    from test_migrations import downgrade_to_schema_1, without_production_plan

    with Store.open(project) as store:
        before = without_production_plan(store.load())
    downgrade_to_schema_1(project)
    files = []
    for n in range(30):
        copy = project.with_name(f"old-{n}.sqlite")
        shutil.copyfile(project, copy)
        files.append(str(copy))
    code = (
        "import sys; from workbench.store import Store; sys.stdin.readline()\n"
        "for path in sys.argv[1:]:\n"
        "    Store.open(path).close(); print('opened', path)\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, *files],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for proc in procs:  # both go through the same files, in the same order, together
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert out.splitlines() == [f"opened {path}" for path in files]
    for path in files:
        with Store.open(path) as store:
            assert store.schema_version() == SCHEMA_VERSION
            assert store.load() == before
            applied = store.db.execute("SELECT name FROM _sqlite_migrations ORDER BY id")
            names = [r[0] for r in applied.fetchall()]
        assert names == [
            "0001_initial",
            "0002_workshop",
            "0003_evidence",
            "0004_results_by_line",
            "0005_lean_results",
            "0006_runs_of_any_tool",
            "0007_alert_notes",
            "0008_workshop_record",
            "0009_governance",
            "0010_production",
        ], path


# -------------------------------------------------------------------- lost races


def test_an_edit_that_lost_the_race_is_refused_not_written_over(project: Path) -> None:
    with Store.open(project) as ana, Store.open(project) as ben:
        # Both see the same item and threshold ...
        ana_saw, ben_saw = ana.get("item", ITEM), ben.get("item", ITEM)
        ben_saw_accuracy = ben.get("threshold", "accuracy").measured
        # ... Ana saves first ...
        operations.tick(
            ana, ITEM, "na", "ana", reason="internal tool", expect={"status": ana_saw.status}
        )
        operations.edit_item(ana, ITEM, "ana", owner="Ana", expect={"owner": ana_saw.owner})
        operations.measure(ana, "accuracy", 0.93, "ana", n=200, expect={"measured": None})
        count = ana.history_count()
        # ... so each of Ben's edits of what he saw is refused, with a message that says so.
        with pytest.raises(ConflictError, match=r"status was changed by someone else.*'na'"):
            operations.tick(ben, ITEM, "done", "ben", expect={"status": ben_saw.status})
        with pytest.raises(ConflictError, match=r"owner was changed by someone else.*'Ana'"):
            operations.edit_item(ben, ITEM, "ben", owner="Ben", expect={"owner": ben_saw.owner})
        with pytest.raises(ConflictError, match="measured was changed by someone else"):
            operations.measure(ben, "accuracy", 0.80, "ben", expect={"measured": ben_saw_accuracy})
        assert ben.history_count() == count
    with Store.open(project) as store:
        item = store.get("item", ITEM)
        assert (item.status, item.reason, item.owner) == ("na", "internal tool", "Ana")
        measured = store.get("threshold", "accuracy").measured
        assert measured is not None and measured.value == 0.93
        assert not store.history(by="ben")
        # Having reloaded, Ben's edit goes through.
        operations.tick(store, ITEM, "done", "ben", expect={"status": "na"})
        assert store.get("item", ITEM).status == "done"


def test_a_writer_that_cannot_get_the_lock_says_so(
    cli: Runner, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the busy timeout, the edit is refused with one line, and nothing is saved."""
    monkeypatch.setattr(workbench.store, "BUSY_TIMEOUT_S", 0.2)
    other = sqlite3.connect(project)
    other.execute("BEGIN IMMEDIATE")  # another process is saving and holds the lock
    before = project.read_bytes()
    try:
        result = cli("tick", project, ITEM, "--status", "done")
    finally:
        other.rollback()
        other.close()
    assert result.code == 2
    assert "busy, another workbench is saving to it" in result.err
    assert len(result.err.splitlines()) == 1
    assert project.read_bytes() == before


# ----------------------------------------------------------------- journal mode


def journal_mode_in_header(path: Path) -> tuple[int, int]:
    """Bytes 18 and 19 of the file: (1, 1) for a rollback journal, (2, 2) for WAL."""
    header = path.read_bytes()[:20]
    return header[18], header[19]


def test_a_project_is_never_in_wal_mode(cli: Runner, project: Path) -> None:
    assert cli("tick", project, ITEM, "--status", "done").code == 0
    with Store.open(project) as store:
        operations.tick(store, ITEM, "open", "ana")
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert journal_mode_in_header(project) == (1, 1)
    assert not Path(f"{project}-wal").exists() and not Path(f"{project}-shm").exists()


def test_a_file_switched_to_wal_by_another_program_is_switched_back(
    cli: Runner, project: Path
) -> None:
    other = sqlite3.connect(project)
    assert other.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal"
    other.close()
    assert journal_mode_in_header(project) == (2, 2)

    result = cli("tick", project, ITEM, "--status", "done", "--evidence", "kept")
    assert result.code == 0, result.err
    assert journal_mode_in_header(project) == (1, 1)
    assert not Path(f"{project}-wal").exists() and not Path(f"{project}-shm").exists()
    with Store.open(project) as store:
        assert store.get("item", ITEM).evidence == "kept"
