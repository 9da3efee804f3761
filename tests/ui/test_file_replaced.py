"""The UI when its project file is replaced (a restore), deleted, or holds a value it
cannot read: it says so on the screen, never shows the old content for ever, never hangs.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from ui_support import open_store, settle

from workbench import operations
from workbench.backup import backup
from workbench.restore import restore

ITEM = "testing.edge-cases"


def status(app) -> str:
    return str(app.screen.query_one("StatusLine").render())


async def wait_for_status(pilot, app, text: str, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        await settle(pilot)
        if text in status(app):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the status line never said {text!r}: {status(app)!r}")


async def test_a_restore_under_the_open_app_is_shown(new_path: Path, make_app) -> None:
    """Found: a UI whose file was restored kept showing the old content for ever, and each
    edit said "read-only"."""
    with open_store(new_path) as store:
        saved = backup(store, reason="test")
        operations.tick(store, ITEM, "done", "dana", evidence="after the backup")
    app = make_app(new_path, poll_seconds=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        assert app.session.snapshot().data.checklist  # (loaded)
        done = {i.id: i.status for i in app.session.snapshot().data.checklist}
        assert done[ITEM] == "done"
        restore(saved, new_path)
        await wait_for_status(pilot, app, "Reopened · the project file was replaced")
        items = {i.id: i.status for i in app.session.snapshot().data.checklist}
        assert items[ITEM] == "open"  # what the restored file holds
        await pilot.press("space")  # an edit after the restore lands in the restored file
        await wait_for_status(pilot, app, "Saved")
    with open_store(new_path) as store:
        assert store.history(limit=1)[0].by == "facilitator"


async def test_a_deleted_project_file_is_said_and_edits_are_refused(
    new_path: Path, make_app
) -> None:
    app = make_app(new_path, poll_seconds=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await settle(pilot)
        new_path.unlink()
        await wait_for_status(pilot, app, "The project file was deleted or moved")
        await pilot.press("space")
        await wait_for_status(pilot, app, "Not saved")
        assert "was deleted or moved while it was open; nothing was saved" in status(app)
    assert not new_path.exists()


async def test_a_value_the_app_cannot_read_is_named_on_the_screen(new_path: Path, make_app) -> None:
    """Found: a project holding a value its models refuse left `open` on "Loading the
    project…" with no message."""
    conn = sqlite3.connect(new_path)
    conn.execute("UPDATE items SET title = ? WHERE id = ?", ["x" * 5000, ITEM])
    conn.commit()
    conn.close()
    app = make_app(new_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        verdict = str(app.screen.query_one("#verdict-text").render())
        assert verdict.startswith("Cannot read the project.")
        assert f"invalid value in checklist item {ITEM} (title:" in verdict
        assert "holds an invalid value" in status(app)
