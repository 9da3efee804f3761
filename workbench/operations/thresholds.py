"""Threshold edits: targets, the reasoning behind them, and measured values."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from workbench.errors import InvalidValueError, describe_validation_error
from workbench.models import Measurement, Threshold, now
from workbench.operations.records import change, refuse_if_changed, remove
from workbench.store import Store


def measure(
    store: Store,
    metric: str,
    value: float,
    by: str,
    *,
    n: int | None = None,
    source: str = "",
    expect: dict[str, Any] | None = None,
    seen: Threshold | None = None,
) -> Any:
    """Record a measured value for a threshold (rates as fractions, times in seconds).

    ``seen`` (the threshold as the person saw it) refuses the value if someone else
    measured it meanwhile."""
    if n is not None and n < 1:
        raise InvalidValueError("--n must be a whole number of cases, at least 1")
    try:
        measurement = Measurement(value=value, n=n, source=source or f"entered by {by}", at=now())
    except ValidationError as error:
        raise InvalidValueError(f"{metric}: {describe_validation_error(error)}") from None
    with store.write():
        if seen is not None:
            _refuse_if_measured_since(store, seen)
        return store.update(
            "threshold",
            metric,
            {"measured": measurement.model_dump()},
            by,
            expect=expect,
            summary=f"measured {metric} = {value:g}" + (f" (n={n})" if n else ""),
        )


def _refuse_if_measured_since(store: Store, seen: Threshold) -> None:
    """Refuse a value entered over one someone else entered since the person looked.

    What the screen showed may be the latest run's figure rather than the value in the
    file (``evidence.apply_runs``), so the check is on time: a value entered by hand
    later than the one shown is someone else's."""
    stored = store.get("threshold", seen.metric).measured
    shown = seen.measured
    refuse_if_changed(
        f"threshold {seen.metric}: its measured value",
        f"{stored.value:g} ({stored.source})" if stored else None,
        None,
        changed=stored is not None and (shown is None or stored.at > shown.at),
    )


def clear_measurement(store: Store, metric: str, by: str, *, seen: Threshold | None = None) -> Any:
    with store.write():
        if seen is not None:
            _refuse_if_measured_since(store, seen)
        return store.update(
            "threshold", metric, {"measured": None}, by,
            summary=f"measured value of {metric} cleared",
        )  # fmt: skip


def set_target(
    store: Store,
    by: str,
    metric: str,
    comparator: str,
    target: float,
    *,
    seen: Threshold | None,
) -> Threshold:
    """The bar a metric must clear: its comparator and target."""
    return change(
        store, "threshold", metric, {"comparator": comparator, "target": target}, by,
        seen=seen, summary=f"{metric} target → {comparator} {target:g}",
    )  # fmt: skip


def set_reasoning(
    store: Store, by: str, metric: str, reasoning: str, *, seen: Threshold | None
) -> Threshold:
    """Why the target is where it is."""
    if not reasoning.strip():
        raise InvalidValueError("write down the reasoning behind the threshold")
    return change(
        store, "threshold", metric, {"reasoning": reasoning.strip()}, by, seen=seen,
        summary=f"{metric} reasoning updated",
    )  # fmt: skip


def add_threshold(
    store: Store,
    by: str,
    *,
    metric: str,
    name: str,
    comparator: str,
    target: float,
    unit: str,
    reasoning: str,
    definition: str = "",
) -> Threshold:
    """Add a custom metric with its target and the reasoning behind it."""
    if not reasoning.strip():
        raise InvalidValueError("write down the reasoning behind the threshold")
    with store.write():  # (placed last in one transaction with its saving)
        position = len(store.load().thresholds) + 1
        try:
            threshold = Threshold(
                metric=metric,
                name=name,
                definition=definition,
                comparator=comparator,
                target=target,
                unit=unit,
                reasoning=reasoning,
                position=position,
            )
        except ValidationError as error:
            raise InvalidValueError(describe_validation_error(error)) from None
        store.insert("threshold", threshold, by, summary=f"added threshold {metric}")
    return threshold


def remove_threshold(store: Store, by: str, metric: str) -> None:
    """Remove a threshold (undo brings it back, with its measured value); refused while
    a decision links it, which would then point at nothing."""
    with store.write():
        store.get("threshold", metric)  # (an unknown metric: not found, did you mean)
        linked = [d.id for d in store.records("decision") if f"threshold:{metric}" in d.links]
        if linked:
            which = ", ".join(str(i) for i in linked)
            raise InvalidValueError(
                f"threshold {metric} is linked from decision {which}: unlink it there first"
            )
        remove(store, "threshold", metric, by, f"removed threshold {metric}")
