"""Human oversight: the measures for the review interface, reviewer training and
fatigue, each planned or in place, with notes."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from workbench.errors import InvalidValueError, describe_validation_error
from workbench.models import OversightKind, OversightMeasure
from workbench.operations.records import change, remove
from workbench.store import Store

KIND_WORDS: dict[str, str] = {
    "review_interface": "review interface",
    "reviewer_training": "reviewer training",
    "fatigue": "fatigue",
}


def add_measure(store: Store, by: str, kind: OversightKind, text: str) -> OversightMeasure:
    """A new measure with the next free id of its kind (``fatigue-5``), placed last;
    numbered and saved in one transaction."""
    with store.write():
        measures = store.load().oversight.measures
        ids = {m.id for m in measures}
        base = kind.replace("_", "-")
        number = sum(m.kind == kind for m in measures) + 1
        while f"{base}-{number}" in ids:
            number += 1
        try:
            measure = OversightMeasure(
                id=f"{base}-{number}",
                kind=kind,
                text=text.strip(),
                position=max((m.position for m in measures), default=0) + 1,
            )
        except ValidationError as error:
            raise InvalidValueError(describe_validation_error(error)) from None
        return store.insert(
            "measure", measure, by, summary=f"added {KIND_WORDS[kind]} measure: {text[:60]}"
        )


def set_measure_status(
    store: Store, by: str, measure_id: str, status: str, *, seen: OversightMeasure | None
) -> OversightMeasure:
    said = "in place" if status == "in_place" else "planned"
    return change(
        store, "measure", measure_id, {"status": status}, by, seen=seen,
        summary=f"{measure_id} → {said}",
    )  # fmt: skip


def edit_measure(
    store: Store, by: str, measure_id: str, *, seen: OversightMeasure | None, **changes: Any
) -> OversightMeasure:
    """A measure's text or notes."""
    return change(store, "measure", measure_id, changes, by, seen=seen)


def remove_measure(store: Store, by: str, measure_id: str) -> None:
    remove(store, "measure", measure_id, by, f"removed oversight measure {measure_id}")
