"""The test-set plan: its planned size and the cases built (people's figures; the latest
run's count is measured, never stored here), edge and adversarial cases, its composition
and the largest gap between groups the team accepts."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from workbench.errors import (
    ConflictError,
    InvalidValueError,
    NotFoundError,
    describe_validation_error,
)
from workbench.models import CompositionRow, DatasetPlan
from workbench.operations.records import change, refuse_if_changed
from workbench.store import Store


def edit_test_set(
    store: Store, by: str, *, seen: DatasetPlan | None, **changes: Any
) -> DatasetPlan:
    """The plan's sizes, notes or largest accepted gap, each held against what the person
    saw. The sizes are people's figures (planned, and the cases built): a run never
    changes them, so what a screen shows of them is the file's, even after a run."""
    with store.write():
        expect = None if seen is None else {f: getattr(seen, f) for f in changes}
        updated: DatasetPlan = store.update("dataset", None, changes, by, expect=expect)
        return updated


def add_category(
    store: Store, by: str, category: str, planned: int = 0, actual: int = 0
) -> DatasetPlan:
    """A category of the test set's composition (its name must be new)."""
    try:
        row = CompositionRow(category=category.strip(), planned=planned, actual=actual)
    except ValidationError as error:
        raise InvalidValueError(describe_validation_error(error)) from None
    with store.write():
        rows = store.get("dataset").composition
        if any(r.category == row.category for r in rows):
            raise InvalidValueError(f"the test set already has a category {row.category!r}")
        return change(
            store, "dataset", None, {"composition": [*rows, row]}, by, seen=None,
            summary=f"test set: category {row.category} added",
        )  # fmt: skip


def edit_category(
    store: Store,
    by: str,
    name: str,
    *,
    seen: CompositionRow | None,
    **changes: Any,
) -> DatasetPlan:
    """A category's name or planned and actual counts; refused if someone else changed
    or removed that category since the person saw it."""
    with store.write():
        rows = list(store.get("dataset").composition)
        where = next((i for i, r in enumerate(rows) if r.category == name), None)
        if where is None:
            raise ConflictError(
                f"test set: category {name!r} was removed by someone else; reload and try again"
            )
        if seen is not None:
            refuse_if_changed(f"test set: category {name!r}", rows[where], seen)
        try:
            rows[where] = CompositionRow.model_validate({**rows[where].model_dump(), **changes})
        except ValidationError as error:
            raise InvalidValueError(describe_validation_error(error)) from None
        return change(
            store, "dataset", None, {"composition": rows}, by, seen=None,
            summary=f"test set: category {name} saved",
        )  # fmt: skip


def remove_category(store: Store, by: str, category: str) -> DatasetPlan:
    with store.write():
        rows = store.get("dataset").composition
        if not any(r.category == category for r in rows):
            raise NotFoundError(f"the test set has no category {category!r}")
        return change(
            store, "dataset", None,
            {"composition": [r for r in rows if r.category != category]}, by, seen=None,
            summary=f"test set: category {category} removed",
        )  # fmt: skip
