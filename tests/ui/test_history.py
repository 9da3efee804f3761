"""History screen: newest first, paged, filterable by text and by person, fast on a long history."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from textual.widgets import Input, Label, Select
from ui_support import open_store, settle, type_text

from workbench.models import HistoryEntry
from workbench.ui.screens.history import PAGE, HistoryScreen, describe_change, short
from workbench.ui.widgets.tables import RecordTable

PEOPLE = ("Dana", "Lee", "Sam [/]", "Ana")
ENTRIES = 20_000


def add_history(path: Path, count: int) -> None:
    """``count`` evidence edits by four people, written straight into the file (fast)."""
    with open_store(path) as store, store.write():
        for i in range(count):
            cursor = store.db.execute(
                "INSERT INTO changes (at, by, summary, undoes, undone) VALUES (?, ?, ?, NULL, 0)",
                [f"2026-11-{1 + i % 28:02d}T10:{i % 60:02d}:00+00:00", PEOPLE[i % 4], f"edit {i}"],
            )
            store.db.execute(
                "INSERT INTO history (change, entity, key, field, old, new) "
                "VALUES (?, 'item', ?, 'evidence', ?, ?)",
                [cursor.lastrowid, f"testing.item-{i % 50}", f'"old {i}"', f'"new {i} [b]x[/b]"'],
            )


@pytest.fixture
def long_path(new_path: Path) -> Path:
    add_history(new_path, ENTRIES)
    return new_path


async def open_history(pilot) -> RecordTable:
    await pilot.press("H")
    await settle(pilot)
    assert isinstance(pilot.app.screen, HistoryScreen)
    return pilot.app.screen.query_one("#history-table", RecordTable)


def row_text(table: RecordTable, index: int) -> str:
    return " ".join(str(getattr(c, "plain", c)) for c in table.get_row_at(index))


def test_values_are_shortened() -> None:
    assert short("x" * 100, 10) == "x" * 9 + "…"
    assert short({"title": "Accuracy", "target": 0.9}) == "Accuracy"
    assert short(None) == "—" and short(True) == "yes" and short(["a", "b"]) == "a, b"
    entry = HistoryEntry(
        id=1, change=1, at="", by="x", entity="item", key="a", field="*", old=None, new={"id": 1}
    )
    assert describe_change(entry).startswith("added: ")


async def test_newest_first_with_who_and_what(new_path: Path, make_app) -> None:
    app = make_app(new_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3", "space")  # tick the first checklist item
        await settle(pilot)
        table = await open_history(pilot)
        rows = [row_text(table, i) for i in range(table.row_count)]
        tick = next(r for r in rows if "item testing.dataset-documented · status" in r)
        assert "Dana" in tick and "open → done" in tick
        assert rows.index(tick) < 3  # one change, three fields, newest first
        assert "creator" in rows[-1] and "created: New project" in rows[-1]
    with open_store(new_path) as store:
        last = store.history(limit=1, field="status")[0]
        assert (last.by, last.key, last.new) == ("Dana", "testing.dataset-documented", "done")


async def test_a_long_history_is_read_a_page_at_a_time(long_path: Path, make_app) -> None:
    app = make_app(long_path)
    async with app.run_test(size=(80, 24)) as pilot:
        started = time.perf_counter()
        table = await open_history(pilot)
        assert time.perf_counter() - started < 5  # generous: one page, not 20,000 rows
        screen = app.screen
        assert table.row_count == PAGE
        assert "Ana" in row_text(table, 0)  # the newest entry is the last one written
        count = str(screen.query_one("#history-count", Label).render())
        assert f"{PAGE} of {ENTRIES + 1}" in count
        await pilot.press("m")
        await settle(pilot)
        assert table.row_count == 2 * PAGE
        table.move_cursor(row=table.row_count - 1)  # reaching the end loads the next page
        await settle(pilot)
        assert table.row_count == 3 * PAGE
        await pilot.press("end")
        await settle(pilot)
        assert table.row_count == 4 * PAGE
        assert app.focused is table
    with open_store(long_path) as store:
        assert store.history_count() == ENTRIES + 1  # reading wrote nothing


async def test_filter_by_text_and_by_person(long_path: Path, make_app) -> None:
    app = make_app(long_path)
    async with app.run_test(size=(160, 45)) as pilot:
        table = await open_history(pilot)
        screen = app.screen
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await type_text(pilot, "testing.item-7")
        await settle(pilot)
        assert screen.text == "testing.item-7"
        assert table.row_count == PAGE  # 400 match: one page shown
        assert all("testing.item-7 " in row_text(table, i) for i in range(table.row_count))
        app.screen.query_one("#history-filter", Input).value = "no such thing"
        await settle(pilot)
        assert table.row_count == 0
        assert "No changes match" in str(screen.query_one("#history-count", Label).render())
        await pilot.press("escape")  # back to the list
        assert app.focused is table
        await pilot.press("c")  # clear the filter
        await settle(pilot)
        assert screen.text == ""
        await pilot.press("j", "p")  # only the highlighted row's person
        await settle(pilot)
        select = screen.query_one("#history-person", Select)
        assert select.value == "Sam [/]"
        assert table.row_count == PAGE
        assert all("Sam [/]" in row_text(table, i) for i in range(table.row_count))
        await pilot.press("p")  # again: everyone
        await settle(pilot)
        assert select.is_blank()
        assert {row_text(table, i).split()[2] for i in range(4)} >= {"Ana", "Lee", "Dana"}
    with open_store(long_path) as store:
        assert len(store.history(limit=PAGE + 1, by="Sam [/]")) == PAGE + 1


async def test_new_changes_keep_the_depth_and_the_cursor(long_path: Path, make_app) -> None:
    app = make_app(long_path, editor="Dana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3", "space")  # a real edit, to undo from the history screen
        await settle(pilot)
        table = await open_history(pilot)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("j", "j", "j", "j")
        key = table.current_key
        await pilot.press("ctrl+z")  # saved: the history grows by the undo's entries
        await settle(pilot)
        assert "Saved" in str(app.screen.query_one("StatusLine").render())
        assert table.row_count == 2 * PAGE
        assert table.current_key == key
        assert "Dana" in row_text(table, 0)
    with open_store(long_path) as store:
        newest = store.history(limit=1)[0]
        assert (newest.by, newest.key) == ("Dana", "testing.dataset-documented")
        assert store.get("item", "testing.dataset-documented").status == "open"


async def test_history_keeps_up_with_changes_saved_elsewhere(new_path: Path, make_app) -> None:
    """A ten-minute session: the History screen stays open while changes are saved by
    another process and in the app. Each one comes into view at the top (the cursor,
    on the newest entry, follows the newest), as ``workbench history`` lists them."""
    from workbench import operations

    app = make_app(new_path, editor="Dana", poll_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_history(pilot)
        for round in range(3):
            with open_store(new_path) as store:
                operations.tick(store, "testing.dataset-documented", "done", "Lee")
                operations.tick(store, "testing.dataset-documented", "open", "Lee")
            app._poll_for_changes()
            await settle(pilot)
            await settle(pilot)
            with open_store(new_path) as store:
                newest = store.history(limit=1)[0]
                total = store.history_count()
            assert table.current_key == str(newest.id), f"round {round}"
            assert "Lee" in row_text(table, 0)
            count = str(app.screen.query_one("#history-count", Label).render())
            assert f"of {total} changes" in count
        await operations_in_app(pilot)
        with open_store(new_path) as store:
            newest = store.history(limit=1)[0]
        assert newest.by == "Dana"
        assert table.current_key == str(newest.id)


async def operations_in_app(pilot) -> None:
    """An edit made in the app while History is open elsewhere: tick an item, come back."""
    await pilot.press("3", "space")
    await settle(pilot)
    await pilot.press("H")
    await settle(pilot)
    await settle(pilot)


async def test_an_older_read_arriving_late_does_not_replace_a_newer_one(
    new_path: Path, make_app
) -> None:
    """Two reads in flight may reach a screen in the other order: the older is dropped."""
    from workbench import operations
    from workbench.ui.messages import SnapshotLoaded

    app = make_app(new_path, editor="Dana", poll_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_history(pilot)
        older = app.session.snapshot()
        with open_store(new_path) as store:
            operations.tick(store, "testing.dataset-documented", "done", "Lee")
        app.session.changed_elsewhere()
        newer = app.session.snapshot()
        assert newer is not older and newer.serial > older.serial
        app.screen.post_message(SnapshotLoaded(newer))
        app.screen.post_message(SnapshotLoaded(older))
        await settle(pilot)
        assert app.screen.snapshot is newer
