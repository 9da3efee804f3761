"""Crashes: a writer SIGKILLed at a random moment loses no edit it reported as saved.

A writer process (tests/writer_process.py) edits a project through the CLI's code in a loop
and prints ``ACK <kind> <n>`` after each edit that returned 0. The test kills it at a random
moment (0-150 ms after its first acknowledgement), over and over: 260 kills in all, split
across ``tick``, ``decide``, ``import-results``, the migration of an old (schema 1) file,
``restore`` itself, and ticks with a restore landing among them. After every kill the
file must open normally with ``Store.open`` (which rolls back the half-done transaction
left in the journal), pass ``PRAGMA integrity_check``, and hold
every acknowledged edit, with its history, and nothing half-written.

The random delays come from one seed, printed in every failure message: rerun with
``WORKBENCH_CRASH_SEED=<seed>`` to replay the same delays.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import queue
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from results_support import cases, write_results
from test_migrations import downgrade_to_schema_1, without_production_plan

from workbench import operations
from workbench.backup import backup as back_up
from workbench.cli import main as workbench_main
from workbench.migrations import SCHEMA_VERSION
from workbench.models import ProjectData
from workbench.store import Store

WRITER = Path(__file__).resolve().parent / "writer_process.py"
SEED = int(os.environ.get("WORKBENCH_CRASH_SEED") or random.SystemRandom().randrange(2**32))
KILLS = {
    "tick": 55,
    "decide": 50,
    "import-results": 50,
    "migrate": 50,
    "restore-during-write": 25,
    "restore": 30,
}
MAX_DELAY_S = 0.150
ITEM = "testing.edge-cases"

assert sum(KILLS.values()) >= 200


def where(kind: str, round_no: int) -> str:
    return f"(seed {SEED}, {kind} kill {round_no + 1}; replay with WORKBENCH_CRASH_SEED={SEED})"


# ------------------------------------------------------------------ the fork server


@dataclass
class Killed:
    """What the writer acknowledged before it was killed."""

    acks: list[int] = field(default_factory=list)
    idle: bool = False
    lines: list[str] = field(default_factory=list)

    @property
    def last(self) -> int:
        return self.acks[-1]


class ForkServer:
    """tests/writer_process.py serve: forks one writer per job, tells us its pid and its end."""

    def __init__(self, cwd: Path) -> None:
        env = {**os.environ, "WORKBENCH_USER": "writer"}
        env.pop("WORKBENCH_DEBUG", None)
        self.proc = subprocess.Popen(
            [sys.executable, str(WRITER), "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.child: int | None = None

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put("CLOSED")

    def _next(self, context: str, timeout: float = 60.0) -> str:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"the writer said nothing for {timeout} s {context}") from None
        if line == "CLOSED":
            err = self.proc.stderr.read() if self.proc.stderr else ""
            raise AssertionError(f"the fork server ended {context}: {err}")
        return line

    def kill_during(
        self,
        job: dict[str, Any],
        delay: float,
        context: str,
        meanwhile: Callable[[], None] | None = None,
    ) -> Killed:
        """Start a writer on ``job``, kill it ``delay`` s after its first ACK; what it acked.

        With ``meanwhile``, that runs (in this process) once the delay is over, while the
        writer goes on, and the writer is killed when it returns; the edits it refused
        meanwhile (``FAIL`` lines) are in ``lines``."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        result = Killed()
        pid = None
        while pid is None or not result.acks:
            line = self._next(context)
            result.lines.append(line)
            if line.startswith("PID "):
                pid = self.child = int(line.split()[1])
            elif line.startswith("ACK "):
                result.acks.append(int(line.split()[2]))
            elif line.startswith(("FAIL ", "ERROR ", "EXIT ")):
                raise AssertionError(f"the writer failed before its first edit {context}: {line}")
        time.sleep(delay)
        if meanwhile is not None:
            meanwhile()
        os.kill(pid, signal.SIGKILL)
        while True:
            line = self._next(context)
            result.lines.append(line)
            if line.startswith("ACK "):
                result.acks.append(int(line.split()[2]))
            elif line == "IDLE":
                result.idle = True
            elif line.startswith("ERROR ") or (line.startswith("FAIL ") and meanwhile is None):
                raise AssertionError(f"the writer failed {context}: {line}")
            elif line == f"EXIT {pid} {signal.SIGKILL}":
                break
            elif line.startswith("EXIT "):
                raise AssertionError(f"the writer ended on its own {context}: {line}")
        self.child = None
        if meanwhile is None:
            assert result.acks == list(range(result.acks[0], result.acks[-1] + 1)), context
        return result

    def close(self) -> None:
        if self.child is not None:  # a failed round: do not leave the writer running
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.child, signal.SIGKILL)
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def writer(tmp_path: Path) -> Iterator[ForkServer]:
    server = ForkServer(tmp_path)
    try:
        yield server
    finally:
        server.close()


