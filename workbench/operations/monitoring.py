"""Monitoring: the alert rules (switched on or off, their values, owners and
responses) and what is logged, for how long."""

from __future__ import annotations

from typing import Any

from workbench.models import AlertRule, LoggingPolicy, LogTier
from workbench.operations.records import change, change_list
from workbench.store import Store


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
