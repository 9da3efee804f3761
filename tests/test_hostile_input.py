"""Hostile input: no crash on any of it, parsing that stays bounded, and a CLI that shows
control characters instead of obeying them.

Each case was found by trying the product: it used to end in exit 70 ("internal
error"), ran out of memory, or let a value rewrite the terminal. Now each is refused with
one line and exit 2 (the project file's bytes unchanged), or read and shown safely.
The rows of the bad-input table have their tests in test_bad_input_table.py; these are
the rest, and the variants of those rows.
"""

from __future__ import annotations

import json
import os
import re
import resource
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from core_support import TEMPLATE_PATH, Result, Runner, sha256

DATA = Path(__file__).resolve().parent / "data"
ESC = "\x1b"


def one_line(result: Result, pattern: str) -> str:
    """Exit 2, nothing on stdout, one stderr line matching ``pattern``, no traceback."""
    assert result.code == 2, result
    assert result.out == ""
    assert "Traceback" not in result.err
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert re.fullmatch(pattern, lines[0]), lines[0]
    return lines[0]


def bad_rows(result: Result, name: str, reason: str) -> None:
    """The bad-rows refusal: exit 2, its first line, and one indented line for the row."""
    assert result.code == 2, result
    assert result.out == "" and "Traceback" not in result.err
    first, *details = result.err.splitlines()
    assert first == (
        f"workbench: 1 bad row(s) in {name}; nothing imported "
        "(fix them, or import the good rows with --skip-bad)"
    )
    assert len(details) == 1, details
    assert re.fullmatch(rf"  line 1: {reason}", details[0]), details[0]


def unchanged(project: Path, digest: str) -> None:
    assert sha256(project) == digest
    assert sorted(p.name for p in project.parent.iterdir() if p.name.startswith(project.name)) == [
        project.name
    ]


# ------------------------------------------------------------ numbers on the command line

DECIDE = ["decide", "{p}", "--title", "T", "--decision", "D", "--rationale", "R"]


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (
            ["compare", "{p}", "99999999999999999999", "1"],
            r"argument RUN_A: '99999999999999999999' is too large \(at most 1000000000000\) "
            r"\(see: workbench compare --help\)",
        ),
        (
            ["history", "{p}", "--limit", str(2**64)],
            rf"argument --limit: '{2**64}' is too large \(at most 1000000000000\) "
            r"\(see: workbench history --help\)",
        ),
        (
            ["measure", "{p}", "accuracy", "0.9", "--n", "1" + "0" * 30],
            r"argument --n: '10{30}' is too large \(at most 1000000000000\) .*",
        ),
        (
            [*DECIDE, "--supersedes", "9" * 5000],
            r"argument --supersedes: '9{40}'… \(5000 characters\) is not a whole number .*",
        ),
    ],
    ids=["compare-run-id", "history-limit", "measure-n", "supersedes-5000-digits"],
)
def test_a_whole_number_too_large_is_refused(
    cli: Runner, project: Path, args: list[str], pattern: str
) -> None:
    digest = sha256(project)
    one_line(cli(*[a.format(p=project) for a in args]), rf"workbench: {pattern}")
    unchanged(project, digest)


def test_sizing_refuses_a_target_no_project_could_show(cli: Runner) -> None:
    one_line(
        cli("sizing", "--target", "0.9999999999999999"),
        r"workbench: --target 0\.9999999999999999: showing it takes 26983157501759035 cases, "
        r"more than the 1000000000000 a project counts; choose a lower target",
    )
    one_line(
        cli("sizing", "--target", "0.9", "--expected", "0.9000000000001"),
        r"workbench: --expected 0\.9000000000001: showing it takes more than the "
        r"1000000000000 cases a project counts; expect a rate further from the target",
    )
    done = cli("sizing", "--target", "0.999999")  # large, but countable
    assert done.code == 0 and "2995731 cases" in done.out


@pytest.mark.parametrize(
    ("metric", "value", "pattern"),
    [
        (
            "response_time",
            "1e308",
            r"the measured value of response_time must be at most 1000000000000 seconds, "
            r"not 1e\+308",
        ),
        (
            "response_time",
            "1e13s",
            r"the measured value of response_time must be at most 1000000000000 seconds, "
            r"not 1e\+13",
        ),
    ],
    ids=["1e308", "1e13s"],
)
def test_a_measured_value_beyond_its_unit_is_refused(
    cli: Runner, project: Path, metric: str, value: str, pattern: str
) -> None:
    digest = sha256(project)
    one_line(cli("measure", project, metric, value), rf"workbench: {pattern}")
    unchanged(project, digest)
    assert cli("measure", project, metric, "86400s").code == 0  # a day is a value


