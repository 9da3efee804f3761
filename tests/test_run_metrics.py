"""A run's metrics, the thresholds' status, the bias check and the verdict, against figures
worked out independently.

Every expected figure is computed in the test: counts with Python's csv module over the
same file, the Wilson and Newcombe intervals from their formulas (results_support.py),
the mean's interval with statistics.stdev, the 95th percentile by nearest rank.
"""

from __future__ import annotations

import json
import math
import statistics
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from core_support import Runner, fill_everything, sign_everything
from results_support import (
    RENAMED_CSV,
    RENAMED_MAP,
    STANDARD_CSV,
    Z,
    cases,
    count,
    export_json,
    imported,
    json_out,
    latencies_s,
    nearest_rank_p95,
    new_project,
    newcombe_by_hand,
    query,
    read_rows,
    runs_json,
    threshold_of,
    wilson_by_hand,
    write_results,
)

from workbench import operations
from workbench.models import Risk
from workbench.store import Store

Row = Mapping[str, str]


def expect_rate(measured: Mapping[str, Any], k: int, n: int) -> None:
    assert (measured["successes"], measured["n"]) == (k, n)
    assert measured["value"] == pytest.approx(k / n, abs=1e-12)
    low, high = wilson_by_hand(k, n)
    assert measured["ci_low"] == pytest.approx(low, abs=1e-12)
    assert measured["ci_high"] == pytest.approx(high, abs=1e-12)


def expect_mean(measured: Mapping[str, Any], seconds: list[float]) -> None:
    n = len(seconds)
    mean = statistics.fmean(seconds)
    half = Z * statistics.stdev(seconds) / math.sqrt(n)
    assert measured["n"] == n
    assert measured["value"] == pytest.approx(mean, rel=1e-12)
    assert measured["ci_low"] == pytest.approx(max(mean - half, 0.0), rel=1e-9)
    assert measured["ci_high"] == pytest.approx(mean + half, rel=1e-9)


def agreement(rows: list[Row]) -> tuple[int, int]:
    """How many outputs match the person's answer (case and spacing aside), of those given."""
    given = [r for r in rows if r["human_output"].strip()]
    same = [r for r in given if r["output"].strip().lower() == r["human_output"].strip().lower()]
    return len(same), len(given)


def harmful(row: Row) -> bool:
    return row["kind"] == "harmful"


def expect_slice(measured: Mapping[str, Any], rows: list[Row]) -> None:
    assert measured["rows"] == len(rows)
    for name, field, keep in (
        ("accuracy", "correct", None),
        ("hallucination_rate", "hallucinated", None),
        ("error_rate", "error", None),
        ("harmful_refusal_rate", "refused", harmful),
    ):
        k, n = count(rows, field, keep) if keep else count(rows, field)
        if n:
            expect_rate(measured[name], k, n)
        else:
            assert (measured[name]["n"], measured[name]["value"]) == (0, None)
    k, n = agreement(rows)
    if n:
        expect_rate(measured["human_agreement"], k, n)
    seconds = latencies_s(rows)
    if len(seconds) > 1:
        expect_mean(measured["response_time"], seconds)


def latest_metrics(cli: Runner, project: Path) -> dict[str, Any]:
    evidence = runs_json(cli, project)
    run = next(r for r in evidence["runs"] if r["id"] == evidence["latest"])
    metrics: dict[str, Any] = run["metrics"]
    return metrics


# -------------------------------------------------------------- the metrics


def test_overall_metrics_match_a_count_by_hand(cli: Runner, project: Path) -> None:
    imported(cli, project, STANDARD_CSV)
    metrics = latest_metrics(cli, project)
    rows = read_rows(STANDARD_CSV)
    # the counts, for a reader who opens tests/data/results.csv
    assert count(rows, "correct") == (40, 46)  # two system errors are not judged
    assert count(rows, "refused", harmful) == (5, 6)
    assert count(rows, "refused") == (6, 8)  # an adversarial refusal is not a harmful one
    assert agreement(rows) == (5, 10)
    expect_slice(metrics, rows)
    seconds = latencies_s(rows)
    assert len(seconds) == 45
    assert metrics["p95_response_time"] == pytest.approx(nearest_rank_p95(seconds))
    assert metrics["p95_response_time"] == pytest.approx(2.998)  # the 43rd of 45
    assert metrics["by_kind"] == {"adversarial": 4, "edge": 8, "harmful": 6, "normal": 30}


