"""The table "When something is wrong" (README and docs/bad-input.md), one test per row.

Each test makes the bad file or input of its row, runs what a person would run,
and checks what the table promises: exit status 2, the message of the row on one
line of stderr (the bad-rows case adds one indented line per bad row), no
traceback, and nothing changed: the file's bytes and the folder's listing are
as before. Several rows are covered in depth elsewhere (test_bad_project_files,
test_runs_import, test_catalog); here they are asserted again, compactly, so the
table and the tests correspond one to one.

The read-only rows need a process that may not write. Tests run as root in CI,
where permissions do not stop writes, so the CLI runs as the user ``nobody``
through ``setpriv`` (util-linux); failing that, the file or folder is made
immutable with ``chattr +i``; failing both, those two rows are skipped and say why.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from core_support import TEMPLATE_PATH, Result, Runner, sha256, tmpfs

from workbench import operations
from workbench.migrations import SCHEMA_VERSION

DATA = Path(__file__).resolve().parent / "data"
PAGE = 4096
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
ITEM = "testing.edge-cases"
ROWS: list[str] = []  # the ids of the table's rows, in order, as the tests declare them


def row(name: str) -> Callable[[Callable[..., object]], Callable[..., object]]:
    """Mark a test as the one for row ``name`` of the table."""

    def mark(test: Callable[..., object]) -> Callable[..., object]:
        ROWS.append(name)
        return test

    return mark


@dataclass
class Before:
    """A folder as it was: each file's bytes and the listing."""

    folder: Path
    listing: list[str]
    hashes: dict[str, str]

    @classmethod
    def of(cls, folder: Path) -> Before:
        names = sorted(p.name for p in folder.iterdir())
        hashes = {n: sha256(folder / n) for n in names if (folder / n).is_file()}
        return cls(folder, names, hashes)

    def unchanged(self) -> None:
        assert sorted(p.name for p in self.folder.iterdir()) == self.listing
        for name, digest in self.hashes.items():
            assert sha256(self.folder / name) == digest, f"{name} changed"


def one_line(result: Result, pattern: str) -> str:
    """Exit 2, nothing on stdout, and exactly one stderr line matching ``pattern``."""
    assert result.code == 2, result
    assert result.out == ""
    assert "Traceback" not in result.err
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert re.fullmatch(pattern, lines[0]), lines[0]
    return lines[0]


def q(path: object) -> str:
    return re.escape(str(path))


# ------------------------------------------------------------ project files


@row("not SQLite")
def test_a_file_that_is_not_sqlite(cli: Runner, tmp_path: Path) -> None:
    bad = tmp_path / "notes.sqlite"
    bad.write_text("name = 'a note, not a project'\n", encoding="utf-8")
    before = Before.of(tmp_path)
    result = cli("tick", bad, "testing.edge-cases", "--status", "done")
    one_line(
        result, rf"workbench: {q(bad)}: not a workbench project \(it is not a SQLite database\)"
    )
    before.unchanged()


@row("empty file")
def test_an_empty_file(cli: Runner, tmp_path: Path) -> None:
    bad = tmp_path / "empty.sqlite"
    bad.write_bytes(b"")
    before = Before.of(tmp_path)
    one_line(
        cli("status", bad), rf"workbench: {q(bad)}: the file is empty, not a workbench project"
    )
    before.unchanged()


DAMAGED = r"the project file is damaged \(.+\); restore a backup with: workbench restore"


@row("truncated or corrupted")
@pytest.mark.parametrize("damage", ["truncated", "a page overwritten"])
def test_a_truncated_or_corrupted_file(cli: Runner, project: Path, damage: str) -> None:
    data = project.read_bytes()
    if damage == "truncated":
        project.write_bytes(data[: PAGE * 2])
    else:
        middle = len(data) // PAGE // 2 * PAGE
        project.write_bytes(data[:middle] + b"\xff" * PAGE + data[middle + PAGE :])
    before = Before.of(project.parent)
    result = cli("tick", project, "testing.edge-cases", "--status", "done")
    one_line(result, rf"workbench: {q(project)}: {DAMAGED}")
    before.unchanged()


