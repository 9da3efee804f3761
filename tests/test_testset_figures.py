"""The test set's three figures: planned (the plan), built (a person's count of the cases
made and documented) and in the latest run (measured). A run never overwrites the built
figure; a run smaller or larger than it is an open point that says which run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench import operations
from workbench.evaluation.evidence import latest_run
from workbench.evaluation.runs import import_results
from workbench.export import export_reports
from workbench.reports import build_report, render
from workbench.store import Store


def results(tmp_path: Path, name: str, cases: int, right: int | None = None) -> Path:
    """A results file of ``cases`` cases, the first ``right`` of them correct."""
    right = cases if right is None else right
    path = tmp_path / f"{name}.csv"
    lines = ["id,correct"] + [f"case-{i},{'true' if i < right else 'false'}" for i in range(cases)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def built(project: Path) -> Path:
    """A medium-risk project (minimum 200) with 1,200 cases planned and 1,000 built."""
    with Store.open(project) as store:
        operations.edit_test_set(
            store, "Ana", seen=store.get("dataset"), planned_size=1200, actual_size=1000
        )
    return project


def test_a_run_never_overwrites_the_cases_built(built: Path, tmp_path: Path) -> None:
    with Store.open(built) as store:
        import_results(store, results(tmp_path, "smoke", 30), "Dev", label="smoke")
        data, evidence, _ = operations.project_state(store)
        assert (data.dataset.planned_size, data.dataset.actual_size) == (1200, 1000)
        assert store.get("dataset").actual_size == 1000
        # the built figure stays a person's: editable after the run, no false conflict
        operations.edit_test_set(store, "Ana", seen=data.dataset, actual_size=1100)
        assert operations.project_state(store)[0].dataset.actual_size == 1100
        # and the run's figure is the run's own
        run = latest_run(evidence)
        assert run is not None and (run.label, run.case_count) == ("smoke", 30)


def test_a_smoke_run_is_an_open_point_not_a_size_blocker(built: Path, tmp_path: Path) -> None:
    with Store.open(built) as store:
        import_results(store, results(tmp_path, "smoke", 30, right=28), "Dev", label="smoke")
        data, _, readiness = operations.project_state(store)
    assert not [b for b in readiness.blockers if b.where == "dataset"]
    reasons = [p.reason for p in readiness.open_points if p.where == "dataset"]
    assert reasons == [
        "the latest run 'smoke' covered 30 of the 1,000 cases built: "
        "run the whole set before measuring"
    ]
    # the thresholds measured from the run still use the run's figures
    accuracy = next(t for t in data.thresholds if t.metric == "accuracy")
    assert accuracy.measured is not None
    assert (accuracy.measured.value, accuracy.measured.n) == (pytest.approx(28 / 30), 30)


def test_a_run_larger_than_the_cases_built_asks_for_the_figure(built: Path, tmp_path: Path) -> None:
    with Store.open(built) as store:
        import_results(store, results(tmp_path, "full", 1200), "Dev", label="full")
        readiness = operations.readiness(store)
    assert [p.reason for p in readiness.open_points if p.where == "dataset"] == [
        "the latest run 'full' has 1,200 cases but 1,000 are recorded as built: update the figure"
    ]


def test_a_run_of_the_whole_set_raises_nothing(built: Path, tmp_path: Path) -> None:
    with Store.open(built) as store:
        import_results(store, results(tmp_path, "full", 1000), "Dev", label="full")
        readiness = operations.readiness(store)
    assert not [c for c in readiness.checks if c.where == "dataset" and not c.passed]


def test_the_size_check_uses_the_cases_built(built: Path, tmp_path: Path) -> None:
    with Store.open(built) as store:
        store.update("dataset", None, {"actual_size": 150}, "Ana")
        import_results(store, results(tmp_path, "full", 250), "Dev", label="full")
        readiness = operations.readiness(store)
    assert [b.reason for b in readiness.blockers if b.where == "dataset"] == [
        "the test set has 150 cases built, below the minimum of 200 for medium risk"
    ]


def test_a_run_with_nothing_recorded_as_built(project: Path, tmp_path: Path) -> None:
    with Store.open(project) as store:
        store.update("dataset", None, {"planned_size": 300}, "Ana")
        import_results(store, results(tmp_path, "first", 48), "Dev", label="first")
        readiness = operations.readiness(store)
    reasons = [c.reason for c in readiness.checks if c.where == "dataset" and not c.passed]
    assert reasons == [
        "the latest run 'first' has 48 cases but none are recorded as built: update the figure"
    ]
    assert not any("None" in c.reason for c in readiness.checks)


def test_the_reports_show_the_three_figures(built: Path, tmp_path: Path) -> None:
    with Store.open(built) as store:
        import_results(store, results(tmp_path, "v1", 1000), "Dev", label="v1")
        import_results(store, results(tmp_path, "smoke", 30), "Dev", label="smoke")
        data, evidence, _ = operations.project_state(store)
        report = build_report(data, store.template(), store.history(), evidence=evidence)
    markdown = render(report, "md")
    for line in (
        "- **Planned:** 1,200 cases",
        "- **Built:** 1,000 cases",
        "- **In the latest run:** 30 cases (run 2: smoke)",
    ):
        assert line in markdown
    html = render(report, "html")
    for fact in (
        "<dt>Planned</dt><dd>1,200 cases</dd>",
        "<dt>Built</dt><dd>1,000 cases</dd>",
        "<dt>In the latest run</dt><dd>30 cases (run 2: smoke)</dd>",
    ):
        assert fact in html
    dataset = json.loads(render(report, "json"))["dataset"]
    assert (dataset["planned_size"], dataset["actual_size"]) == (1200, 1000)
    assert (dataset["latest_run_cases"], dataset["latest_run"]) == (30, "run 2: smoke")
    assert "None" not in markdown and "None" not in html


def test_the_reports_without_a_run(built: Path) -> None:
    with Store.open(built) as store:
        data, evidence, _ = operations.project_state(store)
        report = build_report(data, store.template(), store.history(), evidence=evidence)
    markdown = render(report, "md")
    assert "- **In the latest run:** no run imported yet" in markdown
    assert "<dt>In the latest run</dt><dd>no run imported yet</dd>" in render(report, "html")
    dataset = json.loads(render(report, "json"))["dataset"]
    assert (dataset["latest_run_cases"], dataset["latest_run"]) == (None, "")


def test_the_exported_report_file_keeps_the_built_figure(built: Path, tmp_path: Path) -> None:
    with Store.open(built) as store:
        import_results(store, results(tmp_path, "smoke", 30), "Dev", label="smoke")
        out = tmp_path / "report.json"
        export_reports(store, ["json"], output=out)
    dataset = json.loads(out.read_text(encoding="utf-8"))["dataset"]
    assert (dataset["actual_size"], dataset["latest_run_cases"]) == (1000, 30)
