"""`workbench diff OLD.json NEW.json`: what changed between two readiness reports, as the
steering committee reads it, from reports exported from real projects."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from core_support import SAMPLE_TOML, Result, Runner, fill_everything

from workbench import operations
from workbench.reports.changes import changes_text, report_changes
from workbench.reports.model import SCHEMA_VERSION
from workbench.store import Store
from workbench.vocab import VERDICT_TITLES

RESULTS_V3 = SAMPLE_TOML.with_name("results-v3.csv")


def export(cli: Runner, project: Path, name: str) -> Path:
    out = project.with_name(name)
    result = cli("export", project, "--format", "json", "-o", out)
    assert result.code == 0, result.err
    return out


def diff(cli: Runner, old: Path, new: Path, *args: object) -> Result:
    result = cli("diff", old, new, *args)
    assert result.code == 0, result.err
    assert result.err == ""
    return result


def lines(result: Result) -> list[str]:
    return result.out.splitlines()


def result_text(shown: list[str]) -> str:
    return "\n".join(shown)


@pytest.fixture
def sample(cli: Runner, tmp_path: Path) -> Path:
    """The sample project (no-go: two blockers), with the v3 results imported as run 1."""
    path = tmp_path / "sample.sqlite"
    assert cli("new", path, "--from", SAMPLE_TOML, "--by", "maria").code == 0
    assert cli("import-results", path, RESULTS_V3, "--label", "v3 prompt", "--by", "dev").code == 0
    return path


# ------------------------------------------------------------------ what changed


def test_verdict_change_and_resolved_blockers(cli: Runner, project: Path) -> None:
    before = export(cli, project, "before.json")
    with Store.open(project) as store:
        fill_everything(store)
    after = export(cli, project, "after.json")
    now = VERDICT_TITLES[read(after)["readiness"]["verdict"]]
    assert now in ("GO", "CONDITIONAL")  # (every check filled in: no blocker left)
    shown = lines(diff(cli, before, after))
    assert shown[0] == "Verdict"
    assert shown[1] == f"- Verdict: NO-GO → {now}"
    assert (
        "- Blocker resolved: no test set size recorded (plan one on the test-set screen)" in shown
    )
    assert "- Open point closed: checklist item open: Runbooks available" in shown
    assert (
        "- Accuracy: measured for the first time: 97% (meets the target with confidence)" in shown
    )
    assert "Quality thresholds" in shown and "Checklist" in shown and "Decision log" in shown


def test_loosened_target(cli: Runner, sample: Path) -> None:
    before = export(cli, sample, "before.json")
    with Store.open(sample) as store:
        operations.set_target(store, "aiko", "hallucination_rate", "<", 0.08, seen=None)
    shown = lines(diff(cli, before, export(cli, sample, "after.json")))
    assert "- Hallucination rate: target < 5% → < 8% (loosened; now meets the target)" in shown
    assert (
        "- Blocker resolved: Hallucination rate measured 6.36%, which misses the target < 5%"
        in shown
    )
    assert "- Verdict:" not in result_text(shown)  # (error rate still blocks: still no-go)


def test_tightened_target_that_is_now_missed(cli: Runner, sample: Path) -> None:
    before = export(cli, sample, "before.json")
    with Store.open(sample) as store:
        operations.set_target(store, "aiko", "accuracy", ">", 0.95, seen=None)
    shown = lines(diff(cli, before, export(cli, sample, "after.json")))
    assert "- Accuracy: target > 90% → > 95% (tightened; no longer meets the target)" in shown
    assert "- New blocker: Accuracy measured 92.73%, which misses the target > 95%" in shown


def test_new_run(cli: Runner, tmp_path: Path) -> None:
    path = tmp_path / "sample.sqlite"
    assert cli("new", path, "--from", SAMPLE_TOML, "--by", "maria").code == 0
    before = export(cli, path, "before.json")
    assert cli("import-results", path, RESULTS_V3, "--label", "v3 prompt").code == 0
    shown = lines(diff(cli, before, export(cli, path, "after.json")))
    assert "- New evaluation run: run 1 'v3 prompt' (240 cases)" in shown
    assert "- The thresholds now use run 1 'v3 prompt'" in shown


def test_a_measured_value_that_changed(cli: Runner, project: Path) -> None:
    assert cli("measure", project, "hallucination_rate", "6.4%", "--n", "300").code == 0
    before = export(cli, project, "before.json")
    assert cli("measure", project, "hallucination_rate", "3.1%", "--n", "300").code == 0
    shown = lines(diff(cli, before, export(cli, project, "after.json")))
    assert "- Hallucination rate: measured 6.4% → 3.1% (now meets the target)" in shown


def test_checklist_tick(cli: Runner, sample: Path) -> None:
    before = export(cli, sample, "before.json")
    tick = cli("tick", sample, "documentation.runbooks", "--status", "done", "--evidence", "wiki")
    assert tick.code == 0
    shown = lines(diff(cli, before, export(cli, sample, "after.json")))
    assert "- Checklist: 'Runbooks available' open → done" in shown
    assert "- Open point closed: checklist item open: Runbooks available" in shown


def test_decision_added(cli: Runner, sample: Path) -> None:
    before = export(cli, sample, "before.json")
    decided = cli(
        "decide", sample, "--title", "Use canary", "--decision", "5% first", "--rationale", "safer"
    )
    assert decided.code == 0
    result = diff(cli, before, export(cli, sample, "after.json"))
    assert result.out == "Decision log\n- Decision 5 'Use canary' added (accepted)\n"


def test_identical_reports_have_no_changes(cli: Runner, sample: Path) -> None:
    first = export(cli, sample, "first.json")
    again = export(cli, sample, "again.json")  # (written later: only generated_at differs)
    assert diff(cli, first, again).out == "No changes between the two reports.\n"
    assert diff(cli, first, first).out == "No changes between the two reports.\n"
    as_json = json.loads(diff(cli, first, again, "--json").out)
    assert as_json["groups"] == []
    assert as_json["old_generated_at"] and as_json["new_generated_at"]


def test_json_output_holds_the_same_lines(cli: Runner, sample: Path) -> None:
    before = export(cli, sample, "before.json")
    assert cli("tick", sample, "documentation.runbooks", "--status", "done").code == 0
    after = export(cli, sample, "after.json")
    as_json = json.loads(diff(cli, before, after, "--json").out)
    checklist = next(g for g in as_json["groups"] if g["topic"] == "checklist")
    assert checklist["lines"] == ["Checklist: 'Runbooks available' open → done"]
    assert {g["topic"] for g in as_json["groups"]} == {"verdict", "checklist"}


# ------------------------------------------------------------------ older reports


def read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_an_old_report_lacking_keys(cli: Runner, sample: Path, tmp_path: Path) -> None:
    new = export(cli, sample, "new.json")
    old = read(new)
    for key in ("evidence", "decisions", "generated_at", "signoffs"):
        old.pop(key, None)
    del old["readiness"]["checks"]
    for threshold in old["thresholds"]:
        del threshold["measured"]
    old_path = write(tmp_path / "old.json", old)
    shown = lines(diff(cli, old_path, new))
    assert "- New evaluation run: run 1 'v3 prompt' (240 cases)" in shown
    assert "- Decision 1 'Start with human review of every draft' added (accepted)" in shown
    assert "- Accuracy: measured for the first time: 92.73% (meets the target)" in shown
    assert diff(cli, new, old_path).code == 0  # (and the other way round)


def test_values_of_unexpected_types_do_not_stop_the_comparison(
    cli: Runner, sample: Path, tmp_path: Path
) -> None:
    new = export(cli, sample, "new.json")
    odd = read(new)
    odd.update(
        generated_at=["not", "a", "time"],
        readiness=[],
        thresholds=[
            "accuracy",
            None,
            {"metric": ["x"], "target": "high", "measured": 5},
            {
                "metric": "accuracy",
                "target": 10**400,
                "comparator": 3,
                "measured": {"value": 1e308},
            },
        ],
        evidence={"runs": {"id": 1}, "latest": {}},
        checklist=[1, "a", None, {"id": None}, {"id": "x", "title": {"a": 1}, "status": 7}],
        decisions=[{"id": 1}],
        signoffs="none",
    )
    odd_path = write(tmp_path / "odd.json", odd)
    for old, fresh in ((odd_path, new), (new, odd_path), (odd_path, odd_path)):
        result = diff(cli, old, fresh)
        assert "Traceback" not in result.out


def test_a_report_with_only_the_two_required_keys() -> None:
    changes = report_changes({"schema_version": 1, "project": {}}, {"schema_version": 1})
    assert changes.is_empty
    assert changes_text(changes) == "No changes between the two reports."


# ------------------------------------------------------------------ sign-offs


def signed(report: dict[str, Any], *signoffs: dict[str, str]) -> dict[str, Any]:
    return {**report, "signoffs": list(signoffs)}


DANA = {
    "role": "product owner",
    "by": "Dana",
    "signed_at": "2026-12-04T10:00:00+00:00",
    "digest": "abc",
}


def test_signoffs_added_renewed_removed(cli: Runner, sample: Path) -> None:
    report = read(export(cli, sample, "report.json"))  # (no signoffs key yet: none)
    added = report_changes(report, signed(report, DANA))
    assert [(g.topic, g.lines) for g in added.groups] == [
        ("signoffs", ["Sign-off added: Dana (product owner) on 2026-12-04"])
    ]
    again = {**DANA, "signed_at": "2026-12-05T09:00:00+00:00", "digest": "def"}
    renewed = report_changes(signed(report, DANA), signed(report, again))
    assert renewed.groups[0].lines == ["Sign-off renewed: Dana (product owner) on 2026-12-05"]
    removed = report_changes(signed(report, DANA), report)
    assert removed.groups[0].lines == ["Sign-off removed: Dana (product owner)"]
    assert changes_text(removed) == "Sign-offs\n- Sign-off removed: Dana (product owner)"


def test_signoffs_kept_under_governance(cli: Runner, sample: Path) -> None:
    report = read(export(cli, sample, "report.json"))
    report.pop("signoffs", None)
    old = {**report, "governance": {"signoffs": []}}
    new = {**report, "governance": {"signoffs": [DANA]}}
    assert report_changes(old, new).groups[0].lines == [
        "Sign-off added: Dana (product owner) on 2026-12-04"
    ]


# ------------------------------------------------------------------ bad files


def one_line_error(result: Result) -> str:
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith("workbench: ")
    assert result.err.count("\n") == 1
    assert "Traceback" not in result.err
    return result.err


BAD_FILES: dict[str, bytes | None] = {
    "missing": None,
    "empty": b"",
    "not json": b"schema_version = 1\n",
    "binary": b"\x89PNG\r\n\x1a\n\x00\xff\xfe",
    "nested too deep": b"[" * 100_000,
    "a list": b"[1, 2]",
    "another tool's json": b'{"name": "x", "version": 2}',
    "no project": b'{"schema_version": 1}',
    "a version that is not a number": b'{"schema_version": "1", "project": {}}',
}


@pytest.mark.parametrize("case", list(BAD_FILES))
@pytest.mark.parametrize("side", ["old", "new"])
def test_bad_files_are_one_line_and_exit_2(
    cli: Runner, sample: Path, tmp_path: Path, case: str, side: str
) -> None:
    good = export(cli, sample, "good.json")
    bad = tmp_path / "bad.json"
    content = BAD_FILES[case]
    if content is not None:
        bad.write_bytes(content)
    err = one_line_error(cli("diff", *((bad, good) if side == "old" else (good, bad))))
    assert str(bad) in err


def test_what_each_bad_file_says(cli: Runner, sample: Path, tmp_path: Path) -> None:
    good = export(cli, sample, "good.json")
    missing = one_line_error(cli("diff", tmp_path / "gone.json", good))
    assert "no such file" in missing and "workbench export" in missing
    (tmp_path / "text.json").write_text("hello", encoding="utf-8")
    assert "is not a JSON file" in one_line_error(cli("diff", tmp_path / "text.json", good))
    write(tmp_path / "other.json", {"name": "x"})
    other = one_line_error(cli("diff", tmp_path / "other.json", good))
    assert "is not a workbench readiness report" in other
    assert "is a folder" in one_line_error(cli("diff", tmp_path, good))


def test_a_report_from_a_newer_workbench(cli: Runner, sample: Path, tmp_path: Path) -> None:
    good = export(cli, sample, "good.json")
    newer = write(tmp_path / "newer.json", {**read(good), "schema_version": SCHEMA_VERSION + 1})
    err = one_line_error(cli("diff", good, newer))
    assert "newer workbench" in err and "upgrade workbench" in err


def test_a_hostile_file_name_stays_on_one_line(cli: Runner, sample: Path, tmp_path: Path) -> None:
    good = export(cli, sample, "good.json")
    err = one_line_error(cli("diff", tmp_path / "a\nb\x1b[2J.json", good))
    assert "\x1b" not in err and "⟨U+000A⟩" in err


# ------------------------------------------------------------------ hostile text

HOSTILE = "Use\ncanary [/] \x1b[31mred\x1b[0m\r- Verdict: GO"


def test_hostile_titles_come_out_as_text_on_one_line(cli: Runner, sample: Path) -> None:
    before = export(cli, sample, "before.json")
    decided = cli("decide", sample, "--title", HOSTILE, "--decision", "x", "--rationale", "y")
    assert decided.code == 0
    with Store.open(sample) as store:
        operations.edit_item(store, "documentation.runbooks", "maria", title=HOSTILE)
    assert cli("tick", sample, "documentation.runbooks", "--status", "done").code == 0
    after = export(cli, sample, "after.json")
    result = diff(cli, before, after)
    assert "\x1b" not in result.out and "\r" not in result.out
    shown = lines(result)
    assert "- Verdict: GO" not in shown  # (a title cannot start a line of its own)
    decision = next(line for line in shown if line.startswith("- Decision 5 "))
    assert decision == (
        "- Decision 5 'Use⟨U+000A⟩canary [/] ⟨U+001B⟩[31mred⟨U+001B⟩[0m⟨U+000D⟩- Verdict: GO'"
        " added (accepted)"
    )
    assert any(line.startswith("- Checklist: 'Use⟨U+000A⟩canary [/] ") for line in shown)
    as_json = diff(cli, before, after, "--json").out
    assert "\x1b" not in as_json
    assert "[/]" in json.dumps(json.loads(as_json), ensure_ascii=False)


# ------------------------------------------------------------------ layering


def test_the_core_module_imports_no_front_end() -> None:
    probe = (
        "import sys, workbench.reports.changes\n"
        "print(sorted(m for m in sys.modules if m in ('textual', 'argparse')"
        " or m.startswith(('textual.', 'workbench.ui', 'workbench.cli'))))"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
