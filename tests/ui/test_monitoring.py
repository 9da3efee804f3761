"""Monitoring screen: alert rules, the logging policy lists and the retention period."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from ui_support import open_store, settle, type_text

from workbench.ui.widgets.tables import RecordTable


async def clear_input(pilot: Pilot) -> None:
    """Empty the focused one-line field."""
    await pilot.press("end", "shift+home", "backspace")


def rendered(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def open_monitoring(pilot: Pilot) -> None:
    await pilot.press("7")
    await settle(pilot)


async def test_space_switches_an_alert_off(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_monitoring(pilot)
        assert app.screen.query_one("#alerts", RecordTable).current_key == "error-rate"
        await pilot.press("space")
        await settle(pilot)
        assert "switched off" in rendered(app, "#alert-detail")
    with open_store(sample_path) as store:
        assert store.get("alert", "error-rate").enabled is False
        last = store.history(limit=1, entity="alert")[0]
        assert (last.key, last.field, last.new, last.by) == ("error-rate", "enabled", False, "Dana")


async def test_a_rate_alert_above_100_percent_is_refused_inline(
    sample_path: Path, make_app
) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_monitoring(pilot)
        await pilot.press("v")
        await pilot.pause()
        await clear_input(pilot)
        await type_text(pilot, "150")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "between 0% and 100%" in rendered(app, "#dialog-error")
        await pilot.press("escape")
        await settle(pilot)
    with open_store(sample_path) as store:
        assert store.get("alert", "error-rate").value == 0.05
        assert store.history(limit=5, entity="alert") == []


async def test_alert_value_is_typed_as_a_percentage(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_monitoring(pilot)
        await pilot.press("enter")  # enter edits the value too
        await pilot.pause()
        await clear_input(pilot)
        await type_text(pilot, "3%")
        await pilot.press("enter", "enter")  # through the window (15 minutes) and save
        await settle(pilot)
        await pilot.press("w")
        await pilot.pause()
        await clear_input(pilot)
        await type_text(pilot, "above 3% over 15 minutes")
        await pilot.press("enter")
        await settle(pilot)
        assert "above 3% over 15 min" in rendered(app, "#alert-detail")
    with open_store(sample_path) as store:
        alert = store.get("alert", "error-rate")
        assert (alert.value, alert.condition) == (0.03, "above 3% over 15 minutes")
        assert {e.field for e in store.history(limit=2, entity="alert", by="Dana")} == {
            "value",
            "condition",
        }


async def test_owner_and_response_of_an_alert(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_monitoring(pilot)
        await pilot.press("j", "j", "j", "j", "o")
        await pilot.pause()
        await type_text(pilot, "Lee")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("f7")
        await type_text(pilot, "Check the input mix")
        await pilot.press("ctrl+s")
        await settle(pilot)
    with open_store(sample_path) as store:
        alert = store.get("alert", "confidence-drop")
        assert (alert.owner, alert.response) == ("Lee", "Check the input mix")
        entries = store.history(limit=2, entity="alert", key="confidence-drop")
        assert [(e.field, e.by) for e in entries] == [("response", "Dana"), ("owner", "Dana")]


async def test_add_to_a_logging_list_refuses_a_duplicate(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_monitoring(pilot)
        await pilot.press("tab", "tab")
        assert app.screen.focused.id == "log-optionally"
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, "Timestamp")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "already in always log" in rendered(app, "#dialog-error")
        await clear_input(pilot)
        await type_text(pilot, "Prompt template version")
        await pilot.press("ctrl+s")
        await settle(pilot)
        table = app.screen.query_one("#log-optionally", RecordTable)
        assert table.current_key == "4"
    with open_store(sample_path) as store:
        policy = store.get("logging")
        assert policy.optionally[-1] == "Prompt template version"
        assert "Timestamp" not in policy.optionally
        last = store.history(limit=1, entity="logging")[0]
        assert (last.field, last.by) == ("optionally", "Dana")


async def test_remove_and_move_logging_entries(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_monitoring(pilot)
        await pilot.press("tab")  # the "always" list, on "Timestamp"
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("m")  # "Request ID" moves to "optionally", and the cursor follows
        await settle(pilot)
        assert app.screen.focused.id == "log-optionally"
        await pilot.press("m")  # ... and on to "never"
        await settle(pilot)
        assert app.screen.focused.id == "log-never"
    with open_store(sample_path) as store:
        policy = store.get("logging")
        assert "Timestamp" not in policy.always
        assert "Request ID" not in policy.always + policy.optionally
        assert policy.never[-1] == "Request ID"
        entries = store.history(limit=10, entity="logging", by="Dana")
        assert {e.field for e in entries} == {"always", "optionally", "never"}


async def test_retention_must_be_a_whole_number_of_days(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_monitoring(pilot)
        await pilot.press("tab", "t")
        await pilot.pause()
        await clear_input(pilot)
        await type_text(pilot, "-5")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "whole number of days" in rendered(app, "#dialog-error")
        await clear_input(pilot)
        await type_text(pilot, "2.5")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "whole number of days" in rendered(app, "#dialog-error")
        await clear_input(pilot)
        await type_text(pilot, "365")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Keep logs for 365 days" in rendered(app, "#retention")
    with open_store(sample_path) as store:
        assert store.get("logging").retention_days == 365
        last = store.history(limit=1, entity="logging")[0]
        assert (last.field, last.old, last.new, last.by) == ("retention_days", 30, 365, "Dana")