@pytest.mark.parametrize(("column", "key"), [("category", "by_category"), ("group", "by_group")])
def test_metrics_per_category_and_group_match_a_count_by_hand(
    cli: Runner, project: Path, column: str, key: str
) -> None:
    imported(cli, project, STANDARD_CSV)
    metrics = latest_metrics(cli, project)
    rows = read_rows(STANDARD_CSV)
    names = sorted({r[column] for r in rows})
    assert sorted(metrics[key]) == names
    for name in names:
        expect_slice(metrics[key][name], [r for r in rows if r[column] == name])


def test_p95_is_the_nearest_rank(cli: Runner, project: Path, tmp_path: Path) -> None:
    # 1..40 ms → rank ceil(0.95 · 40) = 38: 38 ms, not an interpolated 38.05 ms
    path = write_results(
        tmp_path / "lat.csv",
        [{"id": f"r{i}", "latency_ms": str(ms)} for i, ms in enumerate(range(40, 0, -1))],
    )
    imported(cli, project, path)
    metrics = latest_metrics(cli, project)
    assert (
        metrics["p95_response_time"]
        == 0.038
        == nearest_rank_p95([ms / 1000 for ms in range(1, 41)])
    )
    expect_mean(metrics["response_time"], [ms / 1000 for ms in range(1, 41)])


def test_a_mean_with_a_wide_spread_stops_at_zero_seconds(
    cli: Runner, project: Path, tmp_path: Path
) -> None:
    latencies = [5, 5, 5, 5, 5, 5, 5, 5, 5, 9000]
    path = write_results(
        tmp_path / "lat.csv",
        [{"id": f"r{i}", "latency_ms": str(ms)} for i, ms in enumerate(latencies)],
    )
    imported(cli, project, path)
    measured = latest_metrics(cli, project)["response_time"]
    expect_mean(measured, [ms / 1000 for ms in latencies])
    assert measured["ci_low"] == 0.0


def test_other_files_by_hand(cli: Runner, project: Path, tmp_path: Path) -> None:
    imported(cli, project, RENAMED_CSV, *RENAMED_MAP)
    metrics = latest_metrics(cli, project)
    rows = [
        {
            "category": r["topic"],
            "group": r["segment"],
            "kind": r["type"],
            "correct": r["is_correct"],
            "hallucinated": "",
            "refused": "",
            "error": "",
            "human_output": "",
            "output": r["answer"],
            "latency_ms": r["ms"],
        }
        for r in read_rows(RENAMED_CSV)
    ]
    expect_slice(metrics, rows)
    for group in ("new customers", "long-time customers"):
        expect_slice(metrics["by_group"][group], [r for r in rows if r["group"] == group])


# ------------------------------------------------------------- thresholds


GOOD_SLIGHTLY = cases({"a": (300, 276), "b": (300, 276)}, harmful=(100, 100))  # accuracy 92%


def test_threshold_status_from_the_latest_run(cli: Runner, project: Path, tmp_path: Path) -> None:
    imported(cli, project, STANDARD_CSV, "--label", "first")
    report = export_json(cli, project)
    statuses = {t["metric"]: t["measured"]["status"] for t in report["thresholds"]}
    assert statuses == {
        "accuracy": "not_met",  # 87% < 90%
        "hallucination_rate": "not_met",  # 6.7% ≥ 5%
        "harmful_refusal_rate": "not_met",  # 83% < 95%
        "response_time": "met_with_confidence",  # 1.7 s, interval well below 3 s
        "error_rate": "not_met",  # 4.2% ≥ 1%
    }
    rows = read_rows(STANDARD_CSV)
    accuracy = threshold_of(report, "accuracy")["measured"]
    k, n = count(rows, "correct")
    low, high = wilson_by_hand(k, n)
    assert accuracy["value"] == pytest.approx(k / n)
    assert accuracy["n"] == n
    assert (accuracy["ci_low"], accuracy["ci_high"]) == pytest.approx((low, high), abs=1e-12)
    assert accuracy["source"] == "run 1: first"

    path = write_results(tmp_path / "better.csv", GOOD_SLIGHTLY)
    imported(cli, project, path, "--label", "second")
    report = export_json(cli, project)
    accuracy = threshold_of(report, "accuracy")["measured"]
    low, high = wilson_by_hand(552, 600)
    assert (accuracy["value"], accuracy["n"], accuracy["status"]) == (0.92, 600, "met")
    assert (accuracy["ci_low"], accuracy["ci_high"]) == pytest.approx((low, high), abs=1e-12)
    assert low < 0.90 < 0.92  # the point estimate meets the target, the interval does not
    assert accuracy["source"] == "run 2: second"
    refusal = threshold_of(report, "harmful_refusal_rate")["measured"]
    assert (refusal["n"], refusal["status"]) == (100, "met_with_confidence")
    assert wilson_by_hand(100, 100)[0] > 0.95
    # the run's case count is the run's own; the cases built stay a person's figure
    assert (report["dataset"]["actual_size"], report["dataset"]["latest_run_cases"]) == (0, 700)
    assert report["dataset"]["latest_run"] == "run 2: second"
    assert [(r["id"], r["label"], r["rows"]) for r in report["evidence"]["runs"]] == [
        (1, "first", 48),
        (2, "second", 700),
    ]
    assert report["evidence"]["latest"] == 2
    first_run = report["evidence"]["runs"][0]["metrics"]
    expect_rate(first_run["accuracy"], k, n)
    expect_rate(report["evidence"]["runs"][1]["metrics"]["accuracy"], 552, 600)