# ------------------------------------------------------------------- TOML files


def _new(cli: Runner, tmp_path: Path, *args: object) -> Result:
    return cli("new", tmp_path / "p.sqlite", *args)


def _no_project(tmp_path: Path) -> None:
    assert not any(p.name.startswith("p.sqlite") for p in tmp_path.iterdir())


def test_a_template_with_a_byte_order_mark_is_read(cli: Runner, tmp_path: Path) -> None:
    template = tmp_path / "bom.toml"
    template.write_bytes(b"\xef\xbb\xbf" + TEMPLATE_PATH.read_bytes())
    done = _new(cli, tmp_path, "--name", "P", "--checklist", template)
    assert done.code == 0, done.err


def test_a_project_toml_with_a_byte_order_mark_is_read(cli: Runner, tmp_path: Path) -> None:
    source = tmp_path / "export.toml"
    source.write_bytes(b"\xef\xbb\xbf" + b'[project]\nname = "From a BOM"\n')
    done = _new(cli, tmp_path, "--from", source)
    assert done.code == 0, done.err
    assert "From a BOM" in done.out


def _bounded(command: list[str], seconds: float = 5.0, megabytes: int = 1024) -> Result:
    """Run the CLI in a child with a memory ceiling: a refusal must come quickly and small."""
    limit = megabytes * 1024 * 1024

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = {**os.environ, "WORKBENCH_USER": "tester"}
    env.pop("WORKBENCH_DEBUG", None)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "workbench", *command],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
        preexec_fn=cap,
    )
    elapsed = time.perf_counter() - start
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    return Result(done.returncode, done.stdout, done.stderr)


@pytest.mark.parametrize("flag", ["--checklist", "--from"])
@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (
            "a = " + "[" * 100_000 + "]" * 100_000 + "\n",
            r"line 1: nested more than 32 levels deep \(\[ \] or \{ \}\); a template or project "
            r"needs a few",
        ),
        (
            "a = " + "{b = " * 50_000 + "1" + "}" * 50_000 + "\n",
            r"line 1: nested more than 32 levels deep .*",
        ),
        (
            "# a comment\n" + ".".join(["k"] * 100_000) + " = 1\n",
            r"line 2: a key of 100000 dotted parts \(at most 8\)",
        ),
        (
            "[" + ".".join(['"k"'] * 60_000) + "]\n",
            r"line 1: a key of 60000 dotted parts \(at most 8\)",
        ),
    ],
    ids=["deep-arrays", "deep-inline-tables", "dotted-key", "dotted-table-header"],
)
def test_a_toml_file_that_would_exhaust_the_parser_is_refused_first(
    tmp_path: Path, flag: str, text: str, pattern: str
) -> None:
    source = tmp_path / "hostile.toml"
    source.write_text(text, encoding="utf-8")
    args = ["--name", "P"] if flag == "--checklist" else []
    result = _bounded(["new", str(tmp_path / "p.sqlite"), *args, flag, str(source)])
    one_line(result, rf"workbench: {re.escape(str(source))}: {pattern}")
    _no_project(tmp_path)