# ------------------------------------------------------------------------ checks


def integrity(conn: sqlite3.Connection) -> str:
    return "; ".join(str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall())


def hot_journal(path: Path) -> bool:
    """Whether the kill interrupted a transaction: its journal is left beside the file."""
    return Path(f"{path}-journal").exists()


def reopen(path: Path, context: str) -> Store:
    """Open the file as the next command would, and check it is sound and in rollback mode."""
    try:
        store = Store.open(path)
    except Exception as error:
        raise AssertionError(f"the file does not open after the kill {context}: {error}") from None
    assert integrity(store.db.conn) == "ok", context
    mode = store.db.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "delete", context
    return store


def new_project(path: Path) -> Path:
    operations.create_project(path, name="Crash", risk="medium", by="creator").close()
    return path


# ------------------------------------------------------------------------- edits


def test_tick_killed_at_random_loses_no_acknowledged_edit(
    tmp_path: Path, writer: ForkServer
) -> None:
    rng = random.Random(f"{SEED}-tick")
    path = new_project(tmp_path / "tick.sqlite")
    stored = interrupted = 0
    for round_no in itertools.count():
        # at least KILLS rounds, and more (up to four times as many) until one of
        # them lands inside a transaction, so the test always exercises recovery
        if round_no >= KILLS["tick"] and (interrupted or round_no >= 4 * KILLS["tick"]):
            break
        context = where("tick", round_no)
        job = {"kind": "tick", "path": str(path), "item": ITEM, "start": stored + 1}
        killed = writer.kill_during(job, rng.uniform(0, MAX_DELAY_S), context)
        assert killed.acks[0] == stored + 1, context
        interrupted += hot_journal(path)
        with reopen(path, context) as store:
            item = store.get("item", ITEM)
            stored = int(item.evidence.removeprefix("edit-"))
            # The last acknowledged edit is there; at most the one in flight is there too.
            assert killed.last <= stored <= killed.last + 1, (killed.last, stored, context)
            assert item.status == "done" and item.updated_by == "writer", context
            # Every edit ever acknowledged is in the history, once, in order: the history
            # entry was committed with its edit, never without it.
            logged = store.db.execute(
                "SELECT h.new FROM history h JOIN changes c ON c.id = h.change "
                "WHERE h.entity = 'item' AND h.key = ? AND h.field = 'evidence' "
                "AND c.by = 'writer' ORDER BY h.id",
                [ITEM],
            ).fetchall()
            assert [json.loads(r[0]) for r in logged] == [
                f"edit-{n}" for n in range(1, stored + 1)
            ], context
            changes = store.db.execute("SELECT count(*) FROM changes WHERE by = 'writer'")
            assert changes.fetchone()[0] == stored, context
    assert stored >= KILLS["tick"]
    assert interrupted, f"no kill landed inside a transaction (seed {SEED})"


