"""Decisions screen: the log and its detail, add, edit, supersede, link; bad input refused."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static
from ui_support import open_store, settle, type_text

from workbench.ui.screens.decisions import DecisionsScreen, parse_links
from workbench.ui.widgets.virtual_table import VirtualTable

MARKUP_TITLE = "[/] [@click=app.quit] Keep humans in the loop"


async def open_decisions(pilot) -> VirtualTable:
    await pilot.press("0")
    await settle(pilot)
    assert isinstance(pilot.app.screen, DecisionsScreen)
    return pilot.app.screen.query_one("#decision-log", VirtualTable)


def detail_text(app) -> str:
    return str(app.screen.query_one("#decision-detail-text", Static).render())


def cell_texts(table: VirtualTable, key: str) -> list[str]:
    return [str(getattr(cell, "plain", cell)) for cell in table.get_row(key)]


def test_links_are_split_on_spaces_and_commas() -> None:
    assert parse_links("threshold:accuracy, item:a.b\nitem:a.b") == [
        "threshold:accuracy",
        "item:a.b",
    ]


async def test_the_log_marks_superseded_decisions(sample_path: Path, make_app) -> None:
    app = make_app(sample_path)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_decisions(pilot)
        assert table.row_count == 4
        assert "superseded by #3" in cell_texts(table, "2")
        await pilot.press("j")
        await pilot.pause()
        detail = detail_text(app)
        assert "Superseded by #3 Grow the test set to 300 tickets" in detail
        await pilot.press("j")
        await pilot.pause()
        detail = detail_text(app)
        assert "Supersedes #2 Test set of 200 tickets" in detail
        assert "threshold:accuracy" in detail and "item:testing.dataset-documented" in detail
    with open_store(sample_path) as store:
        assert store.get("decision", 2).status == "superseded"


async def test_add_a_decision_through_the_form(new_path: Path, make_app) -> None:
    app = make_app(new_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_decisions(pilot)
        assert table.row_count == 0
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, MARKUP_TITLE)
        await pilot.press("tab")
        await type_text(pilot, "Drafts go to customers")
        await pilot.press("tab")
        await type_text(pilot, "An agent approves every draft")
        await pilot.press("tab")
        await type_text(pilot, "Hallucinations are above target")
        await pilot.press("tab")
        await type_text(pilot, "Auto-send")
        await pilot.press("tab", "tab")  # past the status (accepted) to the links
        await type_text(pilot, "threshold:hallucination_rate")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.is_running  # the [@click=app.quit] title was not read as markup
        assert table.row_count == 1
        assert cell_texts(table, "1")[1].startswith("[/] [@click=app.quit]")
        assert MARKUP_TITLE in detail_text(app)
    with open_store(new_path) as store:
        decision = store.get("decision", 1)
        assert decision.title == MARKUP_TITLE
        assert decision.context == "Drafts go to customers"
        assert decision.rationale == "Hallucinations are above target"
        assert (decision.status, decision.owner) == ("accepted", "Dana")
        assert decision.links == ["threshold:hallucination_rate"]
        added = store.history(limit=5, entity="decision", key="1")[0]
        assert (added.by, added.field) == ("Dana", "*")


async def test_empty_title_and_unknown_link_are_refused(new_path: Path, make_app) -> None:
    app = make_app(new_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_decisions(pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = str(app.screen.query_one("#dialog-error").render())
        assert "needs a title" in error
        await type_text(pilot, "Roll out by team")
        app.screen.query_one("#field-links", Input).value = "threshold:nonsense"
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = str(app.screen.query_one("#dialog-error").render())
        assert "threshold:nonsense" in error and "not a threshold" in error
        await pilot.press("escape")
        await settle(pilot)
    with open_store(new_path) as store:
        assert store.load().decisions == []
        assert store.history(limit=5, entity="decision") == []


async def test_edit_a_decision_and_refuse_an_empty_title(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Lena")
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_decisions(pilot)
        await pilot.press("j", "j", "j")  # decision 4
        assert table.current_key == "4"
        await pilot.press("e")
        await pilot.pause()
        title = app.screen.query_one("#field-title", Input)
        await pilot.press("home", "ctrl+k")  # clear the title
        assert title.value == ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "needs a title" in str(app.screen.query_one("#dialog-error").render())
        await type_text(pilot, "Roll out by support team")
        app.screen.query_one("#field-links", Input).value = "item:nope"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "item:nope" in str(app.screen.query_one("#dialog-error").render())
        app.screen.query_one("#field-links", Input).value = "item:process.on-call"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Roll out by support team" in cell_texts(table, "4")
    with open_store(sample_path) as store:
        decision = store.get("decision", 4)
        assert decision.title == "Roll out by support team"
        assert decision.links == ["item:process.on-call"]
        fields = {e.field: e for e in store.history(limit=5, entity="decision", key="4")}
        assert fields["title"].by == "Lena"
        assert fields["title"].old == "Roll out by team, not by ticket"
        assert fields["links"].new == ["item:process.on-call"]


async def test_supersede_the_highlighted_decision(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Tomás")
    async with app.run_test(size=(120, 40)) as pilot:
        table = await open_decisions(pilot)
        await pilot.press("j", "j", "j")
        await pilot.press("s")
        await pilot.pause()
        title = app.screen.query_one("#field-title", Input)
        assert title.value == "Roll out by team, not by ticket"
        title.value = "Roll out by queue"
        await pilot.press("tab", "tab")
        await type_text(pilot, "Whole queues move to AI drafts")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert table.current_key == "5"
        assert "superseded by #5" in cell_texts(table, "4")
        assert "Supersedes #4" in detail_text(app)
    with open_store(sample_path) as store:
        new = store.get("decision", 5)
        assert (new.title, new.supersedes, new.owner) == ("Roll out by queue", 4, "Tomás")
        assert store.get("decision", 4).status == "superseded"
        change = store.history(limit=1, entity="decision", key="4")[0]
        assert (change.field, change.new, change.by) == ("status", "superseded", "Tomás")


async def test_link_a_decision_to_a_threshold(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Aiko")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_decisions(pilot)
        await pilot.press("l")
        await pilot.pause()
        await pilot.press("ctrl+s")  # nothing chosen: refused
        await pilot.pause()
        assert "choose" in str(app.screen.query_one("#dialog-error").render())
        await pilot.press("enter")  # open the list; below the blank: threshold:accuracy
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "threshold:accuracy" in detail_text(app)
    with open_store(sample_path) as store:
        assert store.get("decision", 1).links == [
            "threshold:hallucination_rate",
            "threshold:accuracy",
        ]
        change = store.history(limit=1, entity="decision", key="1")[0]
        assert (change.field, change.by) == ("links", "Aiko")
