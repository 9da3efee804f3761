"""Dialogs at 80×24: every field shows with its label, a refusal sits beside its field,
and keys typed fast (a paste, "600", tab, "0") land in the fields they were typed for."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Label
from ui_support import settle

from workbench.ui.dialogs.form import FormDialog


async def open_add_alert(pilot) -> FormDialog:
    await pilot.press("7")
    await settle(pilot)
    await pilot.press("a")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, FormDialog)
    return dialog


async def test_every_field_of_a_seven_field_dialog_shows_at_80_by_24(new_path: Path, make_app):
    app = make_app(new_path)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_add_alert(pilot)
        area = dialog.query_one("#dialog-fields").region
        labels = list(dialog.query(".field-label").results(Label))
        assert len(labels) == len(dialog.fields) == 7
        for f, label in zip(dialog.fields, labels, strict=True):
            widget = dialog.query_one(f"#field-{f.name}")
            for shown in (label, widget):
                assert area.contains_region(shown.region), f"{f.name} is off the dialog"
        buttons = dialog.query_one("#dialog-buttons").region
        assert buttons.bottom <= 24


async def test_keys_typed_without_pauses_land_in_their_fields(new_path: Path, make_app):
    app = make_app(new_path)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_add_alert(pilot)
        # one call, no pauses between the keys: as a paste or a fast typist sends them
        await pilot.press(*"Approval rate", "tab", "tab", *"0.4", "tab", "tab", *"1 day")
        await settle(pilot)
        values = dialog.values()
        assert values["signal"] == "Approval rate"
        assert values["value"] == "0.4"
        assert values["window"] == "1 day"


async def test_enter_moves_to_the_next_field_as_it_arrives(new_path: Path, make_app):
    app = make_app(new_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")  # thresholds: add one (metric, name, …)
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        first, second = [f.name for f in dialog.fields[:2]]
        await pilot.press(*"approval_rate", "enter", *"Approval rate")
        await settle(pilot)
        values = dialog.values()
        assert (values[first], values[second]) == ("approval_rate", "Approval rate")


async def test_a_refusal_is_shown_beside_its_field(new_path: Path, make_app):
    app = make_app(new_path)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_add_alert(pilot)
        await pilot.press(*"Approval rate", "tab", "tab", *"abc", "ctrl+s")
        await settle(pilot)
        assert app.screen is dialog  # nothing saved
        beside = dialog.query_one("#error-value", Label)
        assert beside.has_class("-visible") and "↑" in str(beside.render())
        assert app.focused is dialog.query_one("#field-value", Input)
        area = dialog.query_one("#dialog-fields").region
        assert area.contains_region(beside.region)
        bottom = dialog.query_one("#dialog-error", Label)
        assert str(bottom.render()).startswith("Not saved:")
