"""The pydantic models: a bad value is refused with a message that names the field."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from workbench.errors import describe_validation_error
from workbench.models import (
    ChecklistItem,
    Decision,
    Measurement,
    ProjectData,
    Threshold,
    compare,
)


def error_of(raw: dict[str, Any]) -> str:
    """The one-line message a person sees for a project document that fails validation."""
    with pytest.raises(ValidationError) as caught:
        ProjectData.model_validate(raw)
    message = describe_validation_error(caught.value)
    assert "\n" not in message
    return message


def project(**content: Any) -> dict[str, Any]:
    return {"project": {"name": "Demo"}, **content}


def item(**fields: Any) -> dict[str, Any]:
    return {"id": "testing.edge-cases", "section": "testing", "title": "Edge cases", **fields}


def test_not_applicable_without_reason_is_refused_and_names_the_item_and_reason() -> None:
    message = error_of(project(checklist=[item(status="na")]))
    assert message.startswith("checklist[1]")
    assert "testing.edge-cases" in message
    assert "reason" in message


def test_not_applicable_with_reason_is_accepted() -> None:
    saved = ChecklistItem.model_validate(item(status="na", reason="no users"))
    assert (saved.status, saved.reason) == ("na", "no users")


def test_rate_target_above_one_is_refused_naming_the_threshold_and_target() -> None:
    raw = {"metric": "accuracy", "name": "Accuracy", "target": 1.5, "unit": "rate"}
    message = error_of(project(thresholds=[raw]))
    assert message.startswith("thresholds[1]")
    assert "target of accuracy" in message
    assert "between 0 and 1" in message


def test_rate_measured_above_one_is_refused() -> None:
    with pytest.raises(ValidationError, match="measured value of accuracy"):
        Threshold(metric="accuracy", name="A", target=0.9, measured=Measurement(value=93))


def test_seconds_target_is_not_a_rate_but_cannot_be_negative() -> None:
    assert Threshold(metric="latency", name="L", target=3.0, unit="seconds").target == 3.0
    with pytest.raises(ValidationError, match="cannot be negative"):
        Threshold(metric="latency", name="L", target=-1, unit="seconds")


def test_duplicate_item_ids_are_refused_naming_the_id() -> None:
    message = error_of(project(checklist=[item(), item(title="Again")]))
    assert "checklist item 'testing.edge-cases' appears twice" in message


def test_duplicate_decision_ids_are_refused() -> None:
    message = error_of(project(decisions=[{"id": 1, "title": "A"}, {"id": 1, "title": "B"}]))
    assert "decision 1 appears twice" in message


def test_bad_decision_link_is_refused_naming_the_field() -> None:
    message = error_of(project(decisions=[{"id": 1, "title": "A", "links": ["accuracy"]}]))
    assert message.startswith("decisions[1].links")
    assert "'accuracy'" in message
    assert "threshold:METRIC or item:ITEM_ID" in message


def test_superseding_a_missing_decision_is_refused() -> None:
    message = error_of(project(decisions=[{"id": 2, "title": "B", "supersedes": 1}]))
    assert "supersedes decision 1, which does not exist" in message


def test_unknown_field_is_named() -> None:
    message = error_of(project(checklist=[item(evidnce="typo")]))
    assert message == "checklist[1].evidnce: unknown field (check the spelling)"


def test_bad_status_names_the_field() -> None:
    message = error_of(project(checklist=[item(status="finished")]))
    assert message.startswith("checklist[1].status:")


def test_item_id_must_be_a_slug() -> None:
    message = error_of(project(checklist=[item(id="Has Spaces")]))
    assert message.startswith("checklist[1].id:")


def test_empty_decision_title_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        Decision(id=1, title="   ")
    assert describe_validation_error(caught.value).startswith("title:")


def test_many_errors_are_summarised_on_one_line() -> None:
    raw = project(checklist=[item(id=f"x{i}", status="bogus") for i in range(5)])
    message = error_of(raw)
    assert message.endswith("(and 2 more)")


@pytest.mark.parametrize(
    ("value", "comparator", "target", "expected"),
    [
        (0.9, ">", 0.9, False),
        (0.9, ">=", 0.9, True),
        (0.05, "<", 0.05, False),
        (0.05, "<=", 0.05, True),
        (2.9, "<", 3.0, True),
    ],
)
def test_compare_respects_strictness(
    value: float, comparator: str, target: float, expected: bool
) -> None:
    assert compare(value, comparator, target) is expected