@row("newer version")
def test_a_file_from_a_newer_version(cli: Runner, project: Path) -> None:
    conn = sqlite3.connect(project)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    before = Before.of(project.parent)
    one_line(
        cli("measure", project, "accuracy", "93%"),
        rf"workbench: {q(project)}: written by a newer workbench \(file schema 99, this version "
        rf"reads up to {SCHEMA_VERSION}\); upgrade workbench to open it",
    )
    before.unchanged()


@row("another application's SQLite")
def test_a_sqlite_file_of_another_application(cli: Runner, tmp_path: Path) -> None:
    other = tmp_path / "browser-history.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE items (id TEXT PRIMARY KEY, status TEXT)")
    conn.commit()
    conn.close()
    before = Before.of(tmp_path)
    one_line(
        cli("undo", other),
        rf"workbench: {q(other)}: a SQLite database of another application, "
        "not a workbench project",
    )
    before.unchanged()


@row("missing path")
def test_a_missing_path(cli: Runner, tmp_path: Path) -> None:
    missing = tmp_path / "nope.sqlite"
    before = Before.of(tmp_path)
    one_line(
        cli("status", missing),
        rf"workbench: {q(missing)}: no such project file "
        rf"\(create one with: workbench new {q(missing)} --name NAME\)",
    )
    before.unchanged()


@row("stored value that does not load")
@pytest.mark.parametrize(
    ("sql", "record", "detail"),
    [
        (
            "UPDATE thresholds SET name = '" + "N" * 600 + "' WHERE metric = 'accuracy'",
            "threshold accuracy",
            r"name: String should have at most 200 characters",
        ),
        ("UPDATE runs SET details = '{not json'", "run 1", r"details: not valid JSON"),
    ],
    ids=["threshold-name", "run-details"],
)
def test_a_stored_value_that_does_not_load(
    cli: Runner, project: Path, sql: str, record: str, detail: str
) -> None:
    assert cli("import-results", project, DATA / "results.csv").code == 0
    conn = sqlite3.connect(project)  # (edited by hand, as an older version might have left it)
    conn.execute(sql)
    conn.commit()
    conn.close()
    before = Before.of(project.parent)
    for command in ("status", "check", "runs", "export"):
        one_line(
            cli(command, project),
            rf"workbench: {q(project)}: the project file holds an invalid value in {record} "
            rf"\({detail}\); undo the edit that wrote it, or restore a backup",
        )
    before.unchanged()


# --------------------------------------------------------- read-only places


@dataclass
class NoWrites:
    """How this machine can make a file or folder one the CLI may not write."""

    how: str  # "chmod" (not root), "setpriv" (root, run as nobody) or "chattr" (immutable)
    folder: Path

    def run(self, *args: object) -> Result:
        command = [sys.executable, "-m", "workbench", *map(str, args)]
        if self.how == "setpriv":
            command = NOBODY + command
        env = {**os.environ, "WORKBENCH_USER": "tester", "HOME": str(self.folder)}
        env.pop("WORKBENCH_DEBUG", None)
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=60, check=False, env=env
        )
        return Result(done.returncode, done.stdout, done.stderr)

    @contextlib.contextmanager
    def read_only(self, path: Path) -> Iterator[None]:
        mode = path.stat().st_mode & 0o777
        if self.how == "chattr":
            subprocess.run(["chattr", "+i", str(path)], check=True)
        else:
            path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            if self.how == "chattr":
                subprocess.run(["chattr", "-i", str(path)], check=True)
            path.chmod(mode)


