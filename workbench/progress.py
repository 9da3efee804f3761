"""Progress over time, drawn from the history: how the checklist filled up, day by day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from workbench.models import HistoryEntry, ProjectData


def _closed(status: object) -> bool:
    return status not in (None, "open")


def checklist_progress(data: ProjectData, entries: Sequence[HistoryEntry]) -> list[tuple[str, int]]:
    """(day, items done or not applicable at the end of that day), oldest day first.

    ``entries`` are the checklist items' status entries from the history. An item
    closed without a status entry (a project started from an exported TOML) counts
    from its ``updated_at``, so imported projects keep their timeline.
    """
    events: list[tuple[str, int]] = []  # (timestamp, +1 closed / -1 reopened)
    with_history: set[str] = set()
    for entry in entries:
        if entry.entity != "item" or entry.field != "status":
            continue
        with_history.add(entry.key)
        delta = int(_closed(entry.new)) - int(_closed(entry.old))
        if delta:
            events.append((entry.at, delta))
    for item in data.checklist:
        if item.id not in with_history and item.status != "open":
            events.append((item.updated_at or data.project.created_at, 1))
    events.sort()
    days: dict[str, int] = {}
    closed = 0
    for at, delta in events:
        closed += delta
        days[at[:10]] = max(closed, 0)
    return _fill_gaps(days)


def _fill_gaps(days: dict[str, int]) -> list[tuple[str, int]]:
    """One point per calendar day, carrying the count over days without changes."""
    try:
        dates = sorted((dt.date.fromisoformat(day), count) for day, count in days.items())
    except ValueError:
        return sorted(days.items())
    if not dates:
        return []
    series: list[tuple[str, int]] = []
    index, current, count = 0, dates[0][0], 0
    while current <= dates[-1][0]:
        while index < len(dates) and dates[index][0] == current:
            count = dates[index][1]
            index += 1
        series.append((current.isoformat(), count))
        current += dt.timedelta(days=1)
    return series
