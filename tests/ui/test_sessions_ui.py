"""Workshop sessions in the UI: started and ended on the Workshop screen, what changed
since on the Overview, the History by session; the progress chart with few and many days."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Label, Select
from ui_support import open_store, settle, type_text

from workbench import operations
from workbench.ui.screens.history import HistoryScreen
from workbench.ui.widgets.progress_chart import progress_lines
from workbench.ui.widgets.tables import RecordTable

ITEM = "testing.dataset-documented"


async def test_a_session_is_started_and_ended_on_the_workshop_screen(
    new_path: Path, make_app
) -> None:
    with open_store(new_path) as store:
        operations.record_presence(store, "Ana", seen=None, attendees=["Ana", "Ben"], editor="Ana")
    app = make_app(new_path, editor="Ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        people = str(app.screen.query_one("#ws-people").render())
        assert "Session 1 since" in people
        with open_store(new_path) as store:
            (session,) = store.load().sessions
            assert (session.facilitator, session.attendees, session.ended_at) == (
                "Ana",
                ["Ana", "Ben"],
                "",
            )
        await pilot.press("s")  # under way: ending it asks first
        await pilot.pause()
        await type_text(pilot, "thresholds agreed")
        await pilot.press("ctrl+s")
        await settle(pilot)
    with open_store(new_path) as store:
        (session,) = store.load().sessions
        assert session.ended_at and session.note == "thresholds agreed"


async def test_the_overview_and_history_show_what_changed_since_the_last_session(
    new_path: Path, make_app
) -> None:
    with open_store(new_path) as store:
        operations.start_session(store, "Ana", facilitator="Ana")
        operations.tick(store, "testing.edge-cases", "done", "Ana")
        operations.end_session(store, "Ana")
        store.db.execute("UPDATE changes SET at = '2026-12-01T16:00:00+00:00'")
        store.db.execute("UPDATE sessions SET ended_at = '2026-12-01T17:00:00+00:00'")
        operations.tick(store, ITEM, "done", "Lee")
    app = make_app(new_path, editor="Ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        since = str(app.screen.query_one("#since-last", Label).render())
        assert "Since session 1 ended (2026-12-01 17:00 UTC): 1 change by Lee (1)" in since
        assert "1 checklist item" in since
        await pilot.press("H")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        await pilot.press("s")
        await pilot.pause()
        select = app.screen.query_one("#history-since", Select)
        select.value = "2026-12-01T17:00:00+00:00"  # "Since #1 ended"
        await settle(pilot)
        await settle(pilot)
        table = app.screen.query_one("#history-table", RecordTable)
        whos = {entry.by for entry in app.screen.entries}
        assert whos == {"Lee"} and table.row_count == len(app.screen.entries)
        assert "Ana" not in whos
        labels = [str(option[0]) for option in select._options]
        assert any("Since #1 ended" in label for label in labels)


def test_the_progress_chart_reads_with_two_points_and_with_two_hundred() -> None:
    few = progress_lines([("2026-12-01", 3), ("2026-12-02", 12)], 40, 60, 4)
    assert few[0].startswith("1 Dec ") and few[0].endswith(" 3/40")
    assert few[1].startswith("2 Dec ") and few[1].endswith("12/40")
    assert few[1].count("█") > few[0].count("█") > 0  # a bar a day, out of the whole list
    assert all(len(line) <= 60 for line in few)
    days = [(f"2026-{1 + i // 28:02d}-{1 + i % 28:02d}", min(40, i // 5)) for i in range(200)]
    many = progress_lines(days, 40, 60, 4)
    assert len(many) == 4 and all(len(line) <= 60 for line in many)
    assert many[0].startswith("40│") and many[2].startswith(" 0│")
    assert "Jan" in many[3] and many[3].rstrip().endswith("Aug")
    assert "█" in many[2] and many[2].index("█") < len(many[2]) - 1
    one_line = progress_lines([("2026-12-01", 3), ("2026-12-02", 12)], 40, 60, 1)
    assert one_line == ["3 → 12 of 40 closed, 1 Dec → 2 Dec"]
