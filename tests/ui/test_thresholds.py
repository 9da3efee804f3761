"""Thresholds screen: reasoning, target, measured values, custom metrics, refused input."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from ui_support import open_store, settle

from workbench.ui.messages import Navigate
from workbench.ui.screens.thresholds import ThresholdsScreen
from workbench.ui.widgets.tables import RecordTable
from workbench.units import parse_value

# The sample project's thresholds, in table order.
ORDER = ["accuracy", "hallucination_rate", "harmful_refusal_rate", "response_time", "error_rate"]


async def open_thresholds(pilot: Pilot, metric: str = "accuracy") -> RecordTable:
    await pilot.press("4")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ThresholdsScreen)
    table = pilot.app.screen.query_one("#thresholds", RecordTable)
    await pilot.press(*["j"] * ORDER.index(metric))
    assert table.current_key == metric
    return table


async def replace_text(pilot: Pilot, text: str) -> None:
    """Empty the focused input and type ``text`` into it."""
    await pilot.press("ctrl+a", "ctrl+k", *text)


def dialog_error(pilot: Pilot) -> str:
    return str(pilot.app.screen.query_one("#dialog-error").render())


def row_texts(table: RecordTable, key: str) -> list[str]:
    return [str(cell) for cell in table.get_row(key)]


async def test_table_shows_target_measured_and_status_in_words(sample_path: Path, make_app) -> None:
    app = make_app(sample_path)
    async with app.run_test(size=(160, 45)) as pilot:
        table = await open_thresholds(pilot)
        assert [str(table.coordinate_to_cell_key((i, 0)).row_key.value) for i in range(5)] == ORDER
        assert row_texts(table, "accuracy")[1:] == ["> 90%", "92.5% · n=240 · 88.5%–95.2%", "met"]
        assert row_texts(table, "hallucination_rate")[3] == "not met"
        assert row_texts(table, "harmful_refusal_rate")[3] == "unmeasured"
        assert "no reasoning" in row_texts(table, "error_rate")[0]
        note = str(app.screen.query_one("#thresholds-note").render())
        assert "Write down each threshold together with why you chose it" in note
        detail = str(app.screen.query_one("#threshold-detail-text").render())
        assert "A wrong draft costs an agent a minute" in detail  # the reasoning
        assert "Think about what a wrong answer costs" in detail  # the template's hint


async def test_writing_the_missing_reasoning(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_thresholds(pilot, "error_rate")
        await pilot.press("r")
        await pilot.pause()
        await pilot.press(*"Agents retry by hand; above 1% they stop using it.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Saved" in str(app.screen.query_one("StatusLine").render())
    with open_store(sample_path) as store:
        threshold = store.get("threshold", "error_rate")
        assert threshold.reasoning == "Agents retry by hand; above 1% they stop using it."
        last = store.history(limit=1, key="error_rate", field="reasoning")[0]
        assert (last.by, last.old, last.new) == ("Dana", "", threshold.reasoning)


async def test_an_empty_reasoning_is_refused_and_nothing_is_saved(
    sample_path: Path, make_app
) -> None:
    app = make_app(sample_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_thresholds(pilot, "accuracy")
        await pilot.press("enter")  # enter edits the reasoning too
        await pilot.pause()
        area = app.screen.query_one("#field-reasoning")
        area.text = "   "  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "reasoning cannot be empty" in dialog_error(pilot)
        await pilot.press("escape")
        await settle(pilot)
    with open_store(sample_path) as store:
        assert store.get("threshold", "accuracy").reasoning.startswith("A wrong draft")
        assert store.history(limit=1)[0].by == "sample"  # only the creation


async def test_entering_a_measured_rate_as_a_percentage(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(160, 45)) as pilot:
        table = await open_thresholds(pilot, "harmful_refusal_rate")
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*"97%", "tab", *"300", "tab", *"red-team run 12")
        await pilot.press("ctrl+s")
        await settle(pilot)
        cells = row_texts(table, "harmful_refusal_rate")
        assert cells[2].startswith("97% · n=300 · ")
        assert cells[3] == "met"  # 291/300: the interval still dips below 95%
    with open_store(sample_path) as store:
        measured = store.get("threshold", "harmful_refusal_rate").measured
        assert (measured.value, measured.n, measured.source) == (0.97, 300, "red-team run 12")
        last = store.history(limit=1, key="harmful_refusal_rate")[0]
        assert (last.by, last.field, last.old) == ("Dana", "measured", None)


async def test_a_rate_above_100_percent_is_refused_with_the_reason(
    sample_path: Path, make_app
) -> None:
    app = make_app(sample_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_thresholds(pilot, "accuracy")
        await pilot.press("m")
        await pilot.pause()
        await replace_text(pilot, "120%")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "between 0 and 1 (0% to 100%)" in dialog_error(pilot)
        error_region = app.screen.query_one("#dialog-error").region
        assert error_region.height >= 1 and error_region.bottom <= 24  # visible at 80×24
        await replace_text(pilot, "ninety")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "'ninety' is not a number" in dialog_error(pilot)
        await pilot.press("escape")
        await settle(pilot)
    with open_store(sample_path) as store:
        assert store.get("threshold", "accuracy").measured.value == 0.925
        assert store.history(limit=1)[0].by == "sample"


async def test_a_new_target_and_comparator_for_seconds(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_thresholds(pilot, "response_time")
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("enter", "down", "enter")  # the comparator: < becomes <=
        await pilot.press("tab")
        await replace_text(pilot, "2.5s")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert row_texts(table, "response_time")[1] == "<= 2.5 s"
    with open_store(sample_path) as store:
        threshold = store.get("threshold", "response_time")
        assert (threshold.comparator, threshold.target) == ("<=", 2.5)
        changed = {h.field: (h.by, h.old, h.new) for h in store.history(limit=2)}
        assert changed == {"comparator": ("Dana", "<", "<="), "target": ("Dana", 3.0, 2.5)}


async def test_clearing_a_measured_value_asks_first(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_thresholds(pilot, "hallucination_rate")
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert row_texts(table, "hallucination_rate")[2:] == ["—", "unmeasured"]
    with open_store(sample_path) as store:
        assert store.get("threshold", "hallucination_rate").measured is None
        last = store.history(limit=1)[0]
        assert (last.by, last.key, last.field, last.new) == (
            "Dana",
            "hallucination_rate",
            "measured",
            None,
        )


async def test_adding_a_custom_metric(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_thresholds(pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"escalation_rate", "tab", *"[@click=app.quit]Escalations[/]")
        await pilot.press("tab", *"Share of tickets handed to a human")
        await pilot.press("tab", "tab")  # the unit (rate) and the comparator (>=) as they are
        await pilot.press("tab", *"80%", "tab", *"Below 80% the agents lose the time saved.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert table.current_key == "escalation_rate"
        assert row_texts(table, "escalation_rate")[:2] == [
            "[@click=app.quit]Escalations[/]",
            ">= 80%",
        ]
    with open_store(sample_path) as store:
        added = store.get("threshold", "escalation_rate")
        assert (added.name, added.comparator, added.target, added.unit) == (
            "[@click=app.quit]Escalations[/]",
            ">=",
            0.8,
            "rate",
        )
        assert added.reasoning == "Below 80% the agents lose the time saved."
        assert added.definition == "Share of tickets handed to a human"
        last = store.history(limit=1)[0]
        assert (last.by, last.entity, last.key, last.field) == (
            "Dana",
            "threshold",
            "escalation_rate",
            "*",
        )


async def test_a_duplicate_metric_id_is_refused(sample_path: Path, make_app) -> None:
    app = make_app(sample_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_thresholds(pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"accuracy", "tab", *"Accuracy again", "tab", "tab", "tab", "tab")
        await pilot.press(*"90%", "tab", *"Because.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "'accuracy' already exists" in dialog_error(pilot)
        await pilot.press("escape")
        await settle(pilot)
    with open_store(sample_path) as store:
        assert len(store.load().thresholds) == 5
        assert store.history(limit=1)[0].by == "sample"


async def test_a_blocker_jumps_to_its_threshold(sample_path: Path, make_app) -> None:
    app = make_app(sample_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.post_message(Navigate("thresholds:error_rate"))
        await settle(pilot)
        assert isinstance(app.screen, ThresholdsScreen)
        table = app.screen.query_one("#thresholds", RecordTable)
        assert table.current_key == "error_rate"
        assert table.has_focus
        app.screen.select_record("hallucination_rate")
        assert table.current_key == "hallucination_rate"
        detail = str(app.screen.query_one("#threshold-detail-text").render())
        assert detail.startswith("Hallucination rate")


async def test_narrow_screen_keeps_the_status_column_in_view(sample_path: Path, make_app) -> None:
    app = make_app(sample_path)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_thresholds(pilot)
        assert row_texts(table, "accuracy")[2:] == ["92.5%", "met"]
        status = table.columns[next(k for k in table.columns if k.value == "Status")]
        used = sum(c.get_render_width(table) for c in table.columns.values())
        assert used <= table.size.width
        assert status.width == 19


@pytest.mark.parametrize(
    ("text", "unit", "value"),
    [
        ("93%", "rate", 0.93),
        ("0.93", "rate", 0.93),
        (" 6.25 % ", "rate", 0.0625),
        ("2.5", "seconds", 2.5),
        ("2.5s", "seconds", 2.5),
        ("800ms", "seconds", 0.8),
        ("200%", "x baseline", 2.0),
        ("3", "count", 3.0),
    ],
)
def test_values_are_read_as_people_type_them(text: str, unit: str, value: float) -> None:
    assert parse_value(text, unit) == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "unit", "problem"),
    [
        ("93", "rate", "write 93% or 0.93"),
        ("", "rate", "enter a value"),
        ("fast", "seconds", "'fast' is not a number"),
        ("nan", "count", "is not a number"),
    ],
)
def test_values_that_cannot_be_read_say_why(text: str, unit: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_value(text, unit)