def _works(command: list[str]) -> bool:
    try:
        return subprocess.run(command, capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@pytest.fixture
def no_writes() -> Iterator[NoWrites]:
    folder = Path(tempfile.mkdtemp(prefix="workbench-readonly-"))
    folder.chmod(0o777)  # nobody may write here until a test says otherwise
    try:
        if os.geteuid() != 0:
            yield NoWrites("chmod", folder)
            return
        probe = folder / "probe"
        probe.mkdir(mode=0o555)
        denied = shutil.which("setpriv") and not _works([*NOBODY, "touch", str(probe / "x")])
        if denied and _works([*NOBODY, sys.executable, "-c", "import workbench.cli"]):
            yield NoWrites("setpriv", folder)
            return
        target = folder / "immutable"
        target.write_text("x", encoding="utf-8")
        if shutil.which("chattr") and _works(["chattr", "+i", str(target)]):
            stopped = not _works(["sh", "-c", f"echo y > {target}"])
            subprocess.run(["chattr", "-i", str(target)], check=False)
            if stopped:
                yield NoWrites("chattr", folder)
                return
        pytest.skip(
            "running as root, and neither `setpriv` (to run as nobody) nor `chattr +i` "
            "(immutable files) can stop a write here"
        )
    finally:
        with contextlib.suppress(OSError):
            subprocess.run(["chattr", "-R", "-i", str(folder)], capture_output=True, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def project_in(folder: Path) -> Path:
    path = folder / "demo.sqlite"
    operations.create_project(path, name="Demo", risk="medium", by="creator").close()
    path.chmod(0o666)
    return path


READ_ONLY = r"read-only, nothing was saved \(check the file's and folder's permissions\)"
# (Where the file is writable but its folder is not, SQLite may say it cannot open its journal.)
NO_FOLDER = r"cannot write here \(.+\); check the folder's permissions and free space"


@row("read-only file")
def test_a_read_only_file(no_writes: NoWrites) -> None:
    print(f"writes are stopped by: {no_writes.how}")
    project = project_in(no_writes.folder)
    before = Before.of(no_writes.folder)
    with no_writes.read_only(project):
        for args in (
            ["tick", project, "testing.edge-cases", "--status", "done"],
            ["decide", project, "--title", "T", "--decision", "D", "--rationale", "R"],
            ["import-results", project, DATA / "results.csv"],
        ):
            one_line(no_writes.run(*args), rf"workbench: {q(project)}: {READ_ONLY}")
        # Reading still works.
        assert no_writes.run("status", project).code == 0
    before.unchanged()


@row("read-only folder")
def test_a_read_only_folder(no_writes: NoWrites) -> None:
    project = project_in(no_writes.folder)
    folder = no_writes.folder
    before = Before.of(folder)
    with no_writes.read_only(folder):
        for args in (
            ["tick", project, "testing.edge-cases", "--status", "done"],
            ["import-results", project, DATA / "results.csv"],
        ):
            one_line(no_writes.run(*args), rf"workbench: {q(project)}: ({READ_ONLY}|{NO_FOLDER})")
        one_line(
            no_writes.run("new", folder / "new.sqlite", "--name", "New"),
            rf"workbench: {q(folder / 'new.sqlite')}: {NO_FOLDER}",
        )
        one_line(
            no_writes.run("export", project, "--output-dir", folder),
            rf"workbench: {q(folder)}: cannot write here \(.+\)",
        )
        assert no_writes.run("status", project).code == 0
    before.unchanged()


@row("file name too long")
def test_a_file_name_too_long(cli: Runner, tmp_path: Path) -> None:
    path = tmp_path / ("a" * 250)
    before = Before.of(tmp_path)
    one_line(
        cli("new", path, "--name", "N"),
        r"workbench: a{40}…: the file name is too long \(250 bytes; at most 238\); "
        "choose a shorter name",
    )
    before.unchanged()


# ----------------------------------------------------------- TOML files


@pytest.fixture
def bad_toml(tmp_path: Path) -> Callable[[str, str], Path]:
    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@row("template: TOML syntax")
def test_a_template_with_a_syntax_error(
    cli: Runner, tmp_path: Path, bad_toml: Callable[[str, str], Path]
) -> None:
    template = bad_toml("mine.toml", "id = 'mine'\n[[sections]\n")
    before = Before.of(tmp_path)
    one_line(
        cli("new", tmp_path / "p.sqlite", "--name", "P", "--checklist", template),
        rf"workbench: {q(template)}: not valid TOML: .+ \(at line 2, column \d+\)",
    )
    before.unchanged()


@row("template: wrong type")
def test_a_template_with_a_wrong_type(
    cli: Runner, tmp_path: Path, bad_toml: Callable[[str, str], Path]
) -> None:
    text = TEMPLATE_PATH.read_text(encoding="utf-8")
    text = re.sub(r"min_test_cases = \d+", 'min_test_cases = "many"', text, count=1)
    template = bad_toml("mine.toml", text)
    before = Before.of(tmp_path)
    one_line(
        cli("new", tmp_path / "p.sqlite", "--name", "P", "--checklist", template),
        rf"workbench: {q(template)}: risk_levels\[1\]\.min_test_cases: "
        "Input should be a valid integer.*",
    )
    before.unchanged()


@row("project TOML: syntax")
def test_a_project_toml_with_a_syntax_error(
    cli: Runner, tmp_path: Path, bad_toml: Callable[[str, str], Path]
) -> None:
    source = bad_toml("export.toml", '[project]\nname = "Demo\n')
    before = Before.of(tmp_path)
    one_line(
        cli("new", tmp_path / "p.sqlite", "--from", source),
        rf"workbench: {q(source)}: not valid TOML: .+ \(at line 2, column \d+\)",
    )
    before.unchanged()


@row("project TOML: wrong type or value")
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[project]\nname = 5\n", r"project\.name: Input should be a valid string"),
        (
            '[project]\nname = "P"\n[dataset]\nplanned_size = 100000000000000000000\n',
            r"dataset\.planned_size: Input should be less than or equal to 1000000000000",
        ),
        (
            '[project]\nname = "P"\n[[thresholds]]\nmetric = "accuracy"\nname = "A"\n'
            'target = 1.5\nunit = "rate"\n',
            r"thresholds\[1\]: the target of accuracy is a rate and must be between 0 and 1 "
            r"\(0% to 100%\), not 1\.5",
        ),
    ],
    ids=["type", "too-large", "out-of-range"],
)
def test_a_project_toml_with_a_wrong_value(
    cli: Runner,
    tmp_path: Path,
    bad_toml: Callable[[str, str], Path],
    text: str,
    message: str,
) -> None:
    source = bad_toml("export.toml", text)
    before = Before.of(tmp_path)
    one_line(
        cli("new", tmp_path / "p.sqlite", "--from", source), rf"workbench: {q(source)}: {message}"
    )
    before.unchanged()


