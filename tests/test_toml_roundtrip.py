"""The TOML export is the project's content: json → toml → new --from → json is the same."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from core_support import SAMPLE_TOML, Runner

from workbench import operations
from workbench.store import Store

VOLATILE = {"generated_at", "updated_at", "at"}


def content(report: dict[str, Any]) -> Any:
    """The report without its history and timestamps."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in VOLATILE}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip({k: v for k, v in report.items() if k != "history"})


def export(cli: Runner, path: Path, fmt: str) -> Path:
    out = path.with_name(f"{path.stem}.{fmt}")
    result = cli("export", path, "--format", fmt, "-o", out)
    assert result.code == 0, result.err
    return out


def busy_project(path: Path) -> None:
    """A project with something in every kind of field a workshop edits."""
    with operations.create_project(path, name="Round trip", risk="high", by="ana") as store:
        operations.tick(store, "testing.edge-cases", "done", "ana", evidence='café ✓ "quoted"')
        operations.tick(store, "process.user-feedback", "na", "ana", reason="line one\nline two")
        operations.measure(store, "accuracy", 0.93, "ben", n=200, source="eval [run] #7")
        operations.measure(store, "response_time", 2.25, "ben")
        first = operations.decide(store, "ana", title="A", decision="a", rationale="r")
        operations.decide(
            store,
            "ana",
            title="B",
            decision="b",
            rationale="r",
            supersedes=first.id,
            links=["item:testing.edge-cases"],
        )
        store.update("threshold", "accuracy", {"reasoning": "Agents fix wrong drafts"}, "ana")
        store.update("rollback", "feature-flag", {"last_tested": dt.date(2026, 3, 1)}, "ana")
        store.update("dataset", None, {"planned_size": 600, "notes": "tab\there"}, "ana")
        store.update("stage", 1, {"status": "passed"}, "ana")
        store.update("on_call", "Primary on-call", {"person": "Zoë"}, "ana")
        operations.park_question(store, "Who signs off?", "ana", step="checklist")


def test_json_toml_new_json_gives_the_same_content(cli: Runner, tmp_path: Path) -> None:
    original = tmp_path / "original.sqlite"
    busy_project(original)
    before = json.loads(export(cli, original, "json").read_text(encoding="utf-8"))
    toml_file = export(cli, original, "toml")

    copy = tmp_path / "copy.sqlite"
    result = cli("new", copy, "--from", toml_file, "--by", "carol")
    assert result.code == 0, result.err
    assert "'Round trip', high risk, 20 checklist items, 5 thresholds" in result.out
    after = json.loads(export(cli, copy, "json").read_text(encoding="utf-8"))

    assert content(after) == content(before)
    assert after["readiness"] == before["readiness"]
    # The copy starts its own history.
    assert [h["by"] for h in after["history"]] == ["carol"]


def test_sample_project_round_trips(cli: Runner, tmp_path: Path) -> None:
    path = tmp_path / "sample.sqlite"
    assert cli("new", path, "--from", SAMPLE_TOML).code == 0
    exported = export(cli, path, "toml")
    assert operations.read_project_toml(exported) == operations.read_project_toml(SAMPLE_TOML)
    with Store.open(path) as store:
        assert store.load() == operations.read_project_toml(SAMPLE_TOML)


def test_sample_project_exports_in_every_format(cli: Runner, tmp_path: Path) -> None:
    path = tmp_path / "support-assistant.sqlite"
    assert cli("new", path, "--from", SAMPLE_TOML).code == 0
    report = json.loads(export(cli, path, "json").read_text(encoding="utf-8"))
    assert report["project"]["name"] == "Support reply assistant"
    assert report["readiness"]["verdict"] == "no_go"
    assert len(report["decisions"]) == 4
    assert {d["id"]: d["status"] for d in report["decisions"]}[2] == "superseded"
    assert tomllib.loads(export(cli, path, "toml").read_text(encoding="utf-8"))
    for fmt in ("md", "html"):
        out = path.with_name(f"sample.{fmt}")
        result = cli("export", path, "--format", fmt, "-o", out)
        assert result.code == 0, result.err
        assert "Support reply assistant" in out.read_text(encoding="utf-8")


def test_new_from_can_rename_and_change_risk(cli: Runner, tmp_path: Path) -> None:
    path = tmp_path / "p.sqlite"
    result = cli("new", path, "--from", SAMPLE_TOML, "--name", "Pilot 2", "--risk", "high")
    assert result.code == 0, result.err
    with Store.open(path) as store:
        project = store.load().project
    assert (project.name, project.risk) == ("Pilot 2", "high")


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        (lambda t: t.replace('status = "done"', 'status = "finished"', 1), "checklist[1].status"),
        (lambda t: t.replace("target = 0.9\n", "target = 90\n", 1), "thresholds[1]"),
        (lambda t: t.replace("supersedes = 2", "supersedes = 42", 1), "supersedes decision 42"),
        (lambda t: t.replace('[project]\nname = "', '[project]\nnmae = "', 1), "project.nmae"),
        (lambda t: t.replace("schema_version = 1", "schema_version = ", 1), "line 4"),
    ],
)
def test_malformed_project_toml_is_refused(
    cli: Runner, tmp_path: Path, edit: Any, says: str
) -> None:
    text = SAMPLE_TOML.read_text(encoding="utf-8")
    changed = edit(text)
    assert changed != text
    bad = tmp_path / "bad.toml"
    bad.write_text(changed, encoding="utf-8")
    target = tmp_path / "p.sqlite"
    result = cli("new", target, "--from", bad)
    assert result.code == 2
    assert len(result.err.splitlines()) == 1
    assert str(bad) in result.err
    assert says in result.err
    assert "Traceback" not in result.err
    assert not target.exists()
