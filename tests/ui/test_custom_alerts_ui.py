"""Monitoring screen: a team adds its own alert rule (a), removes one after saying yes (x),
and undo brings it back; the add dialog at 80×24."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Select
from ui_support import open_store, settle, type_text

from workbench import operations
from workbench.ui.app import WorkbenchApp
from workbench.ui.dialogs.confirm import ConfirmDialog
from workbench.ui.dialogs.form import FormDialog
from workbench.ui.widgets.tables import RecordTable

FOLDER = Path(tempfile.gettempdir()) / "workbench-custom-alert-snapshots"
PINNED = "2026-11-28T10:00:00+00:00"


def rendered(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def row_texts(table: RecordTable, key: str) -> list[str]:
    return [str(cell) for cell in table.get_row(key)]


async def open_monitoring(pilot: Pilot) -> RecordTable:
    await pilot.press("7")
    await settle(pilot)
    return pilot.app.screen.query_one("#alerts", RecordTable)


async def choose(pilot: Pilot, value: str) -> None:
    """Pick ``value`` in the focused select, by keys: open it, move to it, enter."""
    select = pilot.app.screen.focused
    assert isinstance(select, Select)
    await pilot.press("enter")
    await pilot.pause()
    values = [v for _label, v in select._options if v is not Select.BLANK]
    steps = values.index(value) - values.index(select.value)
    await pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps), "enter")
    await pilot.pause()
    assert select.value == value


async def fill_approval_rate(pilot: Pilot, signal: str = "Approval rate") -> None:
    """Press a on the alert table and fill every field of the dialog."""
    await pilot.press("a")
    await pilot.pause()
    assert isinstance(pilot.app.screen, FormDialog)
    await type_text(pilot, signal)
    await pilot.press("tab")
    await choose(pilot, "<")
    await pilot.press("tab")
    await type_text(pilot, "40%")
    await pilot.press("tab", "tab")  # the unit: a rate, as it is
    await type_text(pilot, "1 day")
    await pilot.press("tab")
    await type_text(pilot, "Credit lead")
    await pilot.press("tab")
    await type_text(pilot, "Pause automatic pre-screening")


async def test_add_an_alert_then_remove_it_and_undo(new_path: Path, make_app) -> None:
    app = make_app(new_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_monitoring(pilot)
        await fill_approval_rate(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert table.current_key == "approval-rate"
        assert app.screen.focused is table
        assert row_texts(table, "approval-rate")[1:4] == [
            "Approval rate",
            "below 40% over 1 day",
            "Credit lead",
        ]
        assert "Approval rate: alert when below 40% over 1 day" in rendered(app, "#alert-detail")
        with open_store(new_path) as store:
            alert = store.get("alert", "approval-rate")
            assert (alert.comparator, alert.value, alert.unit, alert.window_minutes) == (
                "<",
                0.4,
                "rate",
                1440,
            )
            assert (alert.owner, alert.response) == ("Credit lead", "Pause automatic pre-screening")
            assert store.load().monitoring.alerts[-1].id == "approval-rate"
            added = store.history(limit=1, entity="alert")[0]
            assert (added.key, added.field, added.old, added.by) == (
                "approval-rate",
                "*",
                None,
                "Dana",
            )

        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "Approval rate" in rendered(app, "#dialog-title")
        await pilot.press("n")  # not removed
        await settle(pilot)
        assert table.current_key == "approval-rate"
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert "approval-rate" not in {str(k.value) for k in table.rows}
        assert "ctrl+z brings it back" in rendered(app, "StatusLine")
        with open_store(new_path) as store:
            assert "approval-rate" not in {a.id for a in store.load().monitoring.alerts}

        await pilot.press("ctrl+z")
        await settle(pilot)
        assert "approval-rate" in {str(k.value) for k in table.rows}
    with open_store(new_path) as store:
        assert store.get("alert", "approval-rate").owner == "Credit lead"


async def test_a_watched_signal_or_a_bad_value_is_refused_in_the_dialog(
    new_path: Path, make_app
) -> None:
    app = make_app(new_path, editor="Dana")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_monitoring(pilot)
        await fill_approval_rate(pilot, signal="error RATE")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "already an alert on 'Error rate'" in rendered(app, "#dialog-error")

        signal = app.screen.query_one("#field-signal")
        signal.value = "Approval rate"
        app.screen.query_one("#field-value").value = "140%"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "between 0 and 1 (0% to 100%)" in rendered(app, "#dialog-error")

        app.screen.query_one("#field-value").value = "40%"
        app.screen.query_one("#field-window").value = "daily"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "1 day" in rendered(app, "#dialog-error")
        await pilot.press("escape")
        await settle(pilot)
    with open_store(new_path) as store:
        assert len(store.load().monitoring.alerts) == 5
        assert store.history(limit=5, entity="alert") == []


# ---------------------------------------------------------------- snapshot


def pinned_project() -> Path:
    """A new high-risk project in a fixed folder, its time stamps pinned."""
    shutil.rmtree(FOLDER, ignore_errors=True)
    FOLDER.mkdir(parents=True)
    path = FOLDER / "loans.sqlite"
    operations.create_project(path, name="Loans", risk="high", by="Maria Okafor").close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE changes SET at = ?", [PINNED])
    conn.close()
    return path


def test_the_add_alert_dialog_at_80_by_24(snap_compare) -> None:
    app = WorkbenchApp(
        pinned_project(),
        editor="Maria Okafor",
        theme="workbench-dark",
        config_file=FOLDER / "config.toml",
        poll_seconds=0,
        build_ahead=False,
    )

    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await type_text(pilot, "Approval rate")

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
