"""Two at once, seen from the UI: another process's change shows up; a stale toggle is refused."""

from __future__ import annotations

import time
from pathlib import Path

from textual.pilot import Pilot
from ui_support import open_store, settle

from workbench import operations
from workbench.ui.app import WorkbenchApp

ITEM = "testing.dataset-documented"  # the first row of the checklist


def status_line(app: WorkbenchApp) -> str:
    return str(app.screen.query_one("StatusLine").render())


def items_table(app: WorkbenchApp):
    return app.screen.query_one("#items")


def cells(app: WorkbenchApp, key: str) -> list[str]:
    return [str(cell) for cell in items_table(app).get_row(key)]


async def wait_until(pilot: Pilot, condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        await pilot.pause(0.1)
    return condition()


async def test_a_change_saved_elsewhere_shows_up(new_path: Path, tmp_path: Path) -> None:
    app = WorkbenchApp(
        new_path, editor="facilitator", config_file=tmp_path / "config.toml", poll_seconds=0.2
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        assert items_table(app).current_key == ITEM
        assert cells(app, ITEM)[0] == "[ ]"

        # Another process (another terminal, a browser participant) saves a change.
        with open_store(new_path) as other:
            operations.tick(other, ITEM, "done", "ben", evidence="reviewed by Ben")

        shown = await wait_until(
            pilot,
            lambda: (
                "someone else saved a change" in status_line(app) and cells(app, ITEM)[0] == "[x]"
            ),
        )
        assert shown, (status_line(app), cells(app, ITEM))
        assert cells(app, ITEM)[3] == "reviewed by Ben"


async def test_a_toggle_of_an_item_changed_elsewhere_is_refused(new_path: Path, make_app) -> None:
    app = make_app(new_path)  # no polling: the screen still shows what it loaded
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        assert items_table(app).current_key == ITEM
        assert cells(app, ITEM)[0] == "[ ]"

        with open_store(new_path) as other:  # meanwhile, Ben marks it not applicable
            operations.tick(other, ITEM, "na", "ben", reason="no dataset of our own")

        await pilot.press("space")  # the facilitator ticks it as done, from a stale screen
        await settle(pilot)
        line = status_line(app)
        assert line.startswith("Not saved")
        assert "changed by someone else" in line and "'na'" in line

    with open_store(new_path) as store:
        item = store.get("item", ITEM)
        assert (item.status, item.reason, item.updated_by) == ("na", "no dataset of our own", "ben")
        assert not store.history(by="facilitator")


async def _open_decision_4(pilot: Pilot) -> None:
    await pilot.press("0")
    await settle(pilot)
    await pilot.press("j", "j", "j")
    await settle(pilot)
    assert pilot.app.screen.query_one("#decision-log").current_key == "4"


async def test_a_title_typed_over_someone_elses_is_refused_even_after_the_reload(
    sample_path: Path, tmp_path: Path
) -> None:
    """The edit dialog is open; Ben saves a new title from another process and the
    screen reloads under the dialog; the facilitator's save, typed over the old title,
    is refused, and Ben's title is the one shown and kept."""
    from textual.widgets import Input

    app = WorkbenchApp(
        sample_path, editor="Lena", config_file=tmp_path / "config.toml", poll_seconds=0.2
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_decision_4(pilot)
        await pilot.press("e")
        await pilot.pause()
        with open_store(sample_path) as other:
            operations.edit_decision(other, "Ben", 4, seen=None, title="Ben's title")
        await pilot.pause(1.0)  # (the poll sees Ben's change and reloads the screen below)
        app.screen.query_one("#field-title", Input).value = "Lena's title"
        await pilot.press("ctrl+s")
        refused = await wait_until(pilot, lambda: status_line(app).startswith("Not saved"))
        assert refused, status_line(app)
        assert "changed by someone else" in status_line(app)
        row = [
            str(getattr(c, "plain", c)) for c in app.screen.query_one("#decision-log").get_row("4")
        ]
        assert "Ben's title" in row
    with open_store(sample_path) as store:
        assert store.get("decision", 4).title == "Ben's title"


async def test_two_people_linking_one_decision_both_keep_their_link(
    sample_path: Path, make_app
) -> None:
    app = make_app(sample_path, editor="Aiko")  # no polling: the screen is stale
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("0")
        await settle(pilot)
        with open_store(sample_path) as other:  # Ben links decision 1 to an item meanwhile
            operations.link_decision(other, "Ben", 1, "item:process.on-call")
        await pilot.press("l")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("down", "enter")  # threshold:accuracy
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert status_line(app).startswith("Saved"), status_line(app)
    with open_store(sample_path) as store:
        assert store.get("decision", 1).links == [
            "threshold:hallucination_rate",
            "item:process.on-call",
            "threshold:accuracy",
        ]