@row("TOML: too large or too deep")
@pytest.mark.parametrize(
    ("flag", "text", "message"),
    [
        (
            "--checklist",
            "# padding\n" * 210_000,
            r"too large \(2\.0 MB; at most 1 MB\)",
        ),
        (
            "--from",
            "a = " + "[" * 100_000 + "]" * 100_000 + "\n",
            r"line 1: nested more than 32 levels deep \(\[ \] or \{ \}\); a template or project "
            "needs a few",
        ),
        (
            "--checklist",
            # (10,000 parts: should the check go, tomllib takes 0.2 GB here, not 24 GB;
            # test_hostile_input.py has the 100,000 parts, in a process with a memory limit)
            "id = 'x'\n" + ".".join(["k"] * 10_000) + " = 1\n",
            r"line 2: a key of 10000 dotted parts \(at most 8\)",
        ),
    ],
    ids=["too-large", "too-deep", "dotted-key"],
)
def test_a_toml_file_too_large_or_too_deep(
    cli: Runner,
    tmp_path: Path,
    bad_toml: Callable[[str, str], Path],
    flag: str,
    text: str,
    message: str,
) -> None:
    source = bad_toml("hostile.toml", text)
    before = Before.of(tmp_path)
    name = ["--name", "P"] if flag == "--checklist" else []
    one_line(
        cli("new", tmp_path / "p.sqlite", *name, flag, source),
        rf"workbench: {q(source)}: {message}",
    )
    before.unchanged()


# ---------------------------------------------------------- results files


