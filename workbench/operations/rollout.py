"""The rollout plan: the patterns chosen, the stages week by week and the settings
(shadow mode, human review, the feature-flag tool)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workbench.errors import InvalidValueError
from workbench.models import Pattern, RolloutSettings, RolloutStage
from workbench.operations.records import add_numbered, change, remove
from workbench.store import Store
from workbench.units import percent


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


def traffic_problem(stages: Sequence[RolloutStage], week: int, traffic: float) -> str | None:
    """Why ``traffic`` cannot be the share of ``week`` (a new week after the last, or an
    existing one), or None: a rollout only widens, so a week's share is at least the
    week before's and at most the week after's."""
    before = [s for s in stages if s.week < week]
    after = [s for s in stages if s.week > week]
    if before and traffic < max(s.traffic for s in before):
        last = max(before, key=lambda s: s.traffic)
        return (
            f"week {week} would reach fewer users ({percent(traffic)}) than week {last.week} "
            f"({percent(last.traffic)}): a rollout only widens; give at least "
            f"{percent(last.traffic)}"
        )
    if after and traffic > min(s.traffic for s in after):
        first = min(after, key=lambda s: s.traffic)
        return (
            f"week {week} would reach more users ({percent(traffic)}) than week {first.week} "
            f"after it ({percent(first.traffic)}); give at most {percent(first.traffic)}"
        )
    return None


def edit_stage(
    store: Store, by: str, week: int, *, seen: RolloutStage | None, **changes: Any
) -> RolloutStage:
    """A stage's traffic share and the criterion to move on."""
    with store.write():
        if "traffic" in changes:
            problem = traffic_problem(store.load().rollout.stages, week, changes["traffic"])
            if problem:
                raise InvalidValueError(problem)
        return change(store, "stage", week, changes, by, seen=seen)


def add_stage(
    store: Store, by: str, *, traffic: float, criterion: str = "", status: str = "pending"
) -> RolloutStage:
    """A new last stage: the week after the last one, numbered as it is saved; its share
    of traffic is at least the last week's."""
    with store.write():
        stages = store.load().rollout.stages
        week = max((s.week for s in stages), default=0) + 1
        problem = traffic_problem(stages, week, traffic)
        if problem:
            raise InvalidValueError(problem)
        return add_numbered(
            store,
            "stage",
            lambda week: RolloutStage(
                week=week, traffic=traffic, criterion=criterion, status=status
            ),
            by,
            lambda stage: f"added rollout week {stage.week}",
        )


def remove_stage(store: Store, by: str, week: int) -> None:
    remove(store, "stage", week, by, f"removed rollout week {week}")


def edit_rollout_settings(
    store: Store, by: str, *, seen: RolloutSettings | None, **changes: Any
) -> RolloutSettings:
    return change(store, "rollout", None, changes, by, seen=seen)
