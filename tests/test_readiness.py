"""The readiness rules: what blocks, what is only open, and when a project is ready."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from core_support import SAMPLE_TOML, fill_everything, memory_store, sign_everything

from workbench import operations
from workbench.models import AREAS
from workbench.readiness import Readiness, assess
from workbench.store import Store


@pytest.fixture
def ready() -> Iterator[Store]:
    """A medium-risk project with every check satisfied."""
    s = memory_store(risk="medium")
    fill_everything(s)
    yield s
    s.close()


@pytest.fixture
def ready_high() -> Iterator[Store]:
    s = memory_store(risk="high")
    fill_everything(s)
    yield s
    s.close()


def verdict(store: Store) -> Readiness:
    """The verdict once the content as it stands is signed again: the sign-offs made by
    ``fill_everything`` go stale with the test's edit, which is not what it is about."""
    sign_everything(store)
    return operations.readiness(store)


def blockers(result: Readiness) -> list[tuple[str, str]]:
    return [(b.where, b.reason) for b in result.blockers]


def assert_scores_are_fractions(result: Readiness) -> None:
    assert [s.area for s in result.scores] == list(AREAS)
    for score in result.scores:
        assert 0.0 <= score.score <= 1.0
        assert 0 <= score.passed <= score.total
        if score.total:
            assert score.score == pytest.approx(score.passed / score.total)


def test_everything_satisfied_is_go(ready: Store) -> None:
    result = verdict(ready)
    assert result.verdict == "go"
    assert result.blockers == [] and result.open_points == []
    assert all(s.score == 1.0 for s in result.scores)
    assert_scores_are_fractions(result)


def test_high_risk_project_can_be_go(ready_high: Store) -> None:
    result = verdict(ready_high)
    assert result.verdict == "go", [p.reason for p in result.open_points]


def test_a_fresh_project_is_no_go_with_scores_between_zero_and_one(store: Store) -> None:
    result = verdict(store)
    assert result.verdict == "no_go"
    assert_scores_are_fractions(result)
    assert any(s.score < 1.0 for s in result.scores)


def test_threshold_without_reasoning_blocks(ready: Store) -> None:
    ready.update("threshold", "hallucination_rate", {"reasoning": ""}, "ana")
    result = verdict(ready)
    assert result.verdict == "no_go"
    assert blockers(result) == [
        (
            "thresholds:hallucination_rate",
            "Hallucination rate has no written reasoning, so the threshold is not defined",
        )
    ]
    assert result.score("thresholds").score < 1.0


def test_measured_value_that_misses_its_target_blocks(ready: Store) -> None:
    operations.measure(ready, "accuracy", 0.88, "ana", n=200)
    result = verdict(ready)
    assert result.verdict == "no_go"
    assert blockers(result) == [
        ("thresholds:accuracy", "Accuracy measured 88%, which misses the target > 90%")
    ]


def test_target_is_strict_where_the_guide_says_above(ready: Store) -> None:
    operations.measure(ready, "accuracy", 0.90, "ana")
    assert [b.where for b in verdict(ready).blockers] == ["thresholds:accuracy"]


def test_time_that_misses_its_target_blocks(ready: Store) -> None:
    operations.measure(ready, "response_time", 3.4, "ana")
    assert blockers(verdict(ready)) == [
        ("thresholds:response_time", "Response time measured 3.4 s, which misses the target < 3 s")
    ]


def test_unmeasured_threshold_is_only_open(ready: Store) -> None:
    operations.clear_measurement(ready, "error_rate", "ana")
    result = verdict(ready)
    assert result.verdict == "conditional"
    assert [(p.where, p.reason) for p in result.open_points] == [
        ("thresholds:error_rate", "Error rate has not been measured yet")
    ]


def test_test_set_below_its_risk_minimum_blocks(ready: Store) -> None:
    ready.update("dataset", None, {"planned_size": 199, "actual_size": 199}, "ana")
    result = verdict(ready)
    assert result.verdict == "no_go"
    assert blockers(result) == [
        ("dataset", "the test set has 199 cases built, below the minimum of 200 for medium risk")
    ]


def test_test_set_at_the_minimum_passes_and_high_risk_needs_500(ready_high: Store) -> None:
    ready_high.update("dataset", None, {"planned_size": 499, "actual_size": 499}, "ana")
    assert blockers(verdict(ready_high)) == [
        ("dataset", "the test set has 499 cases built, below the minimum of 500 for high risk")
    ]
    ready_high.update("dataset", None, {"actual_size": 500}, "ana")
    assert verdict(ready_high).verdict == "go"


