"""The JSON report: the keys CI and other tools rely on, and agreement with its schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from core_support import SAMPLE_TOML, Runner

TOP_LEVEL = {
    "schema_version",
    "project",
    "checklist",
    "thresholds",
    "dataset",
    "rollout",
    "monitoring",
    "incident_response",
    "oversight",
    "decisions",
    "history",
    "readiness",
    "evidence",
    "checklist_sections",
    "parking_lot",
    "workshop",
    "sessions",
    "governance",
    "since",
    "guide",
    "generated_at",
}


@pytest.fixture
def report(cli: Runner, tmp_path: Path) -> dict[str, Any]:
    """The JSON report of the sample project, after one more edit."""
    path = tmp_path / "sample.sqlite"
    assert cli("new", path, "--from", SAMPLE_TOML, "--by", "maria").code == 0
    assert (
        cli("measure", path, "harmful_refusal_rate", "96.5%", "--n", "400", "--by", "aiko").code
        == 0
    )
    out = tmp_path / "report.json"
    assert cli("export", path, "--format", "json", "-o", out).code == 0
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def schema(cli: Runner) -> dict[str, Any]:
    result = cli("schema")
    assert result.code == 0
    data: dict[str, Any] = json.loads(result.out)
    return data


def test_top_level_keys(report: dict[str, Any]) -> None:
    assert set(report) >= TOP_LEVEL
    assert report["schema_version"] == 1


def test_checklist_items_carry_id_and_status(report: dict[str, Any]) -> None:
    assert len(report["checklist"]) == 20
    for item in report["checklist"]:
        assert item["id"] and item["status"] in ("open", "done", "na")
    na = [i for i in report["checklist"] if i["status"] == "na"]
    assert na and all(i["reason"] for i in na)


def test_thresholds_carry_metric_comparator_target_reasoning_measured(
    report: dict[str, Any],
) -> None:
    by_metric = {t["metric"]: t for t in report["thresholds"]}
    assert set(by_metric) == {
        "accuracy",
        "hallucination_rate",
        "harmful_refusal_rate",
        "response_time",
        "error_rate",
    }
    for threshold in report["thresholds"]:
        assert {"metric", "comparator", "target", "reasoning", "measured"} <= set(threshold)
    # Rates are fractions in JSON, never percentages.
    refusal = by_metric["harmful_refusal_rate"]
    assert (refusal["comparator"], refusal["target"]) == (">", 0.95)
    assert refusal["measured"]["value"] == pytest.approx(0.965)
    assert refusal["measured"]["n"] == 400
    assert 0 < refusal["measured"]["ci_low"] < 0.965 < refusal["measured"]["ci_high"] < 1
    assert by_metric["error_rate"]["measured"]["status"] == "unmeasured"
    assert by_metric["response_time"]["measured"]["value"] == 2.1


def test_readiness_has_verdict_scores_and_blockers(report: dict[str, Any]) -> None:
    readiness = report["readiness"]
    assert readiness["verdict"] == "no_go"
    assert [s["area"] for s in readiness["scores"]] == [
        "testing",
        "thresholds",
        "dataset",
        "rollout",
        "monitoring",
        "incident_response",
        "oversight",
        "documentation",
    ]
    assert all(0 <= s["score"] <= 1 for s in readiness["scores"])
    assert readiness["blockers"]
    for blocker in readiness["blockers"]:
        assert blocker["reason"] and blocker["where"]


def test_history_records_who_changed_what(report: dict[str, Any]) -> None:
    newest = report["history"][0]
    assert (newest["by"], newest["entity"], newest["key"], newest["field"]) == (
        "aiko",
        "threshold",
        "harmful_refusal_rate",
        "measured",
    )
    assert newest["old"] is None and newest["new"]["value"] == pytest.approx(0.965)
    assert report["history"][-1]["by"] == "maria"


def test_report_matches_the_schema_keys(report: dict[str, Any], schema: dict[str, Any]) -> None:
    # every key the report has is required by the schema: a tool can rely on each
    assert set(schema["required"]) == set(report) == set(schema["properties"]) == TOP_LEVEL


def test_report_validates_against_the_schema(
    report: dict[str, Any], schema: dict[str, Any]
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(report, schema)
