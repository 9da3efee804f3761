"""Oversight screen: measures by kind, planned or in place, notes, new measures."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from ui_support import open_store, settle, type_text

from workbench.ui.widgets.tables import RecordTable


def rendered(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def open_oversight(pilot: Pilot) -> None:
    await pilot.press("9")
    await settle(pilot)


async def test_space_puts_a_measure_in_place(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_oversight(pilot)
        assert "2 of 5 in place" in rendered(app, "#title-review_interface")
        assert "Reviewers approve more than 95%" in rendered(app, "#remove-human")
        await pilot.press("j", "j", "space")
        await settle(pilot)
        assert "3 of 5 in place" in rendered(app, "#title-review_interface")
    with open_store(sample_path) as store:
        assert store.get("measure", "review-interface-3").status == "in_place"
        last = store.history(limit=1, entity="measure")[0]
        assert (last.key, last.old, last.new, last.by) == (
            "review-interface-3",
            "planned",
            "in_place",
            "Dana",
        )


async def test_notes_and_text_of_a_measure(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_oversight(pilot)
        await pilot.press("tab", "tab")  # fatigue management
        assert app.screen.focused.id == "measures-fatigue"
        await pilot.press("n")
        await pilot.pause()
        await type_text(pilot, "Two sessions of 45 minutes a day")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Two sessions of 45 minutes a day" in rendered(app, "#detail-fatigue")
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("end", "shift+home", "backspace", "ctrl+s")  # empty: refused
        await pilot.pause()
        assert "describe the measure" in rendered(app, "#dialog-error")
        await type_text(pilot, "At most two review sessions in a row")
        await pilot.press("ctrl+s")
        await settle(pilot)
    with open_store(sample_path) as store:
        measure = store.get("measure", "fatigue-1")
        assert measure.notes == "Two sessions of 45 minutes a day"
        assert measure.text == "At most two review sessions in a row"
        entries = store.history(limit=2, entity="measure", key="fatigue-1")
        assert [(e.field, e.by) for e in entries] == [("text", "Dana"), ("notes", "Dana")]


async def test_add_a_measure_gets_a_new_slug_and_shows_as_typed(
    sample_path: Path, make_app
) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_oversight(pilot)
        await pilot.press("tab", "a")
        await pilot.pause()
        await pilot.press("ctrl+s")  # nothing typed: refused
        await pilot.pause()
        assert "describe the measure" in rendered(app, "#dialog-error")
        await type_text(pilot, "[@click=app.quit] practice on past tickets")
        await pilot.press("ctrl+s")
        await settle(pilot)
        table = app.screen.query_one("#measures-reviewer-training", RecordTable)
        assert table.current_key == "reviewer-training-5"
        assert table.has_focus
        assert "[@click=app.quit] practice" in str(table.get_row("reviewer-training-5")[1])
        assert "1 of 5 in place" in rendered(app, "#title-reviewer_training")
    with open_store(sample_path) as store:
        measure = store.get("measure", "reviewer-training-5")
        assert (measure.kind, measure.status, measure.text) == (
            "reviewer_training",
            "planned",
            "[@click=app.quit] practice on past tickets",
        )
        added = store.history(limit=1, entity="measure")[0]
        assert (added.key, added.field, added.by) == ("reviewer-training-5", "*", "Dana")


async def test_remove_a_measure_after_asking(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_oversight(pilot)
        await pilot.press("j", "x")  # review-interface-2
        await pilot.pause()
        await pilot.press("n")  # not removed
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert "1 of 4 in place" in rendered(app, "#title-review_interface")
    with open_store(sample_path) as store:
        ids = [m.id for m in store.load().oversight.measures if m.kind == "review_interface"]
        assert "review-interface-2" not in ids and len(ids) == 4
        last = store.history(limit=1, entity="measure")[0]
        assert (last.key, last.new, last.by) == ("review-interface-2", None, "Dana")