def test_decide_killed_at_random_loses_no_acknowledged_decision(
    tmp_path: Path, writer: ForkServer
) -> None:
    rng = random.Random(f"{SEED}-decide")
    path = new_project(tmp_path / "decide.sqlite")
    stored = interrupted = 0
    for round_no in itertools.count():
        # at least KILLS rounds, and more (up to four times as many) until one of
        # them lands inside a transaction, so the test always exercises recovery
        if round_no >= KILLS["decide"] and (interrupted or round_no >= 4 * KILLS["decide"]):
            break
        context = where("decide", round_no)
        job = {"kind": "decide", "path": str(path), "start": stored + 1}
        killed = writer.kill_during(job, rng.uniform(0, MAX_DELAY_S), context)
        interrupted += hot_journal(path)
        with reopen(path, context) as store:
            rows = store.db.execute("SELECT id, title, decision FROM decisions ORDER BY id")
            decisions = rows.fetchall()
            stored = len(decisions)
            assert killed.last <= stored <= killed.last + 1, (killed.last, stored, context)
            assert [(title, text) for _id, title, text in decisions] == [
                (f"decision-{n}", f"d{n}") for n in range(1, stored + 1)
            ], context
            ids = [row[0] for row in decisions]
            logged = store.db.execute(
                "SELECT key FROM history WHERE entity = 'decision' AND field = '*' ORDER BY id"
            ).fetchall()
            assert [int(r[0]) for r in logged] == ids, context
            assert store.load().decisions[-1].title == f"decision-{stored}", context
    assert stored >= KILLS["decide"]
    assert interrupted, f"no kill landed inside a transaction (seed {SEED})"


def test_import_killed_at_random_leaves_only_complete_runs(
    tmp_path: Path, writer: ForkServer
) -> None:
    rng = random.Random(f"{SEED}-import")
    path = new_project(tmp_path / "import.sqlite")
    files = tmp_path / "results"
    files.mkdir()
    rows_of: dict[str, int] = {}

    def results_file(n: int) -> str:
        """A small results file of its own (its own ids and size, so its own sha256)."""
        size = 40 + (n * 37) % 160
        name = files / f"results-{n}.csv"
        write_results(name, cases({"a": (size, size - n % 7), "b": (20, 15)}, prefix=f"f{n}"))
        rows_of[f"imp-{n}"] = size + 20
        return str(name)

    stored = idle = interrupted = 0
    for round_no in itertools.count():
        # at least KILLS rounds, and more (up to four times as many) until one of
        # them lands inside a transaction, so the test always exercises recovery
        if round_no >= KILLS["import-results"] and (
            interrupted or round_no >= 4 * KILLS["import-results"]
        ):
            break
        context = where("import-results", round_no)
        # more files than a writer gets through in MAX_DELAY_S on a fast machine (an import
        # of one of these takes about 10 ms), so the kill lands while it is still importing
        todo = [(n, results_file(n)) for n in range(stored + 1, stored + 41)]
        job = {"kind": "import-results", "path": str(path), "files": todo}
        killed = writer.kill_during(job, rng.uniform(0, MAX_DELAY_S), context)
        idle += killed.idle
        interrupted += hot_journal(path)
        with reopen(path, context) as store:
            runs = store.db.execute(
                "SELECT r.id, r.label, r.rows, r.skipped, r.metrics, "
                "(SELECT count(*) FROM results WHERE run_id = r.id) FROM runs r ORDER BY r.id"
            ).fetchall()
            stored = len(runs)
            assert killed.last <= stored <= killed.last + 1, (killed.last, stored, context)
            assert [r[1] for r in runs] == [f"imp-{n}" for n in range(1, stored + 1)], context
            for _run_id, label, rows, skipped, metrics, in_file in runs:
                # A run is all there or not there: its rows, its metrics, nothing skipped.
                assert rows == in_file == rows_of[label], (label, rows, in_file, context)
                assert skipped == 0 and json.loads(metrics)["rows"] == rows, (label, context)
            orphans = store.db.execute(
                "SELECT count(*) FROM results WHERE run_id NOT IN (SELECT id FROM runs)"
            ).fetchone()[0]
            assert orphans == 0, context
            logged = store.db.execute(
                "SELECT key FROM history WHERE entity = 'run' ORDER BY id"
            ).fetchall()
            assert [int(r[0]) for r in logged] == [r[0] for r in runs], context
        for n, name in todo:
            if n <= stored:
                Path(name).unlink()
    assert stored >= KILLS["import-results"]
    assert interrupted, f"no kill landed inside a transaction (seed {SEED})"
    assert idle <= KILLS["import-results"] // 10, "most kills should land while importing"