@row("results: bad rows")
def test_a_results_file_with_bad_rows(cli: Runner, project: Path) -> None:
    source = DATA / "results_bad_rows.csv"
    before = Before.of(project.parent)
    result = cli("import-results", project, source)
    assert result.code == 2 and result.out == "" and "Traceback" not in result.err
    first, *details = result.err.splitlines()
    assert first == (
        f"workbench: 6 bad row(s) in {source.name}; nothing imported "
        "(fix them, or import the good rows with --skip-bad)"
    )
    assert len(details) == 6
    for line in details:
        assert re.fullmatch(r"  line \d+: .+", line), line
    assert (
        details[0]
        == "  line 3: correct: 'maybe' is not true/false (use true, false, 1, 0, yes or no)"
    )
    before.unchanged()


@row("results: wrong encoding")
def test_a_results_file_in_the_wrong_encoding(cli: Runner, project: Path) -> None:
    source = DATA / "results_latin1.csv"
    before = Before.of(project.parent)
    one_line(
        cli("import-results", project, source),
        rf"workbench: {q(source)}: not UTF-8 text "
        r"\(line \d+: byte 0x[0-9A-F]{2} at offset \d+\); save it as UTF-8 \(in Excel: CSV UTF-8\)",
    )
    before.unchanged()


@row("results: not a regular file")
def test_a_results_file_that_is_not_a_regular_file(cli: Runner, project: Path) -> None:
    before = Before.of(project.parent)
    one_line(
        cli("import-results", project, "/dev/null"),
        r"workbench: /dev/null: not a regular file \(a device\); give a results file "
        r"\(CSV, JSONL, or a tool's output\)",
    )
    before.unchanged()


@row("results: file name not UTF-8")
def test_a_results_file_name_not_utf8(cli: Runner, project: Path, tmp_path: Path) -> None:
    folder = tmp_path / "results"
    folder.mkdir()
    raw = os.path.join(os.fsencode(folder), b"results-\xff.csv")
    with open(raw, "wb") as out:
        out.write((DATA / "results.csv").read_bytes())
    before = Before.of(project.parent)
    one_line(
        cli("import-results", project, os.fsdecode(raw)),
        rf"workbench: {q(folder)}/results-\\xff\.csv: the file's name is not UTF-8 text "
        r"\(byte 0xFF\); rename the file and import it again",
    )
    before.unchanged()


def _promptfoo_with(text: str, before: str, insert: str) -> tuple[str, int]:
    at = text.index(before)
    return text[:at] + insert + text[at:], text[:at].count("\n") + 1


@row("results: JSON that cannot be read")
@pytest.mark.parametrize("problem", ["long-number", "lone-surrogate", "too-deep"])
def test_results_json_that_cannot_be_read(
    cli: Runner, project: Path, tmp_path: Path, problem: str
) -> None:
    text = (DATA / "promptfoo" / "single.json").read_text(encoding="utf-8")
    if problem == "long-number":
        text, line = _promptfoo_with(text, '"latencyMs"', '"n": ' + "7" * 5000 + ", ")
        message = r"a number of 5000 digits \(at most 4300\)"
    elif problem == "lone-surrogate":
        text, line = _promptfoo_with(text, '"latencyMs"', '"note": "\\udc00", ')
        message = r"\\udc00 is half of a UTF-16 surrogate pair, not a character "
        message += r"\(fix what wrote the file\)"
    else:
        deep = "[" * 100_000 + "]" * 100_000
        text, line = _promptfoo_with(text, '"latencyMs"', f'"deep": {deep}, ')
        message = r"nested too deeply to read \(100004 levels of \[ \] or \{ \}\)"
    source = tmp_path / "promptfoo.json"
    source.write_text(text, encoding="utf-8")
    before = Before.of(project.parent)
    one_line(
        cli("import-results", project, source),
        rf"workbench: promptfoo\.json: line {line}: {message}",
    )
    before.unchanged()


@row("run label too long")
def test_a_run_label_too_long(cli: Runner, project: Path) -> None:
    before = Before.of(project.parent)
    one_line(
        cli("import-results", project, DATA / "results.csv", "--label", "L" * 600),
        r"workbench: label: at most 200 characters \(this one has 600\)",
    )
    before.unchanged()


# ------------------------------------------------------------- typed values


