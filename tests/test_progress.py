"""Progress over time: the checklist's closed count per day, from the history."""

from __future__ import annotations

from workbench.models import HistoryEntry
from workbench.progress import checklist_progress
from workbench.store import Store


def entry(at: str, key: str, old: str, new: str, n: int) -> HistoryEntry:
    return HistoryEntry(
        id=n, change=n, at=at, by="x", entity="item", key=key, field="status", old=old, new=new
    )


def test_history_gives_one_point_per_day_with_gaps_filled(store: Store) -> None:
    data = store.load()
    ids = [i.id for i in data.checklist]
    entries = [
        entry("2026-11-01T10:00:00+00:00", ids[0], "open", "done", 1),
        entry("2026-11-01T11:00:00+00:00", ids[1], "open", "na", 2),
        entry("2026-11-03T09:00:00+00:00", ids[1], "na", "open", 3),
        entry("2026-11-04T09:00:00+00:00", ids[2], "open", "done", 4),
    ]
    series = checklist_progress(data, entries)
    assert series == [
        ("2026-11-01", 2),
        ("2026-11-02", 2),
        ("2026-11-03", 1),
        ("2026-11-04", 2),
    ]


def test_items_closed_without_history_count_from_their_date(store: Store) -> None:
    data = store.load()
    first, second = data.checklist[0], data.checklist[1]
    first.status, first.updated_at = "done", "2026-10-30T08:00:00+00:00"
    second.status, second.updated_at = "done", "2026-10-31T08:00:00+00:00"
    assert checklist_progress(data, []) == [("2026-10-30", 1), ("2026-10-31", 2)]


def test_a_real_tick_shows_up_as_progress(store: Store) -> None:
    from workbench.operations import tick

    tick(store, "testing.edge-cases", "done", "ana")
    data = store.load()
    series = checklist_progress(data, store.history(entity="item", field="status"))
    assert series[-1][1] == 1