# ---------------------------------------------------------------------- migration


def old_project(path: Path) -> ProjectData:
    """A schema 1 file with content in it; returns the content as this version reads it."""
    with operations.create_project(path, name="Old", risk="high", by="ana") as store:
        for n, item in enumerate(store.load().checklist[:12]):
            operations.tick(store, item.id, "done", "ana", evidence=f"kept-{n}")
        operations.measure(store, "accuracy", 0.93, "ana", n=200)
        operations.decide(store, "ana", title="Ship", decision="d", rationale="r")
        data = store.load()
    downgrade_to_schema_1(path)
    return without_production_plan(data)


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def state_left_by_the_kill(path: Path, probe: Path) -> tuple[int, list[str], str]:
    """The file as the kill left it: version, content and integrity, read from a copy.

    The copy takes the journal along, so SQLite rolls back the half-done transaction on
    the copy, exactly as it would on the file; the file itself is kept for ``Store.open``.
    """
    for suffix in ("", "-journal"):
        target = Path(str(probe) + suffix)
        target.unlink(missing_ok=True)
        if Path(str(path) + suffix).exists():
            shutil.copyfile(str(path) + suffix, target)
    conn = sqlite3.connect(probe)
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        return version, list(conn.iterdump()), integrity(conn)
    finally:
        conn.close()


def test_migration_killed_at_random_leaves_the_old_file_or_the_new_one(
    tmp_path: Path, writer: ForkServer
) -> None:
    rng = random.Random(f"{SEED}-migrate")
    original = tmp_path / "original.sqlite"
    expected = old_project(original)
    old_dump = dump(original)
    work = tmp_path / "work"
    work.mkdir()
    probe = tmp_path / "probe.sqlite"
    first = 1
    idle = interrupted = 0
    for round_no in range(KILLS["migrate"]):
        context = where("migrate", round_no)
        todo = []
        for n in range(first, first + 30):
            copy = work / f"old-{n}.sqlite"
            if not copy.exists():
                shutil.copyfile(original, copy)
            todo.append((n, str(copy)))
        killed = writer.kill_during(
            {"kind": "migrate", "files": todo}, rng.uniform(0, MAX_DELAY_S), context
        )
        idle += killed.idle
        assert killed.acks[0] == first, context
        in_flight = work / f"old-{killed.last + 1}.sqlite"

        interrupted += hot_journal(in_flight)
        version, content, sound = state_left_by_the_kill(in_flight, probe)
        assert sound == "ok", context
        if version == 1:
            assert content == old_dump, f"the old file changed {context}"
        else:
            assert version == SCHEMA_VERSION, f"left half-migrated at v{version} {context}"

        # Every acknowledged migration is complete; the file in flight opens (and migrates).
        for n in [*range(first, killed.last + 1), killed.last + 1]:
            copy = work / f"old-{n}.sqlite"
            with reopen(copy, f"(file {n}) {context}") as store:
                assert store.schema_version() == SCHEMA_VERSION, context
                assert store.load() == expected, f"file {n} lost content {context}"
            copy.unlink()
        # Any backup that was finished is a sound copy of the old file.
        for backup in (work / "backups").glob("*.sqlite"):
            conn = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
            try:
                assert integrity(conn) == "ok", (backup.name, context)
                assert conn.execute("PRAGMA user_version").fetchone()[0] == 1, context
            finally:
                conn.close()
            backup.unlink()
        first = killed.last + 2
        assert (
            not (work / f"old-{first}.sqlite").exists()
            or dump(work / f"old-{first}.sqlite") == old_dump
        ), f"a file the writer had not reached changed {context}"
    assert idle <= KILLS["migrate"] // 10, "most kills should land while migrating"
    assert interrupted, f"no kill landed inside the migration's transaction (seed {SEED})"