def test_met_with_confidence_when_the_whole_interval_clears(
    cli: Runner, project: Path, tmp_path: Path
) -> None:
    path = write_results(tmp_path / "r.csv", cases({"a": (200, 190), "b": (200, 190)}))
    imported(cli, project, path)
    measured = threshold_of(export_json(cli, project), "accuracy")["measured"]
    assert wilson_by_hand(380, 400)[0] > 0.90
    assert (measured["value"], measured["status"]) == (0.95, "met_with_confidence")
    out = cli("status", project).out
    assert "Accuracy measured" not in out


def test_a_metric_no_run_measures_is_unmeasured(cli: Runner, project: Path) -> None:
    imported(cli, project, RENAMED_CSV, *RENAMED_MAP)  # no hallucination, refusal or error columns
    report = export_json(cli, project)
    for metric in ("hallucination_rate", "harmful_refusal_rate", "error_rate"):
        measured = threshold_of(report, metric)["measured"]
        assert measured["status"] == "unmeasured", metric
        assert (measured["value"], measured["n"], measured["ci_low"]) == (None, None, None)
    assert threshold_of(report, "accuracy")["measured"]["status"] == "not_met"  # 70%
    points = json_out(cli("check", project, "--json"))["open_points"]
    assert "Error rate has not been measured yet" in {p["reason"] for p in points}


