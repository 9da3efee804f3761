"""The scripting CLI: what a person sees (output, exit codes) and what lands in the file."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from core_support import Result, Runner, fill_everything, sha256, sign_everything

from workbench.store import Store

ITEM = "testing.edge-cases"


def one_line_error(result: Result) -> str:
    """A refused command: exit 2, nothing on stdout, one line on stderr, no traceback."""
    assert result.code == 2, (result.out, result.err)
    assert result.out == ""
    assert len(result.err.splitlines()) == 1, result.err
    assert result.err.startswith("workbench: ")
    assert "Traceback" not in result.err
    return result.err.strip()


def export_json(cli: Runner, path: Path) -> dict[str, Any]:
    out = path.with_name(path.stem + "-report.json")
    result = cli("export", path, "--format", "json", "-o", out)
    assert result.code == 0, result.err
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def item_of(report: dict[str, Any], item_id: str) -> dict[str, Any]:
    return next(i for i in report["checklist"] if i["id"] == item_id)


def threshold_of(report: dict[str, Any], metric: str) -> dict[str, Any]:
    return next(t for t in report["thresholds"] if t["metric"] == metric)


# ------------------------------------------------------------------------ new


def test_new_creates_a_project(cli: Runner, tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    result = cli("new", path, "--name", "Support bot", "--risk", "high", "--by", "ana")
    assert result.code == 0
    assert result.err == ""
    assert f"Created {path}: 'Support bot', high risk, 20 checklist items, 5 thresholds." in (
        result.out
    )
    report = export_json(cli, path)
    assert report["project"]["name"] == "Support bot"
    assert report["project"]["risk"] == "high"
    assert len(report["checklist"]) == 20
    assert {i["status"] for i in report["checklist"]} == {"open"}
    assert report["history"][-1]["by"] == "ana"


def test_new_risk_defaults_to_medium(cli: Runner, tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    assert cli("new", path, "--name", "X").code == 0
    assert export_json(cli, path)["project"]["risk"] == "medium"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--risk", "high"], "--name"),
        (["--name", "X", "--risk", "extreme"], "invalid choice: 'extreme'"),
        (["--name", "   "], "needs a name"),
        (["--name", "X", "--from", "a.toml", "--checklist", "b.toml"], "not both"),
        (["--name", "X", "--from", "missing.toml"], "missing.toml: no such project TOML file"),
    ],
)
def test_new_bad_usage(cli: Runner, tmp_path: Path, args: list[str], says: str) -> None:
    path = tmp_path / "p.sqlite"
    assert says in one_line_error(cli("new", path, *args))
    assert not path.exists()


def test_new_refuses_to_overwrite(cli: Runner, project: Path) -> None:
    before = sha256(project)
    assert "already exists" in one_line_error(cli("new", project, "--name", "Again"))
    assert sha256(project) == before


def test_new_in_a_missing_folder_is_refused(cli: Runner, tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "p.sqlite"
    assert "no such folder" in one_line_error(cli("new", target, "--name", "X"))
    assert not target.parent.exists()


# --------------------------------------------------------------------- edits


def test_tick_shows_in_items_json_and_history(cli: Runner, project: Path) -> None:
    result = cli("tick", project, ITEM, "--status", "done", "--evidence", "38 cases", "--by", "ana")
    assert (result.code, result.out, result.err) == (0, f"Saved: {ITEM} is done.\n", "")
    assert f"[x] {ITEM}" in cli("items", project).out
    assert ITEM not in cli("items", project, "--open").out
    report = export_json(cli, project)
    item = item_of(report, ITEM)
    assert (item["status"], item["evidence"], item["updated_by"]) == ("done", "38 cases", "ana")
    changes = [h for h in report["history"] if h["key"] == ITEM]
    assert {h["by"] for h in changes} == {"ana"}
    assert {(h["field"], h["old"], h["new"]) for h in changes} >= {
        ("status", "open", "done"),
        ("evidence", "", "38 cases"),
    }
    history = cli("history", project, "--user", "ana").out
    assert f'item {ITEM} status: "open" → "done"' in history
    assert "ana" in history


def test_tick_not_applicable_needs_a_reason(cli: Runner, project: Path) -> None:
    before = sha256(project)
    assert "--reason" in one_line_error(cli("tick", project, ITEM, "--status", "na"))
    assert sha256(project) == before
    result = cli("tick", project, ITEM, "--status", "na", "--reason", "no free text input")
    assert result.out == f"Saved: {ITEM} is not applicable.\n"
    item = item_of(export_json(cli, project), ITEM)
    assert (item["status"], item["reason"]) == ("na", "no free text input")
    assert f"[-] {ITEM}" in cli("items", project).out


def test_by_defaults_to_the_login_name(cli: Runner, project: Path) -> None:
    cli("tick", project, ITEM, "--status", "done")
    assert {h["by"] for h in export_json(cli, project)["history"] if h["key"] == ITEM} == {"tester"}


@pytest.mark.parametrize("value", ["0.93", "93%", "93.0 %"])
def test_measure_accepts_a_fraction_or_a_percentage(cli: Runner, project: Path, value: str) -> None:
    result = cli(
        "measure", project, "accuracy", value, "--n", "200", "--source", "run 7", "--by", "ben"
    )
    assert result.code == 0, result.err
    assert result.out.startswith("Saved: Accuracy = 93% (95% interval ")
    assert "n=200" in result.out
    assert result.out.rstrip().endswith("target > 90%: met.")
    threshold = threshold_of(export_json(cli, project), "accuracy")
    assert threshold["measured"]["value"] == pytest.approx(0.93)
    assert threshold["measured"]["n"] == 200
    assert threshold["measured"]["source"] == "run 7"
    assert threshold["measured"]["status"] == "met"
    assert "ben" in cli("history", project, "--grep", "accuracy").out


def test_measure_seconds(cli: Runner, project: Path) -> None:
    result = cli("measure", project, "response_time", "2.5")
    assert result.out == "Saved: Response time = 2.5 s; target < 3 s: met.\n"
    assert threshold_of(export_json(cli, project), "response_time")["measured"]["value"] == 2.5


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["accuracy", "abc"], "'abc' is not a number"),
        (["accuracy", "150%"], "between 0 and 1"),
        (["accuracy", "1.5"], "between 0 and 1"),
        (["accuracy", "0.9", "--n", "0"], "'0' must be at least 1"),
        (["response_time", "-1"], "cannot be negative"),
        (["response_time", "nan"], "is not a number"),
        (["response_time", "inf"], "is not a number"),
    ],
)
def test_measure_refuses_bad_values(cli: Runner, project: Path, args: list[str], says: str) -> None:
    before = sha256(project)
    assert says in one_line_error(cli("measure", project, *args))
    assert sha256(project) == before


def test_decide_and_supersede(cli: Runner, project: Path) -> None:
    first = cli(
        "decide",
        project,
        "--title",
        "Test set of 200",
        "--decision",
        "Build 200",
        "--rationale",
        "The guide's minimum",
        "--by",
        "dev",
    )
    assert first.out == "Saved: decision 1 (accepted).\n"
    second = cli(
        "decide",
        project,
        "--title",
        "Grow to 300",
        "--decision",
        "Build 300",
        "--rationale",
        "More confidence",
        "--supersedes",
        "1",
        "--link",
        "threshold:accuracy",
        "--by",
        "maria",
    )
    assert second.out == "Saved: decision 2 (accepted), superseding decision 1.\n"
    report = export_json(cli, project)
    decisions = {d["id"]: d for d in report["decisions"]}
    assert decisions[1]["status"] == "superseded"
    assert decisions[2]["status"] == "accepted"
    assert decisions[2]["supersedes"] == 1
    assert decisions[2]["links"] == ["threshold:accuracy"]
    assert decisions[2]["owner"] == "maria"
    entry = next(
        h
        for h in report["history"]
        if h["entity"] == "decision" and h["key"] == "1" and h["field"] == "status"
    )
    assert (entry["old"], entry["new"], entry["by"]) == ("accepted", "superseded", "maria")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--supersedes", "9"], "no decision 9"),
        (["--link", "threshold:speed"], "'threshold:speed'"),
        (["--status", "maybe"], "status must be one of"),
    ],
)
def test_decide_refuses_bad_input(cli: Runner, project: Path, args: list[str], says: str) -> None:
    before = sha256(project)
    result = cli("decide", project, "--title", "T", "--decision", "D", "--rationale", "R", *args)
    assert says in one_line_error(result)
    assert sha256(project) == before


def test_undo_reverses_the_last_edit(cli: Runner, project: Path) -> None:
    cli("tick", project, ITEM, "--status", "done", "--by", "ana")
    refused = one_line_error(cli("undo", project, "--by", "ben"))
    assert refused == (
        f"workbench: nothing of yours (ben) to undo; the last edit is ana's: {ITEM} → done "
        "(to undo it: undo --theirs)"
    )
    result = cli("undo", project, "--by", "ben", "--theirs")
    assert result.out == f"Saved: undid: {ITEM} → done\n"
    report = export_json(cli, project)
    assert item_of(report, ITEM)["status"] == "open"
    assert {h["by"] for h in report["history"][:1]} == {"ben"}
    assert "ben" in cli("history", project, "--user", "ben").out
    assert "nothing to undo" in one_line_error(cli("undo", project))


@pytest.mark.parametrize(
    ("args", "missing"),
    [
        (["tick", "{p}", "testing.nope", "--status", "done"], "'testing.nope'"),
        (["measure", "{p}", "speed", "0.5"], "'speed'"),
    ],
)
def test_unknown_ids_are_named(cli: Runner, project: Path, args: list[str], missing: str) -> None:
    before = sha256(project)
    message = one_line_error(cli(*[a.format(p=project) for a in args]))
    assert missing in message
    assert sha256(project) == before


@pytest.mark.parametrize(
    "args",
    [
        ["frobnicate"],
        ["tick"],
        ["tick", "p.sqlite", ITEM],
        ["tick", "p.sqlite", ITEM, "--status", "finished"],
        ["export", "p.sqlite", "--format", "odt"],
        ["status"],
        ["history", "p.sqlite", "--limit", "0"],
    ],
)
def test_bad_usage_is_one_line(cli: Runner, args: list[str]) -> None:
    assert "see: workbench" in one_line_error(cli(*args))


def test_no_command_prints_help_and_exits_2(cli: Runner) -> None:
    result = cli()
    assert result.code == 2
    assert "usage: workbench" in result.out


def test_an_unexpected_error_is_one_line_without_traceback(
    cli: Runner, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("first line\nsecond line")

    monkeypatch.setattr("workbench.operations.tick", broken)
    result = cli("tick", project, ITEM, "--status", "done")
    assert result.code == 70
    assert result.err.splitlines() == [
        "workbench: internal error (RuntimeError: first line second line); "
        "please report it (WORKBENCH_DEBUG=1 shows details)"
    ]


# ------------------------------------------------------------ status / check


def test_status_shows_verdict_scores_and_blockers(cli: Runner, project: Path) -> None:
    result = cli("status", project)
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "Demo  (medium risk)"
    assert "Verdict: NO-GO" in lines
    assert "Checklist: 0/20 done or not applicable" in lines
    assert any(line.strip().startswith("Quality thresholds") for line in lines)
    assert "Blockers (" in result.out
    assert "[thresholds:accuracy]" in result.out


def make_ready(path: Path) -> None:
    with Store.open(path) as store:
        fill_everything(store)


def resign(path: Path) -> None:
    """Sign the content as it is now (an edit after signing stales the sign-offs)."""
    with Store.open(path) as store:
        sign_everything(store)


def test_check_exit_codes(cli: Runner, project: Path) -> None:
    no_go = cli("check", project)
    assert no_go.code == 1
    assert no_go.out.startswith("Demo: NO-GO\n")
    assert "  blocker: " in no_go.out
    assert cli("check", project, "--allow-conditional").code == 1

    make_ready(project)
    go = cli("check", project)
    assert (go.code, go.out) == (0, "Demo: GO\n")

    cli("tick", project, ITEM, "--status", "open")
    resign(project)
    conditional = cli("check", project)
    assert conditional.code == 1
    assert conditional.out.startswith("Demo: CONDITIONAL\n")
    assert "1 open point(s)" in conditional.out
    assert cli("check", project, "--allow-conditional").code == 0


def test_check_json(cli: Runner, project: Path) -> None:
    result = cli("check", project, "--json")
    assert result.code == 1
    verdict = json.loads(result.out)
    assert verdict["verdict"] == "no_go"
    assert {b["where"] for b in verdict["blockers"]} >= {"thresholds:accuracy", "dataset"}


def test_check_junit_has_one_testcase_per_check(cli: Runner, project: Path) -> None:
    junit = project.parent / "readiness.xml"
    result = cli("check", project, "--junit", junit)
    assert result.code == 1
    assert f"JUnit report written to {junit}" in result.out
    checks = json.loads(cli("check", project, "--json").out)["checks"]
    root = ET.fromstring(junit.read_bytes())
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == len(checks) == int(suite.get("tests", "-1"))
    assert [c.get("name") for c in cases] == [c["title"] for c in checks]
    failed = [c for c in cases if c.find("failure") is not None]
    assert len(failed) == sum(not c["passed"] for c in checks) == int(suite.get("failures", "-1"))
    kinds = {c.get("name"): c.find("failure").get("type") for c in failed}  # type: ignore[union-attr]
    assert kinds["Test set size recorded"] == "blocker"
    assert kinds["Edge cases exercised"] == "open point"


def test_check_junit_skips_open_points_when_conditional_is_allowed(
    cli: Runner, project: Path
) -> None:
    make_ready(project)
    cli("tick", project, ITEM, "--status", "open")
    resign(project)
    junit = project.parent / "readiness.xml"
    assert cli("check", project, "--allow-conditional", "--junit", junit).code == 0
    suite = ET.fromstring(junit.read_bytes()).find("testsuite")
    assert suite is not None
    assert (suite.get("failures"), suite.get("skipped")) == ("0", "1")


def test_check_junit_never_writes_over_the_project(cli: Runner, project: Path) -> None:
    before = sha256(project)
    message = one_line_error(cli("check", project, "--junit", project))
    assert "is a workbench project" in message
    assert sha256(project) == before


# --------------------------------------------------------------------- export

FORMATS = ["md", "html", "json", "toml"]


def available(fmt: str) -> bool:
    module = {"md": "markdown", "html": "html"}.get(fmt)
    return module is None or importlib.util.find_spec(f"workbench.reports.{module}") is not None


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_each_format(cli: Runner, project: Path, fmt: str) -> None:
    if not available(fmt):
        pytest.skip(f"the {fmt} renderer is not in this tree yet")
    cli("tick", project, ITEM, "--status", "done", "--evidence", "evidence-marker-42")
    out = project.parent / f"report.{fmt}"
    result = cli("export", project, "--format", fmt, "-o", out)
    assert result.code == 0, result.err
    assert result.out == f"{fmt:>4}: {out.resolve()}\n"
    text = out.read_text(encoding="utf-8")
    assert "Demo" in text
    assert "evidence-marker-42" in text
    if fmt == "json":
        assert json.loads(text)["schema_version"] == 1
    if fmt == "toml":
        assert tomllib.loads(text)["project"]["name"] == "Demo"


def test_export_all_formats_into_a_folder(cli: Runner, project: Path, tmp_path: Path) -> None:
    if not all(available(f) for f in FORMATS):
        pytest.skip("the md or html renderer is not in this tree yet")
    folder = tmp_path / "reports"
    folder.mkdir()
    result = cli("export", project, "--format", "all", "--output-dir", folder)
    assert result.code == 0, result.err
    assert sorted(p.name for p in folder.iterdir()) == [
        "demo-readiness.docx",
        "demo-readiness.html",
        "demo-readiness.json",
        "demo-readiness.md",
        "demo-readiness.pdf",
        "demo-readiness.toml",
    ]
    assert len(result.out.splitlines()) == 6


def test_export_defaults_to_the_current_folder(
    cli: Runner, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    assert cli("export", project, "--format", "json").code == 0
    assert [p.name for p in work.iterdir()] == ["demo-readiness.json"]


def test_export_refuses_to_write_over_the_project(cli: Runner, project: Path) -> None:
    before = sha256(project)
    message = one_line_error(cli("export", project, "--format", "json", "-o", project))
    assert "project" in message
    assert sha256(project) == before


def test_export_into_a_missing_folder_is_refused(cli: Runner, project: Path) -> None:
    target = project.parent / "nowhere" / "r.json"
    assert "no such folder" in one_line_error(
        cli("export", project, "--format", "json", "-o", target)
    )


# --------------------------------------------------------------------- schema


def test_schema_prints_a_json_schema(cli: Runner) -> None:
    result = cli("schema")
    assert result.code == 0
    schema = json.loads(result.out)
    assert schema["type"] == "object"
    for key in ("schema_version", "project", "checklist", "thresholds", "readiness", "history"):
        assert key in schema["properties"]
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(schema)


# ------------------------------------------------------------- real processes


def run_workbench(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", *[str(a) for a in args]],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_a_workshop_in_real_processes(tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    new = run_workbench("new", path, "--name", "Real", "--risk", "low", "--by", "ana", cwd=tmp_path)
    assert new.returncode == 0, new.stderr
    tick = run_workbench("tick", path, ITEM, "--status", "done", "--by", "ana", cwd=tmp_path)
    assert (tick.returncode, tick.stdout) == (0, f"Saved: {ITEM} is done.\n")
    check = run_workbench("check", path, cwd=tmp_path)
    assert check.returncode == 1
    assert check.stdout.startswith("Real: NO-GO")
    bad = run_workbench("tick", path, "nope", "--status", "done", cwd=tmp_path)
    assert bad.returncode == 2
    assert len(bad.stderr.splitlines()) == 1 and "'nope'" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_console_script_exists_and_reports_usage_errors(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("workbench")
    if not script.exists():
        pytest.skip("the console script is not installed next to this interpreter")
    run = subprocess.run(
        [str(script), "status"], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 2
    assert len(run.stderr.splitlines()) == 1
    assert "PATH" in run.stderr