# ------------------------------------------------------------------------ restores


def evidence_edits(path: Path) -> set[int]:
    """The writer's ticks a project file holds, by number (from its history)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        assert integrity(conn) == "ok", path
        rows = conn.execute(
            "SELECT h.new FROM history h JOIN changes c ON c.id = h.change "
            "WHERE h.entity = 'item' AND h.field = 'evidence' AND c.by = 'writer' "
            "AND c.undone = 0"
        ).fetchall()
    finally:
        conn.close()
    return {int(json.loads(r[0]).removeprefix("edit-")) for r in rows}


def test_restore_while_a_writer_edits_loses_no_acknowledged_edit(
    tmp_path: Path, writer: ForkServer
) -> None:
    """A restore lands while a writer ticks: every edit the writer acknowledged is in the
    project or in the copy the restore kept (and named), and nothing else is in the file."""
    rng = random.Random(f"{SEED}-restore-during-write")
    path = new_project(tmp_path / "restored.sqlite")
    with Store.open(path) as store:
        start = back_up(store, reason="start")
    n = 1
    restored = refused_edits = 0
    for round_no in range(KILLS["restore-during-write"]):
        context = where("restore-during-write", round_no)
        said: list[str] = []

        def restore_now(said: list[str] = said, context: str = context) -> None:
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = workbench_main(["restore", str(path), str(start)])
            assert code in (0, 2), (code, err.getvalue(), context)
            said.append(out.getvalue() if code == 0 else err.getvalue())
            time.sleep(rng.uniform(0, MAX_DELAY_S))  # the writer goes on on the new file

        job = {"kind": "tick", "path": str(path), "item": ITEM, "start": n}
        killed = writer.kill_during(job, rng.uniform(0, MAX_DELAY_S), context, restore_now)
        refused_edits += sum(line.startswith("FAIL ") for line in killed.lines)
        with reopen(path, context):
            pass
        in_project = evidence_edits(path)
        kept: set[int] = set()
        (message,) = said
        if "The file it replaced was kept as " in message:
            restored += 1
            safety = Path(message.split("The file it replaced was kept as ")[1].split("\n")[0])
            kept = evidence_edits(safety)
        else:
            assert "busy: another workbench is writing to it" in message, (message, context)
        lost = set(killed.acks) - in_project - kept
        assert not lost, (sorted(lost), context)
        # the restored file holds the backup (no ticks) and the ticks made after it, all of
        # them acknowledged but the one the kill interrupted: nothing played back into it
        assert in_project <= set(killed.acks) | {max(killed.acks, default=0) + 1}, context
        n = max(killed.acks, default=n) + 2
    assert restored >= KILLS["restore-during-write"] // 2, restored


def test_restore_killed_at_random_leaves_a_whole_project(
    tmp_path: Path, writer: ForkServer
) -> None:
    """A restore killed at any moment leaves the old project or the restored one, never a
    mix, never a journal played back into the wrong file, and the copies it kept sound."""
    rng = random.Random(f"{SEED}-restore")
    path = new_project(tmp_path / "restoring.sqlite")
    states = []
    for word in ("one", "two"):
        with Store.open(path) as store:
            operations.tick(store, ITEM, "done", "creator", evidence=word)
            states.append(str(back_up(store, reason=word)))
    interrupted = 0
    for round_no in range(KILLS["restore"]):
        context = where("restore", round_no)
        job = {"kind": "restore", "path": str(path), "backups": states, "start": round_no}
        writer.kill_during(job, rng.uniform(0, MAX_DELAY_S), context)
        interrupted += hot_journal(path) or path.with_name(path.name + ".restoring").exists()
        with reopen(path, context) as store:
            assert store.get("item", ITEM).evidence in ("one", "two"), context
    for kept in (path.parent / "backups").glob("*.sqlite"):
        conn = sqlite3.connect(f"{kept.resolve().as_uri()}?mode=ro", uri=True)
        try:
            assert integrity(conn) == "ok", kept
        finally:
            conn.close()
    assert interrupted, f"no kill landed inside a restore (seed {SEED})"
