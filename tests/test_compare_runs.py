"""Comparing two runs: each metric's change with its interval, regressions flagged, CI's exit code.

The expected intervals are worked out here: Newcombe's interval for the difference of
two rates from two Wilson intervals, and for the mean response time the normal
interval of a difference of two means, z · sqrt(s₁²/n₁ + s₂²/n₂).
"""

from __future__ import annotations

import math
import statistics
from pathlib import Path
from typing import Any

import pytest
from core_support import Runner
from results_support import (
    JSONL,
    STANDARD_CSV,
    Z,
    cases,
    imported,
    json_out,
    newcombe_by_hand,
    one_line_error,
    write_results,
)

from workbench.evaluation.evidence import compare_runs
from workbench.evaluation.runs import get_run
from workbench.store import Store


def run_file(tmp_path: Path, name: str, right: int, n: int = 400, **extra: Any) -> Path:
    half = n // 2
    rows = cases(
        {"a": (half, right // 2), "b": (n - half, right - right // 2)}, prefix=name, **extra
    )
    return write_results(tmp_path / f"{name}.csv", rows)


def changes(cli: Runner, project: Path, *args: object) -> dict[str, dict[str, Any]]:
    result = cli("compare", project, *args, "--json")
    assert result.code == 0, result.err
    found: list[dict[str, Any]] = json_out(result)["metrics"]
    return {c["metric"]: c for c in found}


def test_a_clearly_worse_run_is_a_regression(cli: Runner, project: Path, tmp_path: Path) -> None:
    imported(cli, project, run_file(tmp_path, "before", 380), "--label", "v1")  # 95%
    imported(cli, project, run_file(tmp_path, "after", 320), "--label", "v2")  # 80%
    result = cli("compare", project)
    assert result.code == 0  # only --fail-on-regression turns it into a failure
    lines = result.out.splitlines()
    assert lines[0] == "Run 1 (v1) → run 2 (v2)"
    low, high = newcombe_by_hand(320, 400, 380, 400)
    accuracy = next(line for line in lines if line.strip().startswith("Accuracy"))
    assert f"-15.0 pts ({low * 100:+.1f} to {high * 100:+.1f})" in accuracy
    assert accuracy.endswith("REGRESSION: lower, beyond chance")
    assert high < 0
    failing = cli("compare", project, "--fail-on-regression")
    assert failing.code == 1
    assert failing.out == result.out
    accuracy_change = changes(cli, project)["accuracy"]
    assert accuracy_change["before"] == 0.95
    assert accuracy_change["after"] == 0.80
    assert accuracy_change["change"] == pytest.approx(-0.15)
    assert (accuracy_change["ci_low"], accuracy_change["ci_high"]) == pytest.approx(
        (low, high), abs=1e-12
    )
    assert accuracy_change["verdict"] == "regression"


def test_a_slightly_worse_run_is_worse_not_a_regression(
    cli: Runner, project: Path, tmp_path: Path
) -> None:
    imported(cli, project, run_file(tmp_path, "before", 370))
    imported(cli, project, run_file(tmp_path, "after", 362))
    accuracy = changes(cli, project)["accuracy"]
    low, high = newcombe_by_hand(362, 400, 370, 400)
    assert low < 0 < high
    assert (accuracy["ci_low"], accuracy["ci_high"]) == pytest.approx((low, high), abs=1e-12)
    assert accuracy["verdict"] == "worse"
    assert cli("compare", project, "--fail-on-regression").code == 0


def test_better_same_and_not_comparable(cli: Runner, project: Path, tmp_path: Path) -> None:
    imported(cli, project, run_file(tmp_path, "before", 300))
    imported(cli, project, run_file(tmp_path, "after", 390))
    found = changes(cli, project)
    assert found["accuracy"]["verdict"] == "improvement"  # 75% → 97.5%: beyond chance
    assert found["hallucination_rate"]["verdict"] == "same"  # none in either
    assert found["harmful_refusal_rate"]["verdict"] == "not comparable"  # no harmful cases
    assert found["harmful_refusal_rate"]["change"] is None
    assert cli("compare", project, "--fail-on-regression").code == 0
    assert "NOT COMPARABLE" in cli("compare", project).out


def test_the_response_time_interval_by_hand(cli: Runner, project: Path, tmp_path: Path) -> None:
    # mostly fast with two very slow answers: the mean's own interval reaches below zero
    # seconds (and stops there), but the change's interval must not shrink because of it
    before_ms = [50] * 18 + [9000, 9000]
    after_ms = [1000 + 10 * i for i in range(20)]
    for name, latencies in (("before", before_ms), ("after", after_ms)):
        rows = [{"id": f"{name}{i}", "latency_ms": str(ms)} for i, ms in enumerate(latencies)]
        imported(cli, project, write_results(tmp_path / f"{name}.csv", rows))
    a = [ms / 1000 for ms in after_ms]
    b = [ms / 1000 for ms in before_ms]
    delta = statistics.fmean(a) - statistics.fmean(b)
    half = Z * math.sqrt(statistics.variance(a) / len(a) + statistics.variance(b) / len(b))
    assert statistics.fmean(b) - Z * statistics.stdev(b) / math.sqrt(len(b)) < 0
    found = changes(cli, project)["response_time"]
    assert found["change"] == pytest.approx(delta)
    assert (found["ci_low"], found["ci_high"]) == pytest.approx((delta - half, delta + half))
    assert found["verdict"] == "worse"  # slower on average, but not beyond chance


def test_slower_beyond_chance_is_a_regression(cli: Runner, project: Path, tmp_path: Path) -> None:
    imported(cli, project, run_file(tmp_path, "before", 380, latency_ms=800))
    imported(cli, project, run_file(tmp_path, "after", 380, latency_ms=1400))
    found = changes(cli, project)
    assert found["response_time"]["verdict"] == "regression"
    assert found["response_time"]["change"] == pytest.approx(0.6)
    # slower is worse for a response time: "higher" and a regression, not "worse: lower"
    line = next(x for x in cli("compare", project).out.splitlines() if "response time" in x)
    assert line.endswith("REGRESSION: higher, beyond chance")
    assert found["accuracy"]["verdict"] == "same"
    assert cli("compare", project, "--fail-on-regression").code == 1


def test_compare_named_runs_in_either_order(cli: Runner, project: Path, tmp_path: Path) -> None:
    imported(cli, project, run_file(tmp_path, "good", 380), "--label", "good")
    imported(cli, project, STANDARD_CSV, "--label", "other")
    imported(cli, project, run_file(tmp_path, "bad", 320), "--label", "bad")
    assert changes(cli, project, "1", "3")["accuracy"]["verdict"] == "regression"
    assert changes(cli, project, "3", "1")["accuracy"]["verdict"] == "improvement"
    out = cli("compare", project, "1", "3").out
    assert out.splitlines()[0] == "Run 1 (good) → run 3 (bad)"
    # default: the latest two
    assert cli("compare", project).out.splitlines()[0] == "Run 2 (other) → run 3 (bad)"


def test_compare_needs_two_runs(cli: Runner, project: Path, tmp_path: Path) -> None:
    assert "comparing needs two runs" in one_line_error(cli("compare", project))
    imported(cli, project, JSONL)
    assert "comparing needs two runs" in one_line_error(cli("compare", project))
    assert one_line_error(cli("compare", project, "1", "9")) == (
        "workbench: no run 9 in this project (runs: 1)"
    )
    assert "must be at least 1" in one_line_error(cli("compare", project, "0", "1"))


def test_compare_runs_matches_the_cli(cli: Runner, project: Path, tmp_path: Path) -> None:
    imported(cli, project, STANDARD_CSV)
    imported(cli, project, JSONL)
    with Store.open(project) as store:
        before, after = get_run(store, 1), get_run(store, 2)
    expected = [c.model_dump(mode="json") for c in compare_runs(before.metrics, after.metrics)]
    assert list(changes(cli, project).values()) == expected


def test_a_small_gain_is_better_but_could_be_chance(
    cli: Runner, project: Path, tmp_path: Path
) -> None:
    imported(cli, project, run_file(tmp_path, "before", 362))
    imported(cli, project, run_file(tmp_path, "after", 370))
    accuracy = changes(cli, project)["accuracy"]
    assert accuracy["ci_low"] < 0 < accuracy["ci_high"]
    assert accuracy["verdict"] == "better"
    line = next(x for x in cli("compare", project).out.splitlines() if "Accuracy" in x)
    assert line.endswith("BETTER: higher, could be chance")
