"""The rollout plan: the patterns chosen, the stages week by week and the settings
(shadow mode, human review, the feature-flag tool)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from workbench.errors import InvalidValueError, NotFoundError, describe_validation_error
from workbench.models import Pattern, RolloutSettings, RolloutStage
from workbench.operations.records import change, refuse_if_changed, remove
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


def week_taken(stages: Sequence[RolloutStage], week: int) -> str | None:
    """Why ``week`` cannot take a new or moved stage (another stage has it), or None."""
    if any(s.week == week for s in stages):
        return f"week {week} already has a stage: pick another week or edit it"
    return None


def add_stage(
    store: Store,
    by: str,
    *,
    traffic: float,
    criterion: str = "",
    status: str = "pending",
    week: int | None = None,
) -> RolloutStage:
    """A new stage in ``week`` (any free week: between two others, or after the last);
    without a week, the week after the last one, numbered as it is saved. Its share of
    traffic is at least the week before's and at most the week after's."""
    with store.write():
        stages = store.load().rollout.stages
        if week is None:
            week = max((s.week for s in stages), default=0) + 1
        problem = week_taken(stages, week) or traffic_problem(stages, week, traffic)
        if problem:
            raise InvalidValueError(problem)
        stage = _stage(week=week, traffic=traffic, criterion=criterion, status=status)
        return store.insert("stage", stage, by, summary=f"added rollout week {week}")


def _stage(**fields: Any) -> RolloutStage:
    try:
        return RolloutStage.model_validate(fields)
    except ValidationError as error:
        raise InvalidValueError(describe_validation_error(error)) from None


def move_stage(
    store: Store, by: str, week: int, to_week: int, *, seen: RolloutStage | None = None
) -> RolloutStage:
    """Give the stage of ``week`` the week ``to_week``, as one change (one undo puts it
    back): refused if another stage has that week, or if its traffic would then fall
    below the stage before's or rise above the stage after's."""
    with store.write():
        stages = store.load().rollout.stages
        stage = next((s for s in stages if s.week == week), None)
        if stage is None:
            raise NotFoundError(f"there is no stage in week {week}: removed meanwhile?")
        if seen is not None:
            refuse_if_changed(f"rollout week {week}", stage, seen)
        if to_week == week:
            return stage
        others = [s for s in stages if s.week != week]
        problem = week_taken(others, to_week) or traffic_problem(others, to_week, stage.traffic)
        if problem:
            raise InvalidValueError(problem)
        moved = _stage(**{**stage.model_dump(), "week": to_week})
        with store.group(by, f"moved rollout week {week} to week {to_week}"):
            store.delete("stage", week, by)
            return store.insert("stage", moved, by)


def remove_stage(store: Store, by: str, week: int) -> None:
    remove(store, "stage", week, by, f"removed rollout week {week}")


def edit_rollout_settings(
    store: Store, by: str, *, seen: RolloutSettings | None, **changes: Any
) -> RolloutSettings:
    return change(store, "rollout", None, changes, by, seen=seen)
