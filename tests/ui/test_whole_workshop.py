"""Two workshop sessions for a new high-risk project, by keys only at 80×24: the first
adds things (one by mistake), owners work alone in between, and the second sees what
changed since, finds the mistake by its words, removes it, and reviews the session."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Label, Select
from ui_support import open_store, settle, type_text

from workbench import operations
from workbench.ui.dialogs.confirm import ConfirmDialog
from workbench.ui.screens.history import HistoryScreen
from workbench.ui.widgets.tables import RecordTable


@pytest.fixture
def loan_path(tmp_path: Path) -> Path:
    path = tmp_path / "loans.sqlite"
    operations.create_project(
        path, name="Loan pre-screening assistant", risk="high", by="creator"
    ).close()
    return path


@pytest.mark.slow
async def test_two_sessions_with_removing_finding_and_what_changed_since(
    loan_path: Path, make_app
) -> None:
    # ---- Session 1: who is here, a session started, an alert added by mistake.
    app = make_app(loan_path, editor="Ana")
    async with app.run_test(size=(80, 24)) as pilot:

        async def keys(*names: str) -> None:
            await pilot.press(*names)
            await settle(pilot)

        await keys("2")
        await keys("a")
        await type_text(pilot, "Ana\nBen\nCleo")
        await keys("ctrl+s")
        await keys("enter", "enter")  # Ana is at the keyboard
        await keys("ctrl+s")
        await keys("s")  # the session starts
        assert "Session 1 since" in str(app.screen.query_one("#ws-people").render())

        await keys("7")  # Monitoring: an alert the loan system needs, and one by mistake
        for signal, value in (("Approval rate", "40%"), ("Approvel rate typo", "50%")):
            await keys("a")
            await pilot.press(*signal, "tab", "down", "tab", *value, "tab", "tab", *"1 day")
            await keys("ctrl+s")
        await keys("2")
        await keys("s")  # end it, with what it settled
        await type_text(pilot, "alerts for the approval rate")
        await keys("ctrl+s")

    with open_store(loan_path) as store:
        data = store.load()
        assert {a.signal for a in data.monitoring.alerts} >= {"Approval rate", "Approvel rate typo"}
        (first,) = data.sessions
        assert first.ended_at and first.attendees == ["Ana", "Ben", "Cleo"]
        assert first.note == "alerts for the approval rate"
        # ---- Between sessions: an owner works alone.
        operations.tick(
            store, "testing.edge-cases", "done", "Lee", evidence="edge-cases.csv, 40 cases"
        )

    # ---- Session 2: what changed since, find the mistake, remove it, review.
    app = make_app(loan_path, editor="Ana")
    async with app.run_test(size=(80, 24)) as pilot:

        async def keys(*names: str) -> None:
            await pilot.press(*names)
            await settle(pilot)

        await settle(pilot)
        since = str(app.screen.query_one("#since-last", Label).render())
        assert since.startswith("Since session 1 ended")
        assert "1 change by Lee (1) · 1 checklist item" in since
        await keys("2")
        await keys("s")  # session 2 starts
        await keys("slash")
        await type_text(pilot, "approvel")
        await keys("enter")  # to the alert itself, on Monitoring
        assert app.current_mode == "monitoring"
        table = app.screen.query_one("#alerts", RecordTable)
        assert table.current_key == "approvel-rate-typo"
        await keys("x")
        assert isinstance(app.screen, ConfirmDialog)
        await keys("y")
        await keys("H")
        assert isinstance(app.screen, HistoryScreen)
        select = app.screen.query_one("#history-since", Select)
        with open_store(loan_path) as store:
            second = store.load().sessions[-1]
        select.value = second.started_at  # "Since #2 began"
        history = app.screen
        for _ in range(100):  # the filtered list is read in a thread
            await settle(pilot)
            if history.since == second.started_at and not history._busy:
                break
        shown = [(e.entity, e.key, e.field) for e in app.screen.entries]
        assert ("alert", "approvel-rate-typo", "*") in shown
        assert {e.by for e in app.screen.entries} == {"Ana"}, shown
        await keys("2")
        await keys("s")
        await keys("ctrl+s")  # ended, no note

    with open_store(loan_path) as store:
        data = store.load()
        assert [a.signal for a in data.monitoring.alerts if "pprov" in a.signal] == [
            "Approval rate"
        ]
        assert [s.id for s in data.sessions] == [1, 2]
        assert all(s.ended_at for s in data.sessions)
        removed = store.history(entity="alert", key="approvel-rate-typo", field="*", limit=1)[0]
        assert removed.new is None and removed.by == "Ana"