def at(monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    """Make imports and hand-entered measures happen at ``when``."""
    monkeypatch.setattr("workbench.evaluation.runs.now", lambda: when)
    monkeypatch.setattr("workbench.operations.thresholds.now", lambda: when)


def test_a_hand_entered_measure_newer_than_the_run_wins(
    cli: Runner, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, "2025-03-01T09:00:00+00:00")
    imported(cli, project, STANDARD_CSV)
    at(monkeypatch, "2025-03-02T09:00:00+00:00")
    cli("measure", project, "accuracy", "0.96", "--n", "1000", "--source", "vendor audit")
    measured = threshold_of(export_json(cli, project), "accuracy")["measured"]
    assert (measured["value"], measured["n"], measured["source"]) == (0.96, 1000, "vendor audit")
    assert measured["status"] == "met_with_confidence"
    assert (measured["ci_low"], measured["ci_high"]) == pytest.approx(wilson_by_hand(960, 1000))
    # the other thresholds still come from the run
    assert threshold_of(export_json(cli, project), "error_rate")["measured"]["source"].startswith(
        "run 1:"
    )


def test_a_hand_entered_measure_older_than_the_run_loses(
    cli: Runner, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, "2025-03-01T09:00:00+00:00")
    cli("measure", project, "accuracy", "0.96", "--n", "1000", "--source", "vendor audit")
    at(monkeypatch, "2025-03-02T09:00:00+00:00")
    imported(cli, project, STANDARD_CSV, "--label", "fresh")
    measured = threshold_of(export_json(cli, project), "accuracy")["measured"]
    assert (measured["value"], measured["source"]) == (pytest.approx(40 / 46), "run 1: fresh")
    assert measured["status"] == "not_met"
    # the hand-entered value is kept in the file, only outranked
    ((stored,),) = query(project, "SELECT measured FROM thresholds WHERE metric = 'accuracy'")
    assert json.loads(stored)["source"] == "vendor audit"


def test_the_latest_run_wins_over_an_earlier_one(
    cli: Runner, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, "2025-03-01T09:00:00+00:00")
    imported(cli, project, write_results(tmp_path / "good.csv", GOOD_SLIGHTLY), "--label", "good")
    at(monkeypatch, "2025-03-02T09:00:00+00:00")
    imported(cli, project, STANDARD_CSV, "--label", "worse")
    measured = threshold_of(export_json(cli, project), "accuracy")["measured"]
    assert (measured["status"], measured["source"]) == ("not_met", "run 2: worse")


# ---------------------------------------------------------------- verdict


def ready_project(tmp_path: Path, risk: Risk, built: int | None = None) -> Path:
    """A project that passes every check; ``built`` cases recorded as built (the run to
    be imported's size: a run larger than the cases built is an open point)."""
    path = new_project(tmp_path, risk)
    with Store.open(path) as store:
        fill_everything(store)
        if built is not None:
            store.update("dataset", None, {"actual_size": built}, "filler")
    return path


def signed_again(project: Path) -> None:
    """The required sign-offs, of the project with its run (an import stales them)."""
    with Store.open(project) as store:
        sign_everything(store)


def test_not_met_is_a_blocker(cli: Runner, tmp_path: Path) -> None:
    project = ready_project(tmp_path, "medium")
    assert cli("check", project).code == 0
    imported(cli, project, STANDARD_CSV)
    result = cli("check", project, "--json")
    assert result.code == 1
    verdict = json_out(result)
    assert verdict["verdict"] == "no_go"
    reasons = {b["where"]: b["reason"] for b in verdict["blockers"]}
    assert reasons["thresholds:accuracy"] == (
        "Accuracy measured 86.96%, which misses the target > 90%"
    )


@pytest.mark.parametrize(
    ("risk", "verdict", "code"), [("high", "conditional", 1), ("medium", "go", 0)]
)
def test_met_without_confidence_is_conditional_at_high_risk(
    cli: Runner, tmp_path: Path, risk: Risk, verdict: str, code: int
) -> None:
    project = ready_project(tmp_path, risk, built=700)
    imported(cli, project, write_results(tmp_path / "run.csv", GOOD_SLIGHTLY))
    signed_again(project)
    result = cli("check", project, "--json")
    assert result.code == code
    readiness = json_out(result)
    assert readiness["verdict"] == verdict
    assert readiness["blockers"] == []
    if risk == "high":
        assert [
            {k: p[k] for k in ("area", "reason", "where")} for p in readiness["open_points"]
        ] == [
            {
                "area": "thresholds",
                "reason": "Accuracy meets its target, but its 95% interval still crosses it "
                "(a high-risk system needs more cases)",
                "where": "thresholds:accuracy",
            }
        ]
        assert cli("check", project, "--allow-conditional").code == 0


# ------------------------------------------------------------------- bias


def two_groups(tmp_path: Path, a: tuple[int, int], b: tuple[int, int]) -> Path:
    return write_results(tmp_path / "groups.csv", cases({"a": a, "b": b}))


def bias_of(cli: Runner, project: Path) -> dict[str, Any]:
    bias: dict[str, Any] = export_json(cli, project)["evidence"]["bias"]
    return bias


def outcome_by_hand(low: float, high: float, max_gap: float = 0.05) -> str:
    """Like a threshold: wholly below the maximum, wholly above it, or not settled."""
    return "within" if high < max_gap else "over" if low > max_gap else "not_settled"


@pytest.mark.parametrize(
    ("a", "b", "outcome"),
    [
        ((100, 90), (100, 82), "not_settled"),  # 8 points, interval -1.6 to 17.6
        ((2000, 1900), (2000, 1820), "not_settled"),  # 4 points, but the interval reaches 5
        ((300, 290), (300, 250), "over"),  # 13.3 points, interval 8.7 to 18.2
        ((50, 46), (50, 45), "not_settled"),  # 2 points on 50 cases proves nothing
        ((4000, 3800), (4000, 3780), "within"),  # 0.5 points on 4,000 a group
        ((5, 4), (8, 3), "not_settled"),  # 42.5 points between groups of 5 and 8
    ],
)
def test_the_bias_check_has_three_outcomes(
    cli: Runner,
    project: Path,
    tmp_path: Path,
    a: tuple[int, int],
    b: tuple[int, int],
    outcome: str,
) -> None:
    imported(cli, project, two_groups(tmp_path, a, b))
    bias = bias_of(cli, project)
    low, high = newcombe_by_hand(a[1], a[0], b[1], b[0])
    gap = a[1] / a[0] - b[1] / b[0]
    assert (bias["best_group"], bias["worst_group"]) == ("a", "b")
    assert bias["gap"] == pytest.approx(gap)
    assert (bias["ci_low"], bias["ci_high"]) == pytest.approx((low, high), abs=1e-12)
    assert outcome_by_hand(low, high) == outcome  # the case is what it says
    assert bias["outcome"] == outcome
    assert bias["flagged"] is (outcome == "over")
    line = next(x for x in cli("runs", project).out.splitlines() if x.startswith("Largest"))
    words = {"within": "within the maximum", "over": "OVER THE MAXIMUM"}
    assert line.startswith(
        f"Largest accuracy gap between groups: a vs b, {gap:.1%} (95% {low:.1%} to {high:.1%}), "
        f"{words.get(outcome, 'NOT SETTLED')}: "
    )
    if outcome != "not_settled":
        assert bias["settle_cases"] is None
        return
    # How many cases a group would need: at that size the interval (worked out by hand at
    # the same rates) is wholly on one side of the maximum, one case fewer it is not.
    n = bias["settle_cases"]
    assert f"about {n} cases in each group would settle it" in bias["reason"]
    p, q = a[1] / a[0], b[1] / b[0]
    at = newcombe_by_hand(p * n, n, q * n, n)
    before = newcombe_by_hand(p * (n - 1), n - 1, q * (n - 1), n - 1)
    assert outcome_by_hand(*at) != "not_settled"
    assert outcome_by_hand(*before) == "not_settled"


def test_a_gap_at_the_maximum_cannot_be_settled(cli: Runner, project: Path, tmp_path: Path) -> None:
    imported(cli, project, two_groups(tmp_path, (100, 90), (100, 85)))
    bias = bias_of(cli, project)
    assert (bias["outcome"], bias["settle_cases"]) == ("not_settled", None)
    assert "too close to the maximum for any test set to settle it" in bias["reason"]


def test_the_maximum_gap_is_the_projects(cli: Runner, project: Path, tmp_path: Path) -> None:
    imported(cli, project, two_groups(tmp_path, (300, 290), (300, 250)))
    assert bias_of(cli, project)["outcome"] == "over"
    with Store.open(project) as store:
        store.update("dataset", None, {"max_group_gap": 0.20}, "ana")
    bias = bias_of(cli, project)
    assert (bias["outcome"], bias["max_gap"]) == ("within", 0.20)


@pytest.mark.parametrize("risk", ["medium", "high"])
def test_a_gap_not_settled_is_an_open_point_never_a_pass_nor_a_blocker(
    cli: Runner, tmp_path: Path, risk: Risk
) -> None:
    project = new_project(tmp_path, risk)
    imported(cli, project, STANDARD_CSV)  # en 20/24, es 20/22: 7.6 points apart
    readiness = json_out(cli("check", project, "--json"))
    en, es = (20, 24), (20, 22)
    gap = es[0] / es[1] - en[0] / en[1]
    low, high = newcombe_by_hand(es[0], es[1], en[0], en[1])
    assert outcome_by_hand(low, high) == "not_settled"
    expected = f"accuracy differs between groups 'es' and 'en' by {gap:.1%}: not settled: "
    blockers = [b["reason"] for b in readiness["blockers"] if b["reason"].startswith(expected)]
    points = [p["reason"] for p in readiness["open_points"] if p["reason"].startswith(expected)]
    assert (len(blockers), len(points)) == (0, 1)


@pytest.mark.parametrize("risk", ["medium", "high"])
def test_a_gap_over_the_maximum_is_a_blocker_at_high_risk(
    cli: Runner, tmp_path: Path, risk: Risk
) -> None:
    project = new_project(tmp_path, risk)
    imported(cli, project, two_groups(tmp_path, (300, 290), (300, 250)))
    readiness = json_out(cli("check", project, "--json"))
    expected = "accuracy differs between groups 'a' and 'b' by 13.3%: the gap of 13.3% is above"
    blockers = [b for b in readiness["blockers"] if b["reason"].startswith(expected)]
    points = [p for p in readiness["open_points"] if p["reason"].startswith(expected)]
    assert (len(blockers), len(points)) == ((1, 0) if risk == "high" else (0, 1))


def test_one_group_has_no_gap(cli: Runner, project: Path, tmp_path: Path) -> None:
    imported(cli, project, write_results(tmp_path / "one.csv", cases({"a": (50, 45)})))
    assert export_json(cli, project)["evidence"]["bias"] is None
    assert "Largest accuracy gap" not in cli("runs", project).out


def test_an_under_represented_group_is_an_open_point(
    cli: Runner, project: Path, tmp_path: Path
) -> None:
    imported(cli, project, two_groups(tmp_path, (95, 90), (5, 5)))
    assert "Under-represented group 'b': only 5% of the cases (an even share is 50%)" in (
        cli("runs", project).out
    )
    points = {p["reason"] for p in json_out(cli("check", project, "--json"))["open_points"]}
    assert (
        "under-represented in the latest run: group b (only 5% of the cases "
        "(an even share is 50%))" in points
    )


# -------------------------------------------------------------------- JUnit


def test_check_junit_has_a_testcase_per_threshold_check_and_per_blocker(
    cli: Runner, project: Path
) -> None:
    imported(cli, project, STANDARD_CSV)
    junit = project.parent / "readiness.xml"
    result = cli("check", project, "--junit", junit)
    assert result.code == 1
    readiness = json_out(cli("check", project, "--json"))
    root = ET.fromstring(junit.read_bytes())  # valid XML
    (suite,) = root.findall("testsuite")
    cases_ = suite.findall("testcase")
    checks = readiness["checks"]
    assert len(cases_) == len(checks) == int(suite.get("tests", "-1"))
    names = [c.get("name") for c in cases_]
    data = export_json(cli, project)
    for threshold in data["thresholds"]:
        assert f"{threshold['name']}: reasoning recorded" in names
        assert f"{threshold['name']}: target met" in names
    assert "No accuracy gap between user groups" in names
    failed = [f for f in (c.find("failure") for c in cases_) if f is not None]
    failures = {f.get("message"): f.get("type") for f in failed}
    assert len(failures) == len(failed)  # one failing test case per failing check
    for blocker in readiness["blockers"]:
        assert failures[blocker["reason"]] == "blocker"
    assert sum(kind == "blocker" for kind in failures.values()) == len(readiness["blockers"])
    assert failures["Accuracy measured 86.96%, which misses the target > 90%"] == "blocker"
    assert int(suite.get("failures", "-1")) == sum(not c["passed"] for c in checks)
    passed = next(c for c in cases_ if c.get("name") == "Response time: target met")
    assert list(passed) == []


def test_check_junit_with_a_ready_project(cli: Runner, tmp_path: Path) -> None:
    project = ready_project(tmp_path, "medium", built=700)
    imported(cli, project, write_results(tmp_path / "run.csv", GOOD_SLIGHTLY))
    signed_again(project)
    junit = tmp_path / "ci.xml"
    assert cli("check", project, "--junit", junit).code == 0
    suite = ET.fromstring(junit.read_bytes()).find("testsuite")
    assert suite is not None
    assert (suite.get("failures"), suite.get("errors")) == ("0", "0")


def test_operations_and_cli_agree_on_the_evidence(cli: Runner, project: Path) -> None:
    imported(cli, project, STANDARD_CSV)
    with Store.open(project) as store:
        data, evidence, readiness = operations.project_state(store)
    assert evidence.latest == 1
    assert evidence.model_dump(mode="json") == runs_json(cli, project)
    checked = json_out(cli("check", project, "--json"))
    assert readiness.model_dump(mode="json") == {
        k: v for k, v in checked.items() if k not in ("signoffs", "missing_signoffs", "ok")
    }
    assert data.dataset.actual_size == 0  # the cases built are a person's figure, not the run's
    assert evidence.runs[0].case_count == 48


def test_check_junit_stays_valid_xml_with_control_characters_in_the_results(
    cli: Runner, project: Path, tmp_path: Path
) -> None:
    # a vertical tab, as some spreadsheet exports write a line break inside a cell
    rows = cases({"en": (40, 40)}, categories=("billing",))
    rows.append({"id": "odd", "category": "bil\x0bling", "group": "en", "correct": "true"})
    imported(cli, project, write_results(tmp_path / "odd.csv", rows))
    junit = tmp_path / "ci.xml"
    cli("check", project, "--junit", junit)
    root = ET.fromstring(junit.read_bytes())
    messages = [f.get("message", "") for f in root.iter("failure")]
    assert any("category bil\ufffdling (only 2% of the cases" in m for m in messages)
