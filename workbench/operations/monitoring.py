"""Monitoring: the alert rules (the guide's and a team's own, switched on or off, their
values, owners and responses) and what is logged, for how long."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError

from workbench.errors import InvalidValueError, describe_validation_error
from workbench.models import AlertRule, LoggingPolicy, LogTier
from workbench.operations.records import change, change_list, remove
from workbench.store import Store
from workbench.units import condition_words, parse_minutes

ID_LENGTH = 60
WINDOW_HINT = "write the window as 15 min, 4 h or 1 day (0: any moment)"
_DAYS = re.compile(r"^(?P<days>\d+(?:\.\d+)?)\s*(?:d|day|days)$")


def parse_window(text: str) -> int:
    """An alert's window as typed: "15 min", "4 h", "1 day", "2 days" -> minutes; empty
    or "0" is 0 (the alert fires at any moment). Raises ``ValueError`` saying what to write."""
    raw = text.strip().lower()
    if raw in ("", "0"):
        return 0
    days = _DAYS.match(raw)
    if days is not None:
        total = float(days["days"]) * 1440
        if total != int(total) or total < 1:
            raise ValueError(f"{WINDOW_HINT}, not {text.strip()!r}")
        return int(total)
    try:
        return parse_minutes(raw)
    except ValueError:
        raise ValueError(f"{WINDOW_HINT}, not {text.strip()!r}") from None


def alert_id_for(signal: str, taken: Iterable[str]) -> str:
    """An id made from the signal ("Approval rate" -> "approval-rate"), with -2, -3 … when
    another alert has it; "alert" for a signal with no letters or digits in ASCII."""
    ascii_text = unicodedata.normalize("NFKD", signal).encode("ascii", "ignore").decode()
    ascii_text = ascii_text.lower().replace("'", "")
    base = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:ID_LENGTH].rstrip("-") or "alert"
    ids = set(taken)
    candidate, number = base, 1
    while candidate in ids:
        number += 1
        suffix = f"-{number}"
        candidate = base[: ID_LENGTH - len(suffix)].rstrip("-") + suffix
    return candidate


def signal_taken(alerts: Sequence[AlertRule], signal: str) -> str | None:
    """Why ``signal`` cannot be a new alert's: another alert watches it (case aside)."""
    wanted = " ".join(signal.split()).casefold()
    existing = next(
        (a.signal for a in alerts if " ".join(a.signal.split()).casefold() == wanted), None
    )
    if existing is None:
        return None
    return (
        f"there is already an alert on {existing!r}; edit that one, or name this signal differently"
    )


def new_alert(
    alerts: Sequence[AlertRule],
    signal: str,
    comparator: str,
    value: float,
    unit: str,
    window_minutes: int,
    *,
    owner: str = "",
    response: str = "",
    condition: str = "",
) -> AlertRule:
    """The alert ``add_alert`` would save beside ``alerts``, validated (the dialog checks a
    form with it before it closes); ``InvalidValueError`` says what to change."""
    signal = " ".join(signal.split())
    if not signal:
        raise InvalidValueError("name the signal to watch (for example: Approval rate)")
    problem = signal_taken(alerts, signal)
    if problem:
        raise InvalidValueError(problem)
    if window_minutes < 0:
        raise InvalidValueError(f"{WINDOW_HINT}, not {window_minutes} minutes")
    alert_id = alert_id_for(signal, (a.id for a in alerts))
    try:
        return AlertRule.model_validate(
            {
                "id": alert_id,
                "signal": signal,
                "comparator": comparator,
                "value": value,
                "unit": unit,
                "window_minutes": window_minutes,
                "owner": owner.strip(),
                "response": response.strip(),
                "condition": condition.strip(),
                "position": max((a.position for a in alerts), default=0) + 1,
            }
        )
    except ValidationError as error:
        raise InvalidValueError(describe_validation_error(error)) from None


def add_alert(
    store: Store,
    by: str,
    signal: str,
    comparator: str,
    value: float,
    unit: str,
    window_minutes: int,
    owner: str = "",
    response: str = "",
    condition: str = "",
) -> AlertRule:
    """A team's own alert rule, placed after the last; its id comes from the signal and
    is taken, with the signal's check, in the transaction that saves it."""
    with store.write():
        alert = new_alert(
            store.load().monitoring.alerts, signal, comparator, value, unit, window_minutes,
            owner=owner, response=response, condition=condition,
        )  # fmt: skip
        words = condition_words(alert.comparator, alert.value, alert.unit, alert.window_minutes)
        return store.insert(
            "alert", alert, by, summary=f"added alert {alert.id}: {alert.signal[:60]} {words}"
        )


def remove_alert(store: Store, by: str, alert_id: str) -> None:
    """Remove an alert rule, the guide's or a team's own (undo brings it back)."""
    with store.write():
        signal = store.get("alert", alert_id).signal
        remove(store, "alert", alert_id, by, f"removed alert {alert_id} ({signal[:60]})")


def switch_alert(
    store: Store, by: str, alert_id: str, enabled: bool, *, seen: AlertRule | None
) -> AlertRule:
    said = "on" if enabled else "off"
    return change(
        store, "alert", alert_id, {"enabled": enabled}, by, seen=seen,
        summary=f"alert {alert_id} switched {said}",
    )  # fmt: skip


def edit_alert(
    store: Store, by: str, alert_id: str, *, seen: AlertRule | None, **changes: Any
) -> AlertRule:
    """An alert's value, window, owner, response or words."""
    return change(store, "alert", alert_id, changes, by, seen=seen)


def add_log_entry(store: Store, by: str, tier: LogTier, entry: str) -> LoggingPolicy:
    return change_list(
        store, "logging", None, tier, by, add=[entry], summary=f"logging: {entry!r} added to {tier}"
    )


def remove_log_entry(store: Store, by: str, tier: LogTier, entry: str) -> LoggingPolicy:
    return change_list(
        store, "logging", None, tier, by, remove=[entry],
        summary=f"logging: {entry!r} removed from {tier}",
    )  # fmt: skip


def move_log_entry(
    store: Store, by: str, entry: str, source: LogTier, target: LogTier
) -> LoggingPolicy:
    """Move an entry from one list to another (always, optionally, never), in one edit."""
    summary = f"logging: {entry!r} moved to {target}"
    with store.write(), store.group(by, summary):
        change_list(store, "logging", None, source, by, remove=[entry], summary=summary)
        return change_list(store, "logging", None, target, by, add=[entry], summary=summary)


def edit_retention(
    store: Store, by: str, *, seen: LoggingPolicy | None, **changes: Any
) -> LoggingPolicy:
    """How long logs are kept, and why."""
    return change(store, "logging", None, changes, by, seen=seen)
