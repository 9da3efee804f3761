"""Checklist screen: toggling, not applicable with a reason, owner, evidence, filter."""

from __future__ import annotations

from pathlib import Path

from ui_support import open_store, settle, type_text

from workbench import operations
from workbench.ui.widgets.virtual_table import VirtualTable


async def test_space_ticks_the_item_and_records_who(new_path: Path, make_app) -> None:
    app = make_app(new_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        table = app.screen.query_one("#items", VirtualTable)
        assert table.current_key == "testing.dataset-documented"
        await pilot.press("j", "space")
        await settle(pilot)
        assert "Saved" in str(app.screen.query_one("StatusLine").render())
    with open_store(new_path) as store:
        item = store.get("item", "testing.accuracy-thresholds")
        assert item.status == "done"
        assert item.updated_by == "Dana"
        last = store.history(limit=5, key="testing.accuracy-thresholds", field="status")[0]
        assert (last.by, last.old, last.new) == ("Dana", "open", "done")


async def test_not_applicable_needs_a_reason(new_path: Path, make_app) -> None:
    app = make_app(new_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("ctrl+s")  # empty reason: refused inline, dialog stays
        await pilot.pause()
        error = app.screen.query_one("#dialog-error")
        assert "say why" in str(error.render())
        await type_text(pilot, "Internal only")
        await pilot.press("ctrl+s")
        await settle(pilot)
    with open_store(new_path) as store:
        item = store.get("item", "testing.dataset-documented")
        assert (item.status, item.reason) == ("na", "Internal only")


async def test_undo_reverts_the_last_edit(new_path: Path, make_app) -> None:
    app = make_app(new_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        await pilot.press("ctrl+z")
        await settle(pilot)
    with open_store(new_path) as store:
        assert store.get("item", "testing.dataset-documented").status == "open"
        assert store.history(limit=1)[0].field == "status"


async def test_undo_leaves_another_persons_edit_unless_told(new_path: Path, make_app) -> None:
    """Found: ctrl+z in one UI reversed another participant's edit."""
    with open_store(new_path) as store:
        operations.tick(store, "testing.edge-cases", "done", "dana", evidence="by Dana")
    app = make_app(new_path, editor="facilitator")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+z")
        await settle(pilot)
        dialog = app.screen
        assert type(dialog).__name__ == "ConfirmDialog"
        assert dialog.question.splitlines() == [
            "Nothing of yours (facilitator) to undo.",
            "The last edit is dana's:",
            "  testing.edge-cases → done",
            "Undo their edit?",
        ]
        await pilot.press("n")
        await settle(pilot)
        with open_store(new_path) as store:
            assert store.get("item", "testing.edge-cases").status == "done"
        await pilot.press("ctrl+z")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
    with open_store(new_path) as store:
        assert store.get("item", "testing.edge-cases").status == "open"
        assert store.history(limit=1)[0].by == "facilitator"


async def test_undo_takes_back_your_own_edit_not_the_newer_one_of_another(
    new_path: Path, make_app
) -> None:
    app = make_app(new_path, editor="facilitator")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("space")  # the facilitator ticks the first testing item
        await settle(pilot)
        with open_store(new_path) as store:
            operations.tick(store, "testing.edge-cases", "done", "dana")
        await pilot.press("ctrl+z")
        await settle(pilot)
    with open_store(new_path) as store:
        assert store.get("item", "testing.dataset-documented").status == "open"
        assert store.get("item", "testing.edge-cases").status == "done"
