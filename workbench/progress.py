"""Progress over time, drawn from the history: how the checklist filled up."""

from __future__ import annotations

from collections.abc import Sequence

from workbench.models import HistoryEntry, ProjectData


def checklist_progress(data: ProjectData, entries: Sequence[HistoryEntry]) -> list[int]:
    """Items done or not applicable after each status change, oldest first.

    ``entries`` are the checklist items' history entries, newest first (as the
    store returns them); the series ends with the current count.
    """
    closed = sum(item.status != "open" for item in data.checklist)
    series = [closed]
    for entry in entries:
        if entry.entity != "item" or entry.field != "status":
            continue
        was_closed = entry.old not in (None, "open")
        is_closed = entry.new not in (None, "open")
        closed += int(was_closed) - int(is_closed)
        series.append(max(closed, 0))
    series.reverse()
    return series
