"""Rollout screen: patterns chosen and their notes, the stage table, the settings."""

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


async def open_rollout(pilot: Pilot) -> None:
    await pilot.press("6")
    await settle(pilot)


async def test_space_chooses_a_pattern_and_the_guide_text_follows_the_cursor(
    sample_path: Path, make_app
) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_rollout(pilot)
        table = app.screen.query_one("#patterns", RecordTable)
        assert table.current_key == "shadow"
        assert "How it works" in rendered(app, "#pattern-detail")
        await pilot.press("space")
        await settle(pilot)
        assert "Saved" in rendered(app, "StatusLine")
        await pilot.press("j")
        await pilot.pause()
        assert "Consider removing the human when" in rendered(app, "#pattern-detail")
    with open_store(sample_path) as store:
        assert store.get("pattern", "shadow").chosen is True
        last = store.history(limit=1, entity="pattern", key="shadow")[0]
        assert (last.by, last.field, last.old, last.new) == ("Dana", "chosen", False, True)


async def test_pattern_notes_are_saved_as_typed(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_rollout(pilot)
        await pilot.press("n")
        await pilot.pause()
        await type_text(pilot, "[/] two weeks")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "[/] two weeks" in rendered(app, "#pattern-detail")
    with open_store(sample_path) as store:
        assert store.get("pattern", "shadow").notes == "[/] two weeks"
        assert store.history(limit=1, entity="pattern")[0].by == "Dana"


async def test_space_moves_a_stage_on_and_the_current_stage_is_named(
    sample_path: Path, make_app
) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_rollout(pilot)
        assert "week 2 · 20% of traffic" in rendered(app, "#current-stage")
        await pilot.press("tab")
        table = app.screen.query_one("#stages", RecordTable)
        assert table.has_focus
        await pilot.press("j", "space")  # week 2: active -> passed
        await settle(pilot)
        assert "No stage is active. Next: week 3" in rendered(app, "#current-stage")
        await pilot.press("j", "space")  # week 3: pending -> active
        await settle(pilot)
        assert "week 3 · 50% of traffic" in rendered(app, "#current-stage")
    with open_store(sample_path) as store:
        assert store.get("stage", 2).status == "passed"
        assert store.get("stage", 3).status == "active"
        entries = store.history(limit=2, entity="stage", field="status")
        assert [(e.key, e.new, e.by) for e in entries] == [
            ("3", "active", "Dana"),
            ("2", "passed", "Dana"),
        ]


async def test_a_traffic_share_above_100_percent_is_refused(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_rollout(pilot)
        await pilot.press("tab", "j", "e")
        await pilot.pause()
        await clear_input(pilot)
        await type_text(pilot, "150")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "at most 100%" in rendered(app, "#dialog-error")
        await pilot.press("escape")
        await settle(pilot)
    with open_store(sample_path) as store:
        assert store.get("stage", 2).traffic == 0.2
        assert store.history(limit=5, entity="stage") == []


async def test_edit_a_stage_criterion_and_traffic(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_rollout(pilot)
        await pilot.press("tab", "j", "e")
        await pilot.pause()
        await clear_input(pilot)
        await type_text(pilot, "25%")
        await pilot.press("enter")  # enter moves on to the next field ...
        await clear_input(pilot)
        await type_text(pilot, "Error rate below 1 in 100")
        await pilot.press("enter")  # ... and saves on the last one
        await settle(pilot)
        assert "25% of traffic" in rendered(app, "#current-stage")
    with open_store(sample_path) as store:
        stage = store.get("stage", 2)
        assert (stage.traffic, stage.criterion) == (0.25, "Error rate below 1 in 100")
        fields = {e.field: e.by for e in store.history(limit=2, entity="stage", key="2")}
        assert fields == {"traffic": "Dana", "criterion": "Dana"}


async def test_add_a_stage_as_the_next_week(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_rollout(pilot)
        await pilot.press("tab", "a")
        await pilot.pause()
        await pilot.press("tab")  # the week, prefilled with the next one: 5
        await type_text(pilot, "0")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "above 0% and at most 100%" in rendered(app, "#dialog-error")
        await clear_input(pilot)
        await type_text(pilot, "50")  # after week 4 at 100%: a rollout only widens
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "a rollout only widens; give at least 100%" in rendered(app, "#dialog-error")
        await clear_input(pilot)
        await type_text(pilot, "100")
        await pilot.press("enter")
        await type_text(pilot, "Stable for a month")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#stages", RecordTable).current_key == "5"
    with open_store(sample_path) as store:
        stage = store.get("stage", 5)
        assert (stage.traffic, stage.criterion, stage.status) == (
            1.0,
            "Stable for a month",
            "pending",
        )
        added = store.history(limit=1, entity="stage")[0]
        assert (added.key, added.field, added.by) == ("5", "*", "Dana")


async def test_remove_a_stage_after_confirming(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_rollout(pilot)
        await pilot.press("tab", "j", "j", "j", "x")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
    with open_store(sample_path) as store:
        assert [s.week for s in store.load().rollout.stages] == [1, 2, 3]
        removed = store.history(limit=1, entity="stage")[0]
        assert (removed.key, removed.new, removed.by) == ("4", None, "Dana")


async def test_approval_target_is_a_percentage_and_out_of_range_is_refused(
    sample_path: Path, make_app
) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_rollout(pilot)
        await pilot.press("tab", "tab")
        assert app.screen.query_one("#settings", RecordTable).has_focus
        await pilot.press("j", "j", "e")
        await pilot.pause()
        await clear_input(pilot)
        await type_text(pilot, "120")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "between 0% and 100%" in rendered(app, "#dialog-error")
        await clear_input(pilot)
        await type_text(pilot, "90")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "above 90% approvals" in rendered(app, "#setting-detail")
    with open_store(sample_path) as store:
        assert store.get("rollout").hitl_approval_target == 0.9
        last = store.history(limit=1, entity="rollout")[0]
        assert (last.field, last.old, last.new, last.by) == (
            "hitl_approval_target",
            0.95,
            0.9,
            "Dana",
        )


async def test_shadow_weeks_and_flag_tool(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_rollout(pilot)
        await pilot.press("tab", "tab", "enter")  # enter edits the highlighted setting
        await pilot.pause()
        await clear_input(pilot)
        await type_text(pilot, "three")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "whole number" in rendered(app, "#dialog-error")
        await clear_input(pilot)
        await type_text(pilot, "3")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("j", "j", "j", "j", "e")
        await pilot.pause()
        await clear_input(pilot)
        await type_text(pilot, "LaunchDarkly")
        await pilot.press("ctrl+s")
        await settle(pilot)
    with open_store(sample_path) as store:
        settings = store.get("rollout")
        assert (settings.shadow_weeks, settings.flag_tool) == (3, "LaunchDarkly")
        assert {e.field for e in store.history(limit=2, entity="rollout", by="Dana")} == {
            "shadow_weeks",
            "flag_tool",
        }