@pytest.mark.parametrize(
    ("flag", "limit"), [("--checklist", "1 MB"), ("--from", "16 MB")], ids=["template", "project"]
)
def test_a_toml_file_too_large_is_refused_unread(tmp_path: Path, flag: str, limit: str) -> None:
    source = tmp_path / "big.toml"
    size = 17 * 1024 * 1024 if flag == "--from" else 2 * 1024 * 1024
    with source.open("w", encoding="utf-8") as out:
        out.write('[project]\nname = "Big"\nnotes = """\n')
        out.write(("x" * 99 + "\n") * (size // 100))
        out.write('"""\n')
    args = ["--name", "P"] if flag == "--checklist" else []
    result = _bounded(["new", str(tmp_path / "p.sqlite"), *args, flag, str(source)], megabytes=512)
    one_line(
        result,
        rf"workbench: {re.escape(str(source))}: too large \(\d+\.\d MB; at most {limit}\)",
    )
    _no_project(tmp_path)


def test_toml_strings_and_comments_may_hold_brackets_and_dots(cli: Runner, tmp_path: Path) -> None:
    """The pre-scan skips strings and comments: a value full of brackets or dots is fine."""
    text = TEMPLATE_PATH.read_text(encoding="utf-8")
    text = text.replace(
        "\n[[sections]]",
        "\n# " + "[" * 200 + " a.b.c." * 50 + "\n[[sections]]",
        1,
    )
    text = re.sub(
        r'description = "([^"]*)"',
        lambda m: 'description = "' + "[{" * 100 + "." * 100 + m.group(1) + '"',
        text,
        count=1,
    )
    template = tmp_path / "mine.toml"
    template.write_text(text, encoding="utf-8")
    done = _new(cli, tmp_path, "--name", "P", "--checklist", template)
    assert done.code == 0, done.err


def test_a_toml_nested_just_below_the_limit_is_read(cli: Runner, tmp_path: Path) -> None:
    source = tmp_path / "export.toml"
    deep = "[" * 30 + "]" * 30
    source.write_text(f'[project]\nname = "P"\n[workshop]\nattendees = {deep}\n', "utf-8")
    result = _new(cli, tmp_path, "--from", source)
    # (accepted by the pre-scan: the refusal is the model's, naming the field)
    one_line(result, rf"workbench: {re.escape(str(source))}: workshop\.attendees\[1\]: .+")


# ---------------------------------------------------------------- results files


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"id": "a", "correct": "true", "output": "\\ud800"}', "surrogate"),
        ('{"id": "a", "correct": true, "scores": {"\\udfff": 1}}', "surrogate"),
        ('{"id": "a", "correct": true, "\\ud800": 1}', "surrogate"),
        ('{"id": "\\ud83d", "correct": "yes"}', "surrogate"),
    ],
    ids=["output", "score-name", "unused-key", "half-an-emoji"],
)
def test_a_jsonl_line_with_a_lone_surrogate_is_a_bad_row(
    cli: Runner, project: Path, tmp_path: Path, line: str, reason: str
) -> None:
    source = _write(tmp_path / "surrogates.jsonl", line + "\n")
    digest = sha256(project)
    bad_rows(
        cli("import-results", project, source),
        source.name,
        r"\\u[dD][89a-fA-F][0-9a-fA-F]{2} is half of a UTF-16 surrogate pair, not a character "
        r"\(fix what wrote the file\)",
    )
    unchanged(project, digest)


def test_escaped_pairs_and_escaped_backslashes_are_not_surrogates(
    cli: Runner, project: Path, tmp_path: Path
) -> None:
    lines = [
        '{"id": "emoji", "correct": true, "output": "\\ud83d\\ude00"}',
        '{"id": "literal", "correct": true, "output": "\\\\ud800 is how JSON writes it"}',
    ]
    source = _write(tmp_path / "fine.jsonl", "\n".join(lines) + "\n")
    done = cli("import-results", project, source)
    assert done.code == 0, done.err


def test_a_promptfoo_document_with_a_lone_surrogate_is_refused(
    cli: Runner, project: Path, tmp_path: Path
) -> None:
    text = (DATA / "promptfoo" / "single.json").read_text(encoding="utf-8")
    text = text.replace('"latencyMs"', '"note": "\\udc00", "latencyMs"', 1)
    source = _write(tmp_path / "promptfoo.json", text)
    line = text[: text.index("\\udc00")].count("\n") + 1
    digest = sha256(project)
    one_line(
        cli("import-results", project, source),
        rf"workbench: promptfoo\.json: line {line}: \\udc00 is half of a UTF-16 surrogate pair, "
        r"not a character \(fix what wrote the file\)",
    )
    unchanged(project, digest)


def test_a_number_of_5000_digits_is_refused(cli: Runner, project: Path, tmp_path: Path) -> None:
    text = (DATA / "promptfoo" / "single.json").read_text(encoding="utf-8")
    at = text.index('"latencyMs": ') + len('"latencyMs": ')
    text = text[:at] + "7" * 5000 + text[at:].lstrip("0123456789")
    line = text[:at].count("\n") + 1
    source = _write(tmp_path / "promptfoo.json", text)
    digest = sha256(project)
    one_line(
        cli("import-results", project, source),
        rf"workbench: promptfoo\.json: line {line}: a number of 5000 digits "
        r"\(at most 4300\)",
    )
    unchanged(project, digest)
    jsonl = _write(
        tmp_path / "long.jsonl",
        '{"id": "a", "latency_ms": ' + "9" * 5000 + '}\n{"id": "b", "correct": true}\n',
    )
    bad_rows(cli("import-results", project, jsonl), jsonl.name, r"a number of 5000 digits .+")
    unchanged(project, digest)