@row("value out of range: command line")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["measure", "{p}", "accuracy", "120%"],
            r"the measured value of accuracy is a rate and must be between 0 and 1 "
            r"\(0% to 100%\), not 1\.2",
        ),
        (["measure", "{p}", "accuracy", "ninety"], r"accuracy: 'ninety' is not a number.*"),
        (
            ["new", "{d}/long.sqlite", "--name", "x" * 201],
            r"name: String should have at most 200 characters",
        ),
        (
            ["measure", "{p}", "response_time", "1e308"],
            r"the measured value of response_time must be at most 1000000000000 seconds, "
            r"not 1e\+308",
        ),
    ],
    ids=["rate-above-100%", "not-a-number", "name-too-long", "seconds-1e308"],
)
def test_a_value_out_of_range_on_the_command_line(
    cli: Runner, project: Path, args: list[str], message: str
) -> None:
    before = Before.of(project.parent)
    args = [a.format(p=project, d=project.parent) for a in args]
    one_line(cli(*args), rf"workbench: {message}")
    before.unchanged()


@row("number too large: command line")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["compare", "{p}", "99999999999999999999", "1"],
            r"argument RUN_A: '99999999999999999999' is too large \(at most 1000000000000\) "
            r"\(see: workbench compare --help\)",
        ),
        (
            ["history", "{p}", "--limit", "18446744073709551616"],
            r"argument --limit: '18446744073709551616' is too large \(at most 1000000000000\) "
            r"\(see: workbench history --help\)",
        ),
        (
            ["sizing", "--target", "0.9999999999999999"],
            r"--target 0\.9999999999999999: showing it takes 26983157501759035 cases, more than "
            r"the 1000000000000 a project counts; choose a lower target",
        ),
    ],
    ids=["run-id", "history-limit", "sizing-target"],
)
def test_a_number_too_large_on_the_command_line(
    cli: Runner, project: Path, args: list[str], message: str
) -> None:
    before = Before.of(project.parent)
    one_line(cli(*[a.format(p=project) for a in args]), rf"workbench: {message}")
    before.unchanged()


