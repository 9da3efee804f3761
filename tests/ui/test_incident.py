"""Incident response screen: severity, playbook steps, rollback tests, on-call and escalation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.pilot import Pilot
from ui_support import open_store, settle, type_text

from workbench.ui.widgets.tables import RecordTable


async def clear_input(pilot: Pilot) -> None:
    """Empty the focused one-line field."""
    await pilot.press("end", "shift+home", "backspace")


def rendered(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def open_incident(pilot: Pilot) -> None:
    await pilot.press("8")
    await settle(pilot)


async def test_response_time_in_hours_and_bad_input_refused(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(pilot)
        table = app.screen.query_one("#severity", RecordTable)
        assert [str(table.get_row_at(i)[1]) for i in range(4)] == [
            "15 min",
            "1 hour",
            "4 hours",
            "1 day",
        ]
        await pilot.press("j", "r")
        await pilot.pause()
        await clear_input(pilot)
        await type_text(pilot, "soon")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "write minutes" in rendered(app, "#dialog-error")
        await clear_input(pilot)
        await type_text(pilot, "0")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "at least 1 minute" in rendered(app, "#dialog-error")
        await clear_input(pilot)
        await type_text(pilot, "2 h")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "respond within 2 h" in rendered(app, "#severity-detail")
    with open_store(sample_path) as store:
        assert store.get("severity", "high").response_minutes == 120
        last = store.history(limit=1, entity="severity")[0]
        assert (last.key, last.old, last.new, last.by) == ("high", 60, 120, "Dana")


async def test_playbook_steps_one_per_line(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(pilot)
        await pilot.press("tab", "e")
        await pilot.pause()
        await pilot.press("f7", "backspace", "ctrl+s")  # no steps at all: refused
        await pilot.pause()
        assert "at least one step" in rendered(app, "#dialog-error")
        await type_text(pilot, "Assess severity\n\nPage the on-call\n")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "2. Page the on-call" in rendered(app, "#phase-detail")
    with open_store(sample_path) as store:
        assert store.get("phase", "immediate").steps == ["Assess severity", "Page the on-call"]
        last = store.history(limit=1, entity="phase")[0]
        assert (last.key, last.field, last.by) == ("immediate", "steps", "Dana")


async def test_record_a_rollback_test_today_with_what_was_done(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_incident(pilot)
        await pilot.press("tab", "tab")
        assert app.screen.focused.id == "rollback"
        await pilot.press("j", "t")  # today and Dana are prefilled; say what was done
        await pilot.pause()
        await pilot.press("enter", "enter")
        await type_text(pilot, "rolled back to v2 in staging")
        await pilot.press("ctrl+s")
        await settle(pilot)
    with open_store(sample_path) as store:
        today = dt.date.today()
        option = store.get("rollback", "version-rollback")
        assert (option.last_tested, option.tested_by) == (today, "Dana")
        assert option.test_note == "rolled back to v2 in staging"
        entries = store.history(limit=3, entity="rollback")
        assert {(e.key, e.field, e.new, e.by) for e in entries} == {
            ("version-rollback", "last_tested", today.isoformat(), "Dana"),
            ("version-rollback", "tested_by", "Dana", "Dana"),
            ("version-rollback", "test_note", "rolled back to v2 in staging", "Dana"),
        }


async def test_a_rollback_test_date_in_the_future_or_malformed_is_refused(
    sample_path: Path, make_app
) -> None:
    today = dt.date.today()
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(pilot)
        await pilot.press("tab", "tab", "j", "j", "t")
        await pilot.pause()
        await clear_input(pilot)
        await type_text(pilot, (today + dt.timedelta(days=1)).isoformat())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "in the future" in rendered(app, "#dialog-error")
        await clear_input(pilot)
        await type_text(pilot, "2026-13-01")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "not a date" in rendered(app, "#dialog-error")
        await clear_input(pilot)
        await type_text(pilot, "1 march")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "YYYY-MM-DD" in rendered(app, "#dialog-error")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("t")
        await pilot.pause()
        await clear_input(pilot)
        await type_text(pilot, (today - dt.timedelta(days=10)).isoformat())
        await pilot.press("enter", "enter")
        await type_text(pilot, "switched everything off in staging")
        await pilot.press("ctrl+s")
        await settle(pilot)
    with open_store(sample_path) as store:
        tested = store.get("rollback", "full-disable").last_tested
        assert tested == today - dt.timedelta(days=10)
        entries = store.history(limit=5, entity="rollback")
        assert {(e.key, e.by) for e in entries} == {("full-disable", "Dana")}


async def test_on_call_person_and_a_new_role(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(pilot)
        await pilot.press("tab", "tab", "tab")
        assert app.screen.focused.id == "on-call"
        await pilot.press("j", "p")
        await pilot.pause()
        await type_text(pilot, "Ana Silva")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("a")
        await pilot.pause()
        await type_text(pilot, "primary on-call")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "already a role" in rendered(app, "#dialog-error")
        await clear_input(pilot)
        await type_text(pilot, "Model owner")
        await pilot.press("tab")
        await type_text(pilot, "Sam")
        await pilot.press("ctrl+s")
        await settle(pilot)
    with open_store(sample_path) as store:
        roles = {o.role: o.person for o in store.load().incident_response.on_call}
        assert roles == {
            "Primary on-call": "Tomás Ruiz",
            "Secondary on-call": "Ana Silva",
            "Model owner": "Sam",
        }
        entries = store.history(limit=2, entity="on_call")
        assert [(e.key, e.field, e.by) for e in entries] == [
            ("Model owner", "*", "Dana"),
            ("Secondary on-call", "person", "Dana"),
        ]


async def test_add_and_remove_escalation_steps(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(pilot)
        await pilot.press("tab", "tab", "tab", "tab")
        assert app.screen.focused.id == "escalation"
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("ctrl+s")  # nobody to contact: refused
        await pilot.pause()
        assert "who to contact" in rendered(app, "#dialog-error")
        await type_text(pilot, "Chief technology officer")
        await pilot.press("tab")
        await type_text(pilot, "Critical after 4 hours")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("x")  # the cursor is on step 1
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
    with open_store(sample_path) as store:
        steps = [(e.step, e.contact) for e in store.load().incident_response.escalation]
        assert steps == [
            (2, "Head of Support Operations (Maria Okafor)"),
            (3, "Chief technology officer"),
        ]
        entries = store.history(limit=2, entity="escalation")
        assert [(e.key, e.new is None, e.by) for e in entries] == [
            ("1", True, "Dana"),
            ("3", False, "Dana"),
        ]


async def test_remove_an_on_call_role_and_undo_brings_it_back(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dana")
    async with app.run_test(size=(120, 40)) as pilot:
        await open_incident(pilot)
        await pilot.press("tab", "tab", "tab")
        assert app.screen.focused.id == "on-call"
        await pilot.press("j", "x")  # Secondary on-call
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert "on-call role Secondary on-call removed" in rendered(app, "StatusLine")
        with open_store(sample_path) as store:
            roles = [o.role for o in store.load().incident_response.on_call]
        assert roles == ["Primary on-call"]
        await pilot.press("ctrl+z")
        await settle(pilot)
    with open_store(sample_path) as store:
        roles = [o.role for o in store.load().incident_response.on_call]
    assert roles == ["Primary on-call", "Secondary on-call"]
