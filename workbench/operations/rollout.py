"""The rollout plan: the patterns chosen, the stages week by week and the settings
(shadow mode, human review, the feature-flag tool)."""

from __future__ import annotations

from typing import Any

from workbench.models import Pattern, RolloutSettings, RolloutStage
from workbench.operations.records import add_numbered, change, remove
from workbench.store import Store


def choose_pattern(
    store: Store, by: str, pattern_id: str, chosen: bool, *, seen: Pattern | None
) -> Pattern:
    said = "chosen" if chosen else "no longer chosen"
    return change(
        store, "pattern", pattern_id, {"chosen": chosen}, by, seen=seen,
        summary=f"pattern {pattern_id} {said}",
    )  # fmt: skip


def edit_pattern(
    store: Store, by: str, pattern_id: str, *, seen: Pattern | None, notes: str
) -> Pattern:
    return change(store, "pattern", pattern_id, {"notes": notes}, by, seen=seen)


def set_stage_status(
    store: Store, by: str, week: int, status: str, *, seen: RolloutStage | None
) -> RolloutStage:
    return change(
        store, "stage", week, {"status": status}, by, seen=seen,
        summary=f"rollout week {week} → {status}",
    )  # fmt: skip


def edit_stage(
    store: Store, by: str, week: int, *, seen: RolloutStage | None, **changes: Any
) -> RolloutStage:
    """A stage's traffic share and the criterion to move on."""
    return change(store, "stage", week, changes, by, seen=seen)


def add_stage(
    store: Store, by: str, *, traffic: float, criterion: str = "", status: str = "pending"
) -> RolloutStage:
    """A new last stage: the week after the last one, numbered as it is saved."""
    return add_numbered(
        store,
        "stage",
        lambda week: RolloutStage(week=week, traffic=traffic, criterion=criterion, status=status),
        by,
        lambda stage: f"added rollout week {stage.week}",
    )


def remove_stage(store: Store, by: str, week: int) -> None:
    remove(store, "stage", week, by, f"removed rollout week {week}")


def edit_rollout_settings(
    store: Store, by: str, *, seen: RolloutSettings | None, **changes: Any
) -> RolloutSettings:
    return change(store, "rollout", None, changes, by, seen=seen)
