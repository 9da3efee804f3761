"""Test set screen: risk level, sizes, composition, notes, and what the size can show."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Static
from ui_support import open_store, settle

from workbench.ui.screens import testset
from workbench.ui.screens.testset import parse_count
from workbench.ui.widgets.tables import RecordTable


async def open_testset(pilot: Pilot) -> testset.TestSetScreen:
    await pilot.press("5")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, testset.TestSetScreen)
    return screen


def text_of(screen: testset.TestSetScreen, selector: str) -> str:
    """What a Static shows, as plain text at its width."""
    widget = screen.query_one(selector, Static)
    console = Console(width=widget.size.width or 80, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def dialog_error(pilot: Pilot) -> str:
    return str(pilot.app.screen.query_one("#dialog-error").render())


async def replace_text(pilot: Pilot, text: str) -> None:
    await pilot.press("ctrl+a", "ctrl+k", *text)


async def test_the_plan_against_the_guide_and_what_it_can_show(sample_path: Path, make_app) -> None:
    app = make_app(sample_path)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_testset(pilot)
        risk = text_of(screen, "#risk-levels")
        assert "This project: medium risk → at least 200 cases" in risk
        for line in ("Low          50  Internal tools", "▶  Medium      200", "High       500+"):
            assert line in risk
        sizes = text_of(screen, "#sizes")
        assert "Planned" in sizes and "300  meets the minimum" in sizes
        assert "240  meets the minimum" in sizes
        assert "60 cases of the plan still to build." in sizes
        assert "Edge cases 38 (15.8%)  Adversarial 22 (9.2%)" in text_of(screen, "#mix")
        shows = " ".join(text_of(screen, "#shows").split())
        assert "What the built 240 cases can and cannot show" in shows
        assert "With 240 cases, a measured accuracy of 90% is known to within ±3.8 points" in shows
        assert "240 cases cannot tell 5% hallucination rate from about 9%." in shows
        guidance = " ".join(text_of(screen, "#guidance").split())
        assert "Functional testing — Does the system do what it is meant to do?" in guidance
        assert "Bias testing" in guidance
        assert "5. Balance the set across categories and user types" in guidance
        table = screen.query_one("#composition", RecordTable)
        assert table.row_count == 4
        assert [str(c) for c in table.get_row("account access")] == [
            "account access",
            "60",
            "30",
            "50.0%",
        ]


async def test_raising_the_risk_level_raises_the_minimum(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_testset(pilot)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("enter", "down", "enter")  # medium → high in the select
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "high risk → at least 500 cases" in text_of(screen, "#risk-levels")
        sizes = text_of(screen, "#sizes")
        assert "200 below the minimum" in sizes  # planned 300 of 500
        assert "260 below the minimum" in sizes  # actual 240 of 500
    with open_store(sample_path) as store:
        assert store.load().project.risk == "high"
        last = store.history(limit=1)[0]
        assert (last.by, last.entity, last.field, last.old, last.new) == (
            "Dana",
            "project",
            "risk",
            "medium",
            "high",
        )


async def test_editing_the_sizes(new_path: Path, make_app) -> None:
    app = make_app(new_path, editor="Dana")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_testset(pilot)
        assert "no size recorded yet" in text_of(screen, "#shows")
        await pilot.press("s")
        await pilot.pause()
        await replace_text(pilot, "250")
        await pilot.press("tab")
        await replace_text(pilot, "1,000")
        await pilot.press("tab")
        await replace_text(pilot, "120")
        await pilot.press("tab")
        await replace_text(pilot, "80")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "What the built 1,000 cases can and cannot show" in text_of(screen, "#shows")
    with open_store(new_path) as store:
        plan = store.load().dataset
        assert (plan.planned_size, plan.actual_size, plan.edge_cases, plan.adversarial_cases) == (
            250,
            1000,
            120,
            80,
        )
        changed = {h.field: (h.by, h.new) for h in store.history(limit=4)}
        assert changed == {
            "planned_size": ("Dana", 250),
            "actual_size": ("Dana", 1000),
            "edge_cases": ("Dana", 120),
            "adversarial_cases": ("Dana", 80),
        }


async def test_a_size_that_is_not_a_whole_number_is_refused(sample_path: Path, make_app) -> None:
    app = make_app(sample_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_testset(pilot)
        await pilot.press("s")
        await pilot.pause()
        await replace_text(pilot, "-5")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "is a whole number of cases, not '-5'" in dialog_error(pilot)
        error_region = app.screen.query_one("#dialog-error").region
        assert error_region.height >= 1 and error_region.bottom <= 24  # visible at 80×24
        await pilot.press("escape")
        await settle(pilot)
    with open_store(sample_path) as store:
        assert store.load().dataset.planned_size == 300
        assert store.history(limit=1)[0].by == "sample"


async def test_adding_editing_and_removing_categories(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await open_testset(pilot)
        table = screen.query_one("#composition", RecordTable)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"[b]complaints[/b]", "tab", *"40", "tab", *"12", "ctrl+s")
        await settle(pilot)
        assert table.current_key == "[b]complaints[/b]"
        assert [str(c) for c in table.get_row("[b]complaints[/b]")][:3] == [
            "[b]complaints[/b]",
            "40",
            "12",
        ]
        await pilot.press("k")  # account access
        await pilot.press("enter")  # enter edits the category too
        await pilot.pause()
        await pilot.press("tab", "tab")
        await replace_text(pilot, "60")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("k", "d")  # returns
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert table.row_count == 4
    with open_store(sample_path) as store:
        rows = [(r.category, r.planned, r.actual) for r in store.load().dataset.composition]
        assert rows == [
            ("billing", 90, 80),
            ("delivery", 80, 70),
            ("account access", 60, 60),
            ("[b]complaints[/b]", 40, 12),
        ]
        entries = store.history(limit=3, field="composition")
        assert [e.by for e in entries] == ["Dana", "Dana", "Dana"]
        assert len(entries[0].old) == 5 and len(entries[0].new) == 4  # the removal


async def test_a_repeated_category_is_refused(sample_path: Path, make_app) -> None:
    app = make_app(sample_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_testset(pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"billing", "tab", *"10", "ctrl+s")
        await pilot.pause()
        assert "category 'billing' is listed twice" in dialog_error(pilot)
        await pilot.press("escape")
        await settle(pilot)
    with open_store(sample_path) as store:
        assert len(store.load().dataset.composition) == 4
        assert store.history(limit=1)[0].by == "sample"


async def test_editing_the_notes(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_testset(pilot)
        await pilot.press("n")
        await pilot.pause()
        area = app.screen.query_one("#field-notes")
        area.text = "Re-sampled in December [/] after the new returns policy."  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Re-sampled in December [/]" in text_of(screen, "#notes")
    with open_store(sample_path) as store:
        assert store.load().dataset.notes.startswith("Re-sampled in December [/]")
        last = store.history(limit=1)[0]
        assert (last.by, last.entity, last.field) == ("Dana", "dataset", "notes")


def test_counts_are_read_as_people_type_them() -> None:
    assert parse_count("1,000", "size") == 1000
    assert parse_count(" 1 000 ", "size") == 1000
    assert parse_count("", "size") == 0