@pytest.mark.parametrize(
    "line",
    [
        '{"id": "a", "correct": true, "epoch": ' + "9" * 40 + "}",
        '{"id": "a", "correct": true, "latency_s": 1' + "0" * 400 + "}",
        '{"id": "a", "correct": true, "scores": {"f1": 1' + "0" * 400 + "}}",
        '{"id": "a", "correct": true, "scores": {"f1": 1e15}}',
        '{"id": "a", "correct": true, "latency_ms": 1e16}',
    ],
    ids=["epoch", "latency", "score", "score-1e15", "latency-1e16-ms"],
)
def test_a_number_too_large_for_its_field_is_a_bad_row(
    cli: Runner, project: Path, tmp_path: Path, line: str
) -> None:
    source = _write(tmp_path / "big.jsonl", line + "\n")
    digest = sha256(project)
    result = cli("import-results", project, source)
    assert result.code == 2, result
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert result.err.splitlines()[0].startswith("workbench: 1 bad row(s) in big.jsonl")
    unchanged(project, digest)


@pytest.mark.parametrize("depth", [100_000, 995])
def test_a_jsonl_line_nested_deep_is_a_bad_row(
    cli: Runner, project: Path, tmp_path: Path, depth: int
) -> None:
    deep = "[" * depth + "]" * depth
    source = _write(
        tmp_path / "deep.jsonl",
        f'{{"id": "a", "correct": true, "output": {deep}}}\n{{"id": "b", "correct": true}}\n',
    )
    digest = sha256(project)
    bad_rows(
        cli("import-results", project, source),
        source.name,
        rf"nested too deeply to read \({depth + 1} levels of \[ \] or \{{ \}}\)",
    )
    unchanged(project, digest)


@pytest.mark.parametrize("where", ["first-line", "document"])
def test_a_json_document_nested_deep_is_refused(
    cli: Runner, project: Path, tmp_path: Path, where: str
) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    if where == "first-line":
        text = f'{{"id": "a", "x": {deep}}}\n{{"id": "b"}}\n'
    else:
        text = '{"results": {"version": 3, "results": [\n' + deep + "\n]}}\n"
    source = _write(tmp_path / "deep.json", text)
    digest = sha256(project)
    result = cli("import-results", project, source)
    assert result.code == 2 and "Traceback" not in result.err, result
    assert "nested too deeply to read" in result.err
    unchanged(project, digest)


def test_an_inspect_log_nested_deep_is_refused(cli: Runner, project: Path, tmp_path: Path) -> None:
    import zipfile

    target = tmp_path / "deep.eval"
    with (
        zipfile.ZipFile(DATA / "inspect" / "basic.eval") as archive,
        zipfile.ZipFile(target, "w") as out,
    ):
        for name in archive.namelist():
            data = archive.read(name)
            if name.startswith("samples/"):
                sample = json.loads(data)
                text = json.dumps(sample)
                data = (text[:-1] + ', "deep": ' + "[" * 100_000 + "]" * 100_000 + "}").encode()
            out.writestr(name, data)
    digest = sha256(project)
    result = cli("import-results", project, target)
    assert result.code == 2 and "Traceback" not in result.err, result
    assert "nested too deeply to read" in result.err
    unchanged(project, digest)


def test_a_results_file_name_that_is_not_utf8_is_refused(
    cli: Runner, project: Path, tmp_path: Path
) -> None:
    raw = os.path.join(os.fsencode(tmp_path), b"results-\xff.csv")
    with open(raw, "wb") as out:
        out.write((DATA / "results.csv").read_bytes())
    name = os.fsdecode(raw)
    digest = sha256(project)
    one_line(
        cli("import-results", project, name),
        rf"workbench: {re.escape(str(tmp_path))}/results-\\xff\.csv: the file's name is not "
        r"UTF-8 text \(byte 0xFF\); rename the file and import it again",
    )
    unchanged(project, digest)