def test_no_test_set_recorded_blocks(ready: Store) -> None:
    ready.update("dataset", None, {"planned_size": 0, "actual_size": 0}, "ana")
    assert [b.where for b in verdict(ready).blockers] == ["dataset"]


def test_planned_but_unbuilt_test_set_is_open(ready: Store) -> None:
    ready.update("dataset", None, {"planned_size": 300, "actual_size": 0}, "ana")
    result = verdict(ready)
    assert result.verdict == "conditional"
    assert [p.where for p in result.open_points] == ["dataset"]


def test_high_risk_without_a_tested_rollback_blocks(ready_high: Store) -> None:
    ready_high.update("rollback", "feature-flag", {"last_tested": None}, "ana")
    result = verdict(ready_high)
    assert result.verdict == "no_go"
    assert blockers(result) == [
        ("incident_response", "no rollback option has been tested (required at high risk)")
    ]


def test_medium_risk_without_a_tested_rollback_does_not_block(ready: Store) -> None:
    ready.update("rollback", "feature-flag", {"last_tested": None}, "ana")
    result = verdict(ready)
    assert result.verdict == "conditional"
    assert result.blockers == []
    assert [(p.where, p.reason) for p in result.open_points] == [
        (
            "checklist:infrastructure.rollback-tested",
            "Rollback rehearsed is ticked, but no rollback rehearsal is recorded "
            "(Incidents: the date, who and what was done)",
        ),
        ("incident_response", "no rollback option has been tested"),
    ]


def test_open_checklist_item_without_blockers_is_conditional(ready: Store) -> None:
    operations.tick(ready, "testing.bias-checked", "open", "ana")
    result = verdict(ready)
    assert result.verdict == "conditional"
    assert [(p.where, p.reason) for p in result.open_points] == [
        ("checklist:testing.bias-checked", "checklist item open: Bias testing done")
    ]
    assert result.score("testing").score == pytest.approx(2 / 3)


def test_not_applicable_with_reason_counts_as_settled(ready: Store) -> None:
    operations.tick(ready, "process.user-feedback", "na", "ana", reason="internal tool")
    assert verdict(ready).verdict == "go"


def test_failed_rollout_gate_blocks(ready: Store) -> None:
    ready.update("stage", 2, {"status": "failed"}, "ana")
    assert [b.where for b in verdict(ready).blockers] == ["rollout"]


def test_high_risk_needs_confidence_not_just_a_point_estimate(ready_high: Store) -> None:
    # 93 out of 100 meets "> 90%" but the 95% interval reaches well below 90%.
    operations.measure(ready_high, "accuracy", 0.93, "ana", n=100)
    result = verdict(ready_high)
    assert result.verdict == "conditional"
    assert [p.where for p in result.open_points] == ["thresholds:accuracy"]
    assert "95% interval still crosses it" in result.open_points[0].reason
    # The same figure is enough for a medium-risk project.
    data = ready_high.load()
    data.project.risk = "medium"
    data.dataset.actual_size = 200
    assert assess(data, {"medium": 200}).verdict == "go"


def test_high_risk_rate_without_a_sample_size_asks_for_one(ready_high: Store) -> None:
    operations.measure(ready_high, "accuracy", 0.97, "ana")
    result = verdict(ready_high)
    assert result.verdict == "conditional"
    assert [p.where for p in result.open_points] == ["thresholds:accuracy"]
    assert "--n" in result.open_points[0].reason


def test_verdict_is_a_pure_function_of_the_content(ready: Store) -> None:
    data = ready.load()
    first = assess(data, {"medium": 200})
    second = assess(data.model_copy(deep=True), {"medium": 200})
    assert first == second
    assert ready.load() == data


def test_sample_project_shows_real_blockers() -> None:
    data = operations.read_project_toml(SAMPLE_TOML)
    result = assess(data, {"low": 50, "medium": 200, "high": 500})
    assert result.verdict == "no_go"
    assert_scores_are_fractions(result)
    wheres = {b.where for b in result.blockers}
    assert "thresholds:error_rate" in wheres  # no reasoning
    assert "thresholds:hallucination_rate" in wheres  # 6.25% misses < 5%
