"""Rollout stages inserted, moved and removed from the keys; a rollback test recorded
through its dialog (date, who, what); the two dialogs at 80x24."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import tempfile
from pathlib import Path

from textual.pilot import Pilot
from ui_support import open_store, settle, type_text

from workbench import operations
from workbench.ui.app import WorkbenchApp
from workbench.ui.widgets.tables import RecordTable

FOLDER = Path(tempfile.gettempdir()) / "workbench-stage-rollback-snapshots"
PINNED = "2026-11-28T10:00:00+00:00"


async def clear_input(pilot: Pilot) -> None:
    await pilot.press("end", "shift+home", "backspace")


def rendered(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def weeks(path: Path) -> list[tuple[int, float]]:
    with open_store(path) as store:
        return [(s.week, s.traffic) for s in store.load().rollout.stages]


async def open_stages(pilot: Pilot) -> RecordTable:
    await pilot.press("6")
    await settle(pilot)
    await pilot.press("tab")
    table = pilot.app.screen.query_one("#stages", RecordTable)
    assert table.has_focus
    return table


async def test_move_a_stage_then_insert_one_in_the_gap(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_stages(pilot)
        await pilot.press("j", "j", "j", "m")  # week 4 (100%)
        await pilot.pause()
        await clear_input(pilot)
        await type_text(pilot, "2")  # taken
        await pilot.press("enter")
        await pilot.pause()
        assert "week 2 already has a stage: pick another week or edit it" in rendered(
            app, "#dialog-error"
        )
        await clear_input(pilot)
        await type_text(pilot, "6")
        await pilot.press("enter")
        await settle(pilot)
        assert table.current_key == "6"
        assert "week 4 moved to week 6" in rendered(app, "StatusLine")
        assert weeks(sample_path) == [(1, 0.05), (2, 0.2), (3, 0.5), (6, 1.0)]

        await pilot.press("a")
        await pilot.pause()
        await clear_input(pilot)  # prefilled with week 7, the next free one
        await type_text(pilot, "4")
        await pilot.press("enter")
        await type_text(pilot, "40")  # below week 3's 50%
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "a rollout only widens; give at least 50%" in rendered(app, "#dialog-error")
        await clear_input(pilot)
        await type_text(pilot, "75")
        await pilot.press("enter")
        await type_text(pilot, "Complaints flat")
        await pilot.press("enter")
        await settle(pilot)
        assert table.current_key == "4"
        assert [table.get_row_at(i)[1].plain for i in range(table.row_count)] == [
            "1",
            "2",
            "3",
            "4",
            "6",
        ]
    with open_store(sample_path) as store:
        assert store.get("stage", 4).criterion == "Complaints flat"
        assert store.get("stage", 6).criterion == "Every metric is inside its threshold"
        moved = [e for e in store.history(limit=5, entity="stage") if e.by == "Dana"]
        assert [(e.key, e.field) for e in moved] == [("4", "*"), ("6", "*"), ("4", "*")]


async def test_a_move_is_undone_with_one_ctrl_z(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_stages(pilot)
        await pilot.press("j", "j", "j", "m")
        await pilot.pause()
        await clear_input(pilot)
        await type_text(pilot, "8")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert weeks(sample_path)[-1] == (8, 1.0)
        await pilot.press("ctrl+z")
        await settle(pilot)
    assert weeks(sample_path) == [(1, 0.05), (2, 0.2), (3, 0.5), (4, 1.0)]


async def test_remove_a_stage_after_a_question_naming_it(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_stages(pilot)
        await pilot.press("j", "j", "x")  # week 3
        await pilot.pause()
        assert "Remove week 3 (50%) from the rollout?" in str(
            app.screen.query_one("#dialog-title").render()
        )
        await pilot.press("y")
        await settle(pilot)
    assert [w for w, _ in weeks(sample_path)] == [1, 2, 4]


async def test_record_a_rollback_test_through_the_dialog(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("8")
        await settle(pilot)
        await pilot.press("tab", "tab")
        assert app.screen.focused.id == "rollback"
        await pilot.press("j", "t")  # version rollback: never tested
        await pilot.pause()
        await pilot.press("enter", "enter")  # today, by Dana: both prefilled
        await pilot.press("enter")  # nothing said about what was done: refused
        await pilot.pause()
        assert "say what the rehearsal did" in rendered(app, "#dialog-error")
        await type_text(pilot, "rolled back to v2 in staging in 6 minutes")
        await pilot.press("enter")
        await settle(pilot)
        table = app.screen.query_one("#rollback", RecordTable)
        row = [cell.plain for cell in table.get_row_at(1)]
        assert row[1:3] == [dt.date.today().isoformat(), "Dana"]
        assert row[3].startswith("rolled back to v2")
        assert "by Dana: rolled back to v2" in rendered(app, "#rollback-detail")
    with open_store(sample_path) as store:
        option = store.get("rollback", "version-rollback")
        assert (option.last_tested, option.tested_by, option.test_note) == (
            dt.date.today(),
            "Dana",
            "rolled back to v2 in staging in 6 minutes",
        )
        assert option.tested
        entries = store.history(limit=3, entity="rollback")
        assert {(e.key, e.by) for e in entries} == {("version-rollback", "Dana")}


async def test_emptying_the_date_clears_the_record(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("8")
        await settle(pilot)
        await pilot.press("tab", "tab", "e")  # feature flag: tested 2026-11-12 by Tomás
        await pilot.pause()
        await clear_input(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
    with open_store(sample_path) as store:
        option = store.get("rollback", "feature-flag")
        assert (option.last_tested, option.tested_by, option.test_note) == (None, "", "")


# ---------------------------------------------------------------- snapshots


def pinned_sample() -> Path:
    shutil.rmtree(FOLDER, ignore_errors=True)
    FOLDER.mkdir(parents=True)
    path = FOLDER / "sample.sqlite"
    root = Path(__file__).resolve().parents[2]
    operations.create_project(
        path,
        name=None,
        risk=None,
        by="sample",
        from_toml=root / "sample_project" / "support-assistant.toml",
    ).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE changes SET at = ?", [PINNED])
    conn.close()
    return path


def snapshot_app() -> WorkbenchApp:
    return WorkbenchApp(
        pinned_sample(),
        editor="Maria Okafor",
        theme="workbench-dark",
        config_file=FOLDER / "config.toml",
        poll_seconds=0,
        build_ahead=False,
    )


def test_the_add_stage_dialog_at_80_by_24(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        await pilot.press("tab", "a")
        await settle(pilot)

    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=run_before)


def test_the_rollback_test_dialog_at_80_by_24(snap_compare) -> None:
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("8")
        await settle(pilot)
        # the dialog opened on the record, so no date of today is in the picture
        await pilot.press("tab", "tab", "e")
        await settle(pilot)

    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=run_before)