@pytest.mark.parametrize("path", ["/dev/null", "/dev/zero"])
def test_a_device_is_not_a_results_file(cli: Runner, project: Path, path: str) -> None:
    digest = sha256(project)
    one_line(
        cli("import-results", project, path),
        rf"workbench: {path}: not a regular file \(a device\); give a results file "
        r"\(CSV, JSONL, or a tool's output\)",
    )
    unchanged(project, digest)


def test_a_pipe_is_not_a_results_file(cli: Runner, project: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    one_line(
        cli("import-results", project, fifo),
        rf"workbench: {re.escape(str(fifo))}: not a regular file \(a pipe\); .+",
    )


# ----------------------------------------------------------- what is written is read


def test_a_run_label_too_long_is_refused_before_anything_is_written(
    cli: Runner, project: Path
) -> None:
    digest = sha256(project)
    one_line(
        cli("import-results", project, DATA / "results.csv", "--label", "L" * 600),
        r"workbench: label: at most 200 characters \(this one has 600\)",
    )
    unchanged(project, digest)
    done = cli("import-results", project, DATA / "results.csv", "--label", "L" * 200)
    assert done.code == 0, done.err
    for command in ("status", "check", "runs", "items"):
        result = cli(command, project)
        assert result.code in (0, 1), (command, result)
        assert "internal error" not in result.err


def test_a_run_label_too_long_in_the_ui_import_is_refused(project: Path) -> None:
    from workbench.errors import InvalidValueError
    from workbench.evaluation.runs import import_results
    from workbench.store import Store

    digest = sha256(project)
    with Store.open(project) as store, pytest.raises(InvalidValueError) as refused:
        import_results(store, DATA / "results.csv", "ui", label="L" * 201)
    assert str(refused.value) == "label: at most 200 characters (this one has 201)"
    assert sha256(project) == digest


def test_a_project_with_a_long_run_label_from_an_older_version_reads(
    cli: Runner, project: Path, tmp_path: Path
) -> None:
    """The 600-character label an older version committed (then failed on) reads now."""
    assert cli("import-results", project, DATA / "results.csv").code == 0
    conn = sqlite3.connect(project)
    conn.execute("UPDATE runs SET label = ?", ["L" * 600])
    conn.commit()
    conn.close()
    for command in ("status", "check", "runs"):
        result = cli(command, project)
        assert result.code in (0, 1), (command, result)
        assert "internal error" not in result.err
    (tmp_path / "out").mkdir()
    exported = cli("export", project, "--format", "all", "--output-dir", tmp_path / "out")
    assert exported.code == 0, exported.err


@pytest.mark.parametrize(
    ("sql", "pattern"),
    [
        (
            'UPDATE runs SET metrics = \'{"rows": "many"}\'',
            r"the project file holds an invalid value in run 1 \(metrics\.rows: .+\); "
            r"undo the edit that wrote it, or restore a backup",
        ),
        (
            "UPDATE runs SET details = '{not json'",
            r"the project file holds an invalid value in run 1 \(details: not valid JSON\); "
            r"undo the edit that wrote it, or restore a backup",
        ),
    ],
    ids=["metrics", "details"],
)
def test_a_run_edited_by_hand_names_the_run_and_the_field(
    cli: Runner, project: Path, sql: str, pattern: str
) -> None:
    assert cli("import-results", project, DATA / "results.csv").code == 0
    conn = sqlite3.connect(project)
    conn.execute(sql)
    conn.commit()
    conn.close()
    for command in ("runs", "status", "check", "compare"):
        one_line(cli(command, project), rf"workbench: {re.escape(str(project))}: {pattern}")


def test_a_threshold_edited_by_hand_is_one_line_for_every_command(
    cli: Runner, project: Path
) -> None:
    conn = sqlite3.connect(project)
    conn.execute("UPDATE thresholds SET name = ? WHERE metric = 'accuracy'", ["N" * 600])
    conn.commit()
    conn.close()
    digest = sha256(project)
    for args in (["status"], ["check"], ["measure", "accuracy", "0.9"], ["export"]):
        result = cli(args[0], project, *args[1:])
        one_line(
            result,
            rf"workbench: {re.escape(str(project))}: the project file holds an invalid value in "
            r"(a )?threshold( accuracy)? \(name: String should have at most 200 characters\); "
            r"undo the edit that wrote it, or restore a backup",
        )
    assert sha256(project) == digest


# ------------------------------------------------------------ the terminal is safe

WIPE = "\x1b[2J\x1b[H"
HOSTILE_NAME = f"{WIPE}Everything fine: GO \u202eOG\u202c\u200b"
THRESHOLD = f"{WIPE}Accuracy : GO\u202e\u2066"


def _project_from_toml(cli: Runner, tmp_path: Path) -> Path:
    source = tmp_path / "hostile.toml"
    source.write_text(
        "[project]\n"
        f"name = {json.dumps(HOSTILE_NAME)}\n"
        "[[thresholds]]\n"
        'metric = "accuracy"\n'
        f"name = {json.dumps(THRESHOLD)}\n"
        "target = 0.9\n"
        'unit = "rate"\n',
        encoding="utf-8",
    )
    path = tmp_path / "hostile.sqlite"
    done = cli("new", path, "--from", source)
    assert done.code == 0, done.err
    assert ESC not in done.out
    return path


def _safe(text: str) -> None:
    for char in (ESC, "\x9b", "\x9d", "\x07", "\u202e", "\u200b", "\r"):
        assert char not in text, repr(char)


def test_check_and_status_show_escape_sequences_instead_of_obeying_them(
    cli: Runner, tmp_path: Path
) -> None:
    project = _project_from_toml(cli, tmp_path)
    checked = cli("check", project)
    assert checked.code == 1
    _safe(checked.out)
    assert checked.out.splitlines()[0].endswith(": NO-GO")
    assert "⟨U+001B⟩[2J⟨U+001B⟩[HEverything fine: GO ⟨U+202E⟩OG⟨U+202C⟩⟨U+200B⟩" in checked.out
    for command in ("status", "items", "history"):
        result = cli(command, project)
        assert result.code == 0, result
        _safe(result.out)
    assert "⟨U+001B⟩" in cli("status", project).out


def test_json_output_stays_valid_json_and_terminal_safe(cli: Runner, tmp_path: Path) -> None:
    project = _project_from_toml(cli, tmp_path)
    result = cli("check", project, "--json")
    _safe(result.out)
    data = json.loads(result.out)
    assert any(THRESHOLD in b["reason"] for b in data["blockers"])
    assert "\\u001b" in result.out and "\\u202e" in result.out


def test_runs_shows_an_osc_sequence_in_a_group(cli: Runner, project: Path, tmp_path: Path) -> None:
    retitle = "\x1b]0;pwned\x07"
    c1 = "\x9d0;pwned\x9c"
    rows = [
        {"id": f"c{i}", "correct": i % 2 == 0, "group": group, "category": retitle + "cat"}
        for i, group in enumerate([retitle + "en", c1 + "de"] * 20)
    ]
    source = tmp_path / "osc.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    imported = cli("import-results", project, source, "--label", f"{retitle}label")
    assert imported.code == 0, imported.err
    _safe(imported.out)
    for args in (["runs"], ["status"], ["compare"], ["history"]):
        result = cli(args[0], project, *args[1:])
        _safe(result.out + result.err)
    shown = cli("runs", project)
    assert "⟨U+001B⟩]0;pwned⟨U+0007⟩label" in shown.out
    as_json = cli("runs", project, "--json")
    _safe(as_json.out)
    assert json.loads(as_json.out)["runs"][0]["label"] == f"{retitle}label"


def test_error_messages_show_the_value_they_quote(cli: Runner, project: Path) -> None:
    for args in (
        ["tick", project, f"{WIPE}item", "--status", "done"],
        ["measure", project, "\u202eaccuracy", "0.9"],
        ["measure", project, "accuracy", f"{WIPE}0.9"],
        ["open", project, "--theme", f"{WIPE}dark"],
        ["import-results", project, f"{WIPE}.csv"],
        ["new", f"{WIPE}.sqlite", "--checklist", f"{WIPE}.toml", "--name", "N"],
    ):
        result = cli(*args)
        assert result.code == 2, (args, result)
        _safe(result.err)
        assert len(result.err.splitlines()) == 1


def test_tabs_and_newlines_the_cli_prints_stay(cli: Runner, project: Path) -> None:
    status = cli("status", project)
    assert status.out.count("\n") > 10 and "⟨U+000A⟩" not in status.out
    assert "⟨U+0009⟩" not in cli("history", project).out


async def test_a_deep_jsonl_imported_in_the_ui_is_refused_and_the_app_runs_on(
    project: Path, tmp_path: Path
) -> None:
    """In the UI the import runs in a worker thread; a RecursionError there used to end
    the app with a traceback (and exit status 0)."""
    import asyncio

    from workbench.ui.app import WorkbenchApp

    deep = "[" * 100_000 + "]" * 100_000
    source = _write(tmp_path / "deep.jsonl", f'{{"id": "a", "output": {deep}}}\n{{"id": "b"}}\n')
    digest = sha256(project)
    app = WorkbenchApp(
        project,
        editor="tester",
        config_file=tmp_path / "config.toml",
        poll_seconds=0,
        build_ahead=False,
    )

    async def settled() -> None:
        for _ in range(3):
            while app.reading:
                await asyncio.sleep(0.005)
            await app.workers.wait_for_complete()
            await pilot.pause()

    names = {".": "full_stop", "/": "slash", "-": "minus", "_": "underscore"}
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("E")
        await settled()
        await pilot.press("i")
        await pilot.pause()
        await pilot.press(*[names.get(ch, ch) for ch in str(source)])
        await pilot.press("ctrl+s")
        await settled()
        assert app.is_running
        status = str(app.screen.query_one("StatusLine").render())
        assert "Not imported" in status and "nested too deeply to read" in status, status
    assert sha256(project) == digest


def test_the_command_line_bounds_whole_numbers_as_the_models_do() -> None:
    from workbench import cli, models

    assert cli.MAX_WHOLE == models.MAX_WHOLE  # (cli keeps its own copy: no pydantic at start)


def test_the_progress_bar_keeps_its_carriage_return_and_shows_the_file_name(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbench import cli

    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = cli._Revealing(out), cli._Revealing(err)  # as main() does
    try:
        bar = cli.ProgressBar(f"Importing {WIPE}results.csv")
        bar(50, 100)
        bar(100, 100)
    finally:
        sys.stdout, sys.stderr = out, err
    drawn = capsys.readouterr().err
    assert drawn.startswith("\rImporting ⟨U+001B⟩[2J⟨U+001B⟩[Hresults.csv [")
    assert ESC not in drawn and drawn.endswith("100%\n")


def test_a_newline_in_a_name_cannot_fake_a_line_of_check(cli: Runner, tmp_path: Path) -> None:
    source = tmp_path / "lines.toml"
    name = "All good: GO\r\nreally: GO\rso"
    source.write_text(f"[project]\nname = {json.dumps(name)}\n", encoding="utf-8")
    project = tmp_path / "lines.sqlite"
    assert cli("new", project, "--from", source).code == 0
    checked = cli("check", project)
    assert checked.code == 1
    assert checked.out.splitlines()[0] == (
        "All good: GO⟨U+000D⟩⟨U+000A⟩really: GO⟨U+000D⟩so: NO-GO"
    )
    assert "\r" not in checked.out
    assert cli("status", project).out.splitlines()[0].startswith("All good: GO⟨U+000D⟩⟨U+000A⟩")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE decisions SET links = '{not json'",
        "UPDATE thresholds SET measured = '[1, 2'",
        "UPDATE workshop SET attendees = 'x'",
        "UPDATE meta SET value = NULL",
        "UPDATE meta SET value = X'FFFE'",
        "UPDATE items SET status = 'bogus'",
        "UPDATE runs SET metrics = '\x1b[2J'",
    ],
)
def test_a_project_edited_by_hand_is_never_an_internal_error(
    cli: Runner, project: Path, tmp_path: Path, sql: str
) -> None:
    """A sample of a sweep over every table and column (set to bad JSON, NULL, a blob, an
    escape sequence, huge numbers): every command reads, or refuses in one line."""
    assert cli("import-results", project, DATA / "results.csv").code == 0
    assert cli("decide", project, "--title", "T", "--decision", "D", "--rationale", "R").code == 0
    conn = sqlite3.connect(project)
    conn.execute(sql)
    conn.commit()
    conn.close()
    (tmp_path / "out").mkdir()
    for args in (
        ["status"],
        ["check"],
        ["runs"],
        ["history"],
        ["compare"],
        ["export", "--format", "all", "--output-dir", tmp_path / "out"],
    ):
        result = cli(args[0], project, *args[1:])
        assert result.code in (0, 1, 2), (args, result)
        assert "internal error" not in result.err and "Traceback" not in result.err
        assert ESC not in result.out + result.err
        if result.code == 2:
            assert len(result.err.splitlines()) == 1, result.err
