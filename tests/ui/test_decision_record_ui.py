"""The Decisions screen records a decision's owner, date and consequences, and resolves a
parked question with its answer, which can become a decision: driven by keys, checked in
the project file; and the two dialogs at 80×24."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input
from ui_support import open_store, settle, type_text

from workbench import operations
from workbench.ui.app import WorkbenchApp
from workbench.ui.screens.decisions import DecisionsScreen, QuestionList

QUESTION = "Who signs off the security review?"


def park(path: Path, *texts: str) -> None:
    with open_store(path) as store:
        for text in texts:
            operations.park_question(store, text, "Ana", step="testset")


async def open_decisions(pilot: Pilot) -> DecisionsScreen:
    await pilot.press("0")
    await settle(pilot)
    assert isinstance(pilot.app.screen, DecisionsScreen)
    return pilot.app.screen


async def tab(pilot: Pilot, times: int) -> None:
    await pilot.press(*["tab"] * times)


async def test_add_a_decision_with_owner_date_and_consequences(new_path: Path, make_app) -> None:
    app = make_app(new_path, editor="Dana")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_decisions(pilot)
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, "Ship to 5% first")
        await tab(pilot, 3)  # context, decision, rationale
        await type_text(pilot, "Low blast radius")
        await tab(pilot, 4)  # alternatives, status, links, consequences
        await type_text(pilot, "Two more weeks before everyone has it")
        await tab(pilot, 1)
        await type_text(pilot, "Ben Okafor")
        await tab(pilot, 1)
        await type_text(pilot, "2026-13-01")  # not a date: refused inline, nothing saved
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = str(app.screen.query_one("#dialog-error").render())
        assert "'2026-13-01'" in error and "YYYY-MM-DD" in error
        app.screen.query_one("#field-date", Input).value = ""
        await type_text(pilot, "2026-03-02")
        await pilot.press("ctrl+s")
        await settle(pilot)
    with open_store(new_path) as store:
        decision = store.get("decision", 1)
        assert (decision.title, decision.rationale) == ("Ship to 5% first", "Low blast radius")
        assert decision.consequences == "Two more weeks before everyone has it"
        assert (decision.owner, decision.date, decision.status) == (
            "Ben Okafor",
            "2026-03-02",
            "accepted",
        )


async def test_resolve_a_parked_question_with_its_answer(new_path: Path, make_app) -> None:
    park(new_path, QUESTION, "Budget for reviewers?")
    app = make_app(new_path, editor="Cy")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_decisions(pilot)
        questions = screen.query_one("#decision-questions", QuestionList)
        assert questions.row_count == 2
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("ctrl+s")  # no answer: refused
        await pilot.pause()
        assert "answer" in str(app.screen.query_one("#dialog-error").render())
        await type_text(pilot, "The CISO, by 1 March")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "The CISO, by 1 March" in str(questions.get_row("1")[2])
    with open_store(new_path) as store:
        first, second = store.load().parking_lot
        assert (first.resolved, first.answer, first.answered_by, first.decision) == (
            True,
            "The CISO, by 1 March",
            "Cy",
            None,
        )
        assert not second.resolved
        assert store.load().decisions == []


async def test_resolve_a_question_and_make_it_a_decision(new_path: Path, make_app) -> None:
    park(new_path, QUESTION)
    app = make_app(new_path, editor="Cy")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_decisions(pilot)
        await pilot.press("r")
        await pilot.pause()
        await type_text(pilot, "The CISO")
        await pilot.press("tab", "enter")  # open the choice
        await pilot.pause()
        await pilot.press("down", "enter")  # record it and make it a decision
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        # The decision dialog, prefilled from the question and its answer.
        assert app.screen.query_one("#field-title", Input).value == QUESTION
        await tab(pilot, 3)
        await type_text(pilot, "Security owns the sign-off")
        await pilot.press("ctrl+s")
        await settle(pilot)
        questions = screen.query_one("#decision-questions", QuestionList)
        assert "→ #1" in str(questions.get_row("1")[2])
    with open_store(new_path) as store:
        data = store.load()
        (decision,) = data.decisions
        (question,) = data.parking_lot
        assert (decision.title, decision.decision, decision.owner) == (QUESTION, "The CISO", "Cy")
        assert QUESTION in decision.context and "The CISO" in decision.context
        assert decision.rationale == "Security owns the sign-off"
        assert (question.resolved, question.answer, question.decision) == (True, "The CISO", 1)
        # One change: undo takes both back.
        store.undo("Cy")
        data = store.load()
        assert data.decisions == [] and not data.parking_lot[0].resolved


# ------------------------------------------------------------- snapshots at 80×24

FOLDER = Path(tempfile.gettempdir()) / "workbench-decision-snapshots"


def snapshot_app() -> WorkbenchApp:
    """A fixed project with one parked question and no decision (whose date is today)."""
    shutil.rmtree(FOLDER, ignore_errors=True)
    FOLDER.mkdir(parents=True)
    path = FOLDER / "loans.sqlite"
    operations.create_project(path, name="Loans", risk="high", by="sample").close()
    park(path, QUESTION)
    return WorkbenchApp(
        path,
        editor="Maria Okafor",
        theme="workbench-dark",
        config_file=FOLDER / "config.toml",
        poll_seconds=0,
        build_ahead=False,
    )


def press_on_decisions(key: str):
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("0")
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)

    return run_before


def test_the_decision_dialog_at_80_by_24(snap_compare) -> None:
    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=press_on_decisions("a"))


def test_the_answer_dialog_at_80_by_24(snap_compare) -> None:
    assert snap_compare(snapshot_app(), terminal_size=(80, 24), run_before=press_on_decisions("r"))
