"""Bad project files are refused with one line, exit 2, and left byte-for-byte untouched."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from core_support import Runner, sha256

PAGE = 4096


def root_page(path: Path, table: str) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", [table]).fetchone()
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    assert page_size == PAGE
    return int(row[0])


def overwrite_page(data: bytes, page: int, fill: bytes = b"\xff") -> bytes:
    start = (page - 1) * PAGE
    return data[:start] + fill * PAGE + data[start + PAGE :]


def text_file(good: Path, bad: Path) -> None:
    bad.write_text("name = 'this is a note, not a project'\n", encoding="utf-8")


def empty_file(good: Path, bad: Path) -> None:
    bad.write_bytes(b"")


def truncated(good: Path, bad: Path) -> None:
    bad.write_bytes(good.read_bytes()[:PAGE])


def corrupted_middle(good: Path, bad: Path) -> None:
    data = good.read_bytes()
    bad.write_bytes(overwrite_page(data, len(data) // PAGE // 2))


def corrupted_unrelated_table(good: Path, bad: Path) -> None:
    # A page that `tick` never reads: the file must still be refused before any write.
    bad.write_bytes(overwrite_page(good.read_bytes(), root_page(good, "oversight")))


def newer_version(good: Path, bad: Path) -> None:
    shutil.copyfile(good, bad)
    conn = sqlite3.connect(bad)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()


def other_application(good: Path, bad: Path) -> None:
    conn = sqlite3.connect(bad)
    conn.execute("CREATE TABLE items (id TEXT PRIMARY KEY, status TEXT)")
    conn.execute("INSERT INTO items VALUES ('testing.edge-cases', 'open')")
    conn.commit()
    conn.close()


KINDS: dict[str, tuple[Callable[[Path, Path], None], str]] = {
    "text": (text_file, "not a SQLite database"),
    "empty": (empty_file, "empty"),
    "truncated": (truncated, "damaged"),
    "corrupted-middle": (corrupted_middle, "damaged"),
    "corrupted-unrelated-table": (corrupted_unrelated_table, "damaged"),
    "newer": (newer_version, "newer workbench"),
    "other-application": (other_application, "another application"),
}

COMMANDS: dict[str, list[str]] = {
    "status": ["status", "{path}"],
    "tick": ["tick", "{path}", "testing.edge-cases", "--status", "done", "--evidence", "x"],
    "measure": ["measure", "{path}", "accuracy", "93%"],
    "export": ["export", "{path}", "--format", "json", "-o", "{out}"],
    "check": ["check", "{path}"],
    "undo": ["undo", "{path}"],
}


@pytest.fixture
def bad_file(request: pytest.FixtureRequest, project: Path) -> tuple[Path, str]:
    make, expected = KINDS[request.param]
    bad = project.parent / "bad.sqlite"
    make(project, bad)
    return bad, expected


@pytest.mark.parametrize("bad_file", list(KINDS), indirect=True)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_bad_file_is_refused_and_untouched(
    cli: Runner, bad_file: tuple[Path, str], command: str
) -> None:
    path, expected = bad_file
    folder = path.parent
    out = folder / "report.json"
    before = sha256(path)
    listing = sorted(p.name for p in folder.iterdir())
    args = [a.format(path=path, out=out) for a in COMMANDS[command]]
    result = cli(*args)
    assert result.code == 2
    assert len(result.err.splitlines()) == 1, result.err
    assert result.err.startswith(f"workbench: {path}: ")
    assert expected in result.err
    assert "Traceback" not in result.err
    assert sha256(path) == before
    # No journal, backup or half-written report left beside it.
    assert sorted(p.name for p in folder.iterdir()) == listing


@pytest.mark.parametrize("kind", ["text", "corrupted-middle", "newer"])
def test_bad_file_refused_by_the_real_command(tmp_path: Path, project: Path, kind: str) -> None:
    make, expected = KINDS[kind]
    bad = tmp_path / "bad.sqlite"
    make(project, bad)
    before = sha256(bad)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench",
            "tick",
            str(bad),
            "testing.edge-cases",
            "--status",
            "done",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2
    assert run.stdout == ""
    assert len(run.stderr.splitlines()) == 1
    assert expected in run.stderr
    assert "Traceback" not in run.stderr
    assert sha256(bad) == before


def test_a_folder_is_not_a_project(cli: Runner, tmp_path: Path) -> None:
    result = cli("status", tmp_path)
    assert result.code == 2
    assert result.err.strip() == f"workbench: {tmp_path}: is a folder, not a project file"
