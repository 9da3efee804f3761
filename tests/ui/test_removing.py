"""Anything a team adds by mistake can be removed, after a question that names it, and
brought back with ctrl+z: thresholds, decisions and parked questions (the others are in
the tests of their screens); what would leave a link pointing at nothing is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from ui_support import open_store, settle

from workbench import operations
from workbench.errors import InvalidValueError
from workbench.ui.dialogs.confirm import ConfirmDialog


async def confirm(pilot, key: str) -> str:  # type: ignore[no-untyped-def]
    await pilot.press(key)
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ConfirmDialog)
    question = dialog.question
    await pilot.press("y")
    await settle(pilot)
    return question


async def test_a_threshold_added_by_mistake_is_removed_and_comes_back(
    new_path: Path, make_app
) -> None:
    with open_store(new_path) as store:
        operations.add_threshold(
            store,
            "Ana",
            metric="approvl_rate",
            name="Approvl rate",
            comparator=">=",
            target=0.4,
            unit="rate",
            reasoning="typo",
        )
    app = make_app(new_path, editor="Ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await settle(pilot)
        await pilot.press(*["down"] * 5)  # the sixth metric, after the guide's five
        await settle(pilot)
        asked = await confirm(pilot, "d")
        assert "Remove the threshold Approvl rate" in asked
        with open_store(new_path) as store:
            assert "approvl_rate" not in {t.metric for t in store.load().thresholds}
        await pilot.press("ctrl+z")
        await settle(pilot)
    with open_store(new_path) as store:
        assert "approvl_rate" in {t.metric for t in store.load().thresholds}


async def test_a_decision_and_a_parked_question_are_removed(new_path: Path, make_app) -> None:
    with open_store(new_path) as store:
        operations.decide(store, "Ana", title="Ship on Friday", decision="d", rationale="r")
        operations.park_question(store, "Test question, ignore", "Ana")
    app = make_app(new_path, editor="Ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("0")
        await settle(pilot)
        asked = await confirm(pilot, "x")
        assert asked.startswith("Remove decision 1 (Ship on Friday)")
        await pilot.press("tab")  # to the parking lot
        await settle(pilot)
        asked = await confirm(pilot, "x")
        assert asked.startswith("Remove parked question 1 (Test question, ignore)")
    with open_store(new_path) as store:
        data = store.load()
        assert data.decisions == [] and data.parking_lot == []
        summaries = [e.entity for e in store.history(limit=2)]
        assert summaries == ["question", "decision"]


def test_removing_what_a_link_points_at_is_refused(new_path: Path) -> None:
    with open_store(new_path) as store:
        first = operations.decide(
            store,
            "Ana",
            title="Accuracy bar",
            decision="d",
            rationale="r",
            links=["threshold:accuracy"],
        )
        operations.decide(
            store, "Ana", title="A higher bar", decision="d", rationale="r", supersedes=first.id
        )
        with pytest.raises(InvalidValueError, match="linked from decision 1: unlink it there"):
            operations.remove_threshold(store, "Ana", "accuracy")
        with pytest.raises(InvalidValueError, match="superseded by decision 2"):
            operations.remove_decision(store, "Ana", first.id)
        operations.remove_decision(store, "Ana", 2)
        operations.unlink_decision(store, "Ana", first.id, "threshold:accuracy")
        operations.remove_threshold(store, "Ana", "accuracy")


async def test_a_parked_question_is_removed_from_the_workshop_screen(
    new_path: Path, make_app
) -> None:
    with open_store(new_path) as store:
        operations.park_question(store, "Parked twice by mistake", "Ana")
    app = make_app(new_path, editor="Ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await settle(pilot)
        asked = await confirm(pilot, "x")
        assert asked == "Remove parked question 1 (Parked twice by mistake)?"
    with open_store(new_path) as store:
        assert store.load().parking_lot == []