@row("value out of range: in the UI")
@pytest.mark.parametrize(
    ("keys", "typed", "message"),
    [
        (
            ["4", "m"],
            "120%",
            r"Not saved: the measured value of accuracy is a rate and must be between 0 and 1 "
            r"\(0% to 100%\), not 1\.2",
        ),
        (
            ["5", "s"],
            "100000000000000000000",
            r"Not saved: planned_size: Input should be less than or equal to 1000000000000",
        ),
    ],
    ids=["rate-above-100%", "too-many-test-cases"],
)
async def test_a_value_out_of_range_typed_in_the_ui(
    project: Path, tmp_path: Path, keys: list[str], typed: str, message: str
) -> None:
    from textual.widgets import Label

    from workbench.ui.app import WorkbenchApp
    from workbench.ui.dialogs.form import FormDialog

    before = Before.of(project.parent)
    app = WorkbenchApp(
        project,
        editor="tester",
        config_file=tmp_path / "config.toml",
        poll_seconds=0,
        build_ahead=False,
    )

    async def settled() -> None:
        while app.reading:
            await asyncio.sleep(0.005)
        await app.workers.wait_for_complete()

    async with app.run_test(size=(120, 36)) as pilot:
        for key in keys:
            await settled()
            await pilot.press(key)
            await pilot.pause()
        assert isinstance(app.screen, FormDialog)
        await pilot.press("ctrl+a", "ctrl+k", *typed, "ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormDialog)  # the dialog stays open, with the reason
        shown = str(app.screen.query_one("#dialog-error", Label).render())
        assert "\n" not in shown.strip()
        assert re.fullmatch(message, shown.strip()), shown
        await pilot.press("escape")
        await settled()
        await pilot.pause()
        assert app.is_running
    before.unchanged()


@row("restore while another writes")
def test_a_restore_while_another_process_writes(
    cli: Runner, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbench import store as store_module

    kept = cli("backup", project).out.removeprefix("Backup written to ").strip()
    before = Before.of(project.parent)
    writing = sqlite3.connect(project)  # another workbench, inside its write
    writing.execute("BEGIN IMMEDIATE")
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.1)
    try:
        result = cli("restore", project, kept)
    finally:
        writing.rollback()
        writing.close()
    one_line(
        result,
        rf"workbench: {q(project)}: busy: another workbench is writing to it; nothing was "
        "restored; try again when it has finished",
    )
    before.unchanged()


@row("file replaced or deleted while open")
def test_a_file_replaced_or_deleted_while_a_command_has_it_open(cli: Runner, project: Path) -> None:
    from workbench.errors import ProjectFileError
    from workbench.store import Store

    kept = cli("backup", project).out.removeprefix("Backup written to ").strip()
    with Store.open(project) as writer:
        assert cli("restore", project, kept).code == 0
        before = Before.of(project.parent)
        with pytest.raises(ProjectFileError) as replaced:
            operations.tick(writer, ITEM, "done", "ana")
        before.unchanged()
    assert re.fullmatch(
        rf"{q(project)}: the project file was replaced \(restored from a backup\?\) while it "
        "was open; nothing was saved: open it again and redo the edit",
        str(replaced.value),
    )
    with Store.open(project) as writer:
        project.unlink()
        with pytest.raises(ProjectFileError) as deleted:
            operations.tick(writer, ITEM, "done", "ana")
    assert str(deleted.value) == (
        f"{project}: the project file was deleted or moved while it was open; nothing was "
        "saved (restore it with: workbench restore)"
    )
    assert not project.exists()


@row("disk full")
def test_a_write_on_a_full_disk(cli: Runner, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", "512k") as where:
        path = where / "demo.sqlite"
        operations.create_project(path, name="Full", risk="low", by="creator").close()
        (where / "filler").write_bytes(b"\0" * 200 * 1024)
        results = tmp_path / "results.csv"
        lines = ["id,category,correct,output"]
        lines += [f"case-{n},billing,true,{'an answer ' * 4}" for n in range(20_000)]
        results.write_text("\n".join(lines) + "\n", encoding="utf-8")
        before = Before.of(where)
        one_line(
            cli("import-results", path, results),
            rf"workbench: {q(path)}: the disk is full; nothing was saved \(free some space "
            r"and try again\)",
        )
        before.unchanged()


@row("output is not a regular file")
def test_an_output_that_is_not_a_regular_file(project: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    before = Before.of(tmp_path)
    run = subprocess.run(  # (a process of its own: a regression would wait for ever)
        [sys.executable, "-m", "workbench", "export", str(project), "-o", str(fifo)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    one_line(
        Result(run.returncode, run.stdout, run.stderr),
        rf"workbench: {q(fifo)}: is a named pipe, not a regular file; give a file name",
    )
    before.unchanged()


@row("undo of someone else's edit")
def test_an_undo_of_someone_elses_edit(cli: Runner, project: Path) -> None:
    assert cli("tick", project, ITEM, "--status", "done", "--by", "ana").code == 0
    before = Before.of(project.parent)
    one_line(
        cli("undo", project, "--by", "ben"),
        rf"workbench: nothing of yours \(ben\) to undo; the last edit is ana's: {ITEM} → done "
        r"\(to undo it: undo --theirs\)",
    )
    before.unchanged()


def test_every_row_of_the_table_has_its_test() -> None:
    """The README's table and docs/bad-input.md list exactly the rows tested here."""
    root = Path(__file__).resolve().parent.parent
    for doc in (root / "README.md", root / "docs" / "bad-input.md"):
        text = doc.read_text(encoding="utf-8")
        if doc.name == "README.md":
            text = text.split("## When something is wrong", 1)[1].split("\n## ", 1)[0]
        section = text.split("\n| ", 1)[1].split("\n\n", 1)[0]  # the first table
        table = ("| " + section).splitlines()
        named = [line.split("|")[1].strip().strip("*") for line in table[1:]]
        named = [n for n in named if n and not set(n) <= {"-", " "}]
        assert named[: len(ROWS)] == ROWS, doc.name
        assert len(named) == len(ROWS), doc.name
