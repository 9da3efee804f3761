"""Workshop screen (guided mode): agenda, timebox, who is here, the editor, the parking lot.

The last test drives a whole guided workshop, from a new project to an exported
report, through key presses only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import Input, Static, TextArea
from ui_support import open_store, settle, type_text

from workbench import operations
from workbench.agenda import AGENDA, STEP_IDS, guidance, step_index
from workbench.catalog import default_template, new_project_data
from workbench.reports import build_report, render
from workbench.ui.dialogs.form import FormDialog
from workbench.ui.places import PLACE_BY_MODE
from workbench.ui.screens.workshop import WorkshopScreen, clock, names_from
from workbench.ui.widgets.tables import RecordTable


async def open_workshop(pilot) -> WorkshopScreen:
    await pilot.press("2")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, WorkshopScreen)
    return screen


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def status(app) -> str:
    return str(app.screen.query_one("StatusLine").render())


# ----------------------------------------------------------------- the agenda


def test_the_agenda_follows_the_guide() -> None:
    assert STEP_IDS == (
        "system",
        "testset",
        "thresholds",
        "rollout",
        "monitoring",
        "incident",
        "oversight",
        "checklist",
        "decisions",
        "report",
    )
    for step in AGENDA:
        assert step.mode == "workshop" or step.mode in PLACE_BY_MODE
        assert step.goal and 1 <= step.minutes <= 60
    assert step_index("") == 0 and step_index("rollout") == 3 and step_index("nope") == 0


def test_every_step_has_guidance_from_the_template() -> None:
    template = default_template()
    data = new_project_data(template, "x", "high")
    for step in AGENDA:
        assert guidance(step, template, data), step.id
    testset = guidance(AGENDA[1], template, data)
    assert testset[0] == "This project is high risk: the test set needs at least 500 cases"


def test_clock_and_names() -> None:
    assert clock(15 * 60) == "15:00" and clock(754.2) == "12:35" and clock(-65.5) == "1:05"
    assert names_from(" Ana \n\nBo  Li\nAna\n") == ["Ana", "Bo Li"]


# ------------------------------------------------------------- moving around


async def test_next_and_previous_save_the_step(sample_path: Path, make_app) -> None:
    app = make_app(sample_path, editor="Dev Patel")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_workshop(pilot)
        assert screen.step.id == "rollout"  # where the sample workshop got to
        assert "Step 4 of 10" in text_of(screen, "#ws-where")
        await pilot.press("n")
        await settle(pilot)
        assert "Step 5 of 10" in text_of(screen, "#ws-where")
        assert "▶ 5 Monitoring" in text_of(screen, "#ws-agenda").replace("\xa0", " ")
        await pilot.press("p", "p")
        await settle(pilot)
        assert screen.step.id == "thresholds"
        await pilot.press("enter")  # opens the step's screen
        await settle(pilot)
        assert app.current_mode == "thresholds"
    with open_store(sample_path) as store:
        assert store.load().workshop.step == "thresholds"
        last = store.history(limit=1, entity="workshop")[0]
        assert (last.field, last.old, last.new, last.by) == (
            "step",
            "rollout",
            "thresholds",
            "Dev Patel",
        )


async def test_the_timebox_counts_down_only_while_running(new_path: Path, make_app) -> None:
    app = make_app(new_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_workshop(pilot)
        assert screen._timer is None  # nothing ticks until started: snapshots stay still
        assert "Timebox 10:00" in text_of(screen, "#ws-timer")
        await pilot.press("t")
        assert screen._timer is not None
        assert "left of 10:00" in text_of(screen, "#ws-timer")
        screen._deadline = (screen._deadline or 0) - 11 * 60  # as if 11 minutes went by
        screen._tick()
        assert "Time is up" in text_of(screen, "#ws-timer")
        assert screen.query_one("#ws-timer").has_class("-over")
        await pilot.press("t")  # pause
        assert screen._timer is None
        await pilot.press("m")  # change this step's timebox
        await pilot.pause()
        minutes = app.screen.query_one("#field-minutes", Input)
        minutes.value = "0"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "between 1 and 240" in str(app.screen.query_one("#dialog-error").render())
        minutes.value = "25"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "Timebox 25:00" in text_of(screen, "#ws-timer")
        await pilot.press("n")
        await settle(pilot)
        assert "Timebox 15:00" in text_of(screen, "#ws-timer")  # the next step's own
    with open_store(new_path) as store:
        assert store.load().workshop.step == "testset"


# ------------------------------------------------------------- people


async def test_attendees_and_the_editor_are_saved(new_path: Path, make_app) -> None:
    app = make_app(new_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_workshop(pilot)
        assert "Nobody listed yet" in text_of(screen, "#ws-people")
        await pilot.press("e")  # no attendees yet: refused
        await settle(pilot)
        assert "who is present first" in status(app)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("ctrl+s")  # nobody entered: refused inline
        await pilot.pause()
        assert "at least one name" in str(app.screen.query_one("#dialog-error").render())
        await type_text(pilot, "Ana Lopez\nBo [/] Chen\nCy")
        await pilot.press("ctrl+s")
        await settle(pilot)  # the names are saved before the editor is chosen
        await pilot.press("enter", "down", "enter")  # choose the second name
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.session.editor == "Bo [/] Chen"
        people = text_of(screen, "#ws-people")
        assert "Editing: Bo [/] Chen" in people and "Ana Lopez" in people
        await pilot.press("n")  # an edit: attributed to the new editor
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("enter", "down", "enter", "ctrl+s")  # the list opens on Bo
        await settle(pilot)
        assert app.session.editor == "Cy"
    with open_store(new_path) as store:
        workshop = store.load().workshop
        assert workshop.attendees == ["Ana Lopez", "Bo [/] Chen", "Cy"]
        assert workshop.editor == "Cy"
        history = store.history(limit=10, entity="workshop")
        by_field = [(e.field, e.by) for e in history]
        assert by_field[0] == ("editor", "Bo [/] Chen")
        assert ("step", "Bo [/] Chen") in by_field
        assert ("attendees", "facilitator") in by_field


async def test_the_first_step_edits_the_project(new_path: Path, make_app) -> None:
    app = make_app(new_path, editor="Ana")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_workshop(pilot)
        await pilot.press("enter")  # step 1 opens the project's details
        await pilot.pause()
        name = app.screen.query_one("#field-name", Input)
        name.value = "  "
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "needs a name" in str(app.screen.query_one("#dialog-error").render())
        name.value = "Claims triage"
        app.screen.query_one("#field-system", TextArea).text = "Sorts incoming claims"
        app.screen.query_one("#field-owner", Input).value = "Ana"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Sorts incoming claims" in text_of(screen, "#ws-guide-text")
    with open_store(new_path) as store:
        project = store.load().project
        assert (project.name, project.system, project.owner) == (
            "Claims triage",
            "Sorts incoming claims",
            "Ana",
        )
        history = store.history(limit=5, entity="project")
        fields = {e.field: e.by for e in history if e.field != "*"}
        assert fields == {"name": "Ana", "system": "Ana", "owner": "Ana"}


# ------------------------------------------------------------- parking lot


async def test_park_and_resolve_questions(new_path: Path, make_app) -> None:
    app = make_app(new_path, editor="Cy")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_workshop(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("ctrl+s")  # empty: refused
        await pilot.pause()
        assert "write the question down" in str(app.screen.query_one("#dialog-error").render())
        await type_text(pilot, "Who labels the [b]edge[/b] cases?")
        await pilot.press("ctrl+s")
        await settle(pilot)
        table = screen.query_one("#ws-parking", RecordTable)
        assert table.row_count == 1
        await pilot.press("q")
        await pilot.pause()
        await type_text(pilot, "Budget for reviewers?")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert table.current_key == "1"
        await pilot.press("r")  # resolving asks for the answer, and refuses none
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "write the answer down" in str(app.screen.query_one("#dialog-error").render())
        await type_text(pilot, "Priya's team, two reviewers a case")
        await pilot.press("ctrl+s")
        await settle(pilot)
    with open_store(new_path) as store:
        data = store.load()
        first, second = data.parking_lot
        assert (first.text, first.step, first.raised_by, first.resolved) == (
            "Who labels the [b]edge[/b] cases?",
            "testset",
            "Cy",
            True,
        )
        assert (first.answer, first.answered_by) == ("Priya's team, two reviewers a case", "Cy")
        assert not second.resolved
        fields = {e.field: e.new for e in store.history(entity="question", key="1")}
        assert fields["resolved"] is True and fields["answer"].startswith("Priya's team")
        report = build_report(data, store.template(), store.history())
    # Open questions are in the report with answered ones and their answers.
    markdown = render(report, "md")
    html = render(report, "html")
    sections = {
        "md": markdown.split("## Parking lot", 1)[1].split("\n## ", 1)[0],
        "html": html.split('<section id="parking-lot"', 1)[1].split("</section>", 1)[0],
    }
    for text in sections.values():
        assert "Budget for reviewers?" in text
        assert "Priya" in text  # the answer


# ------------------------------------------------------------- the whole workshop


@pytest.mark.slow
async def test_a_whole_guided_workshop_through_keys_only(
    new_path: Path, tmp_path: Path, make_app
) -> None:
    """From a new project to an exported report, every step by key presses alone."""
    app = make_app(new_path, editor="facilitator")

    async with app.run_test(size=(120, 40)) as pilot:

        async def keys(*names: str) -> None:
            await pilot.press(*names)
            await settle(pilot)

        async def next_step(mode: str) -> None:
            """Back to the workshop (2), on to the next step (n), open its screen (enter)."""
            await keys("2")
            await keys("n")
            await keys("enter")
            assert app.current_mode == mode

        # Who is here, and who is at the keyboard.
        await keys("2")
        await keys("a")
        await type_text(pilot, "Maria Okafor\nDev Patel\nLena Schultz")
        await keys("ctrl+s")
        await keys("enter", "down", "enter")  # Dev Patel
        await keys("ctrl+s")
        assert app.session.editor == "Dev Patel"

        # Step 1: the AI system and its risk level (enter opens the project's details).
        await keys("enter")
        await pilot.press("tab")  # past the name, to the system
        await type_text(pilot, "Drafts replies to support tickets")
        await pilot.press("tab")
        await type_text(pilot, "Agents edit every draft before sending")
        await pilot.press("tab")
        await type_text(pilot, "Maria Okafor")
        await keys("ctrl+s")

        # A question for the parking lot, raised at the first step.
        await keys("q")
        await type_text(pilot, "Who signs off the security review?")
        await keys("ctrl+s")

        # Step 2: test set size.
        await next_step("testset")
        await keys("s")
        await pilot.press("backspace")
        await type_text(pilot, "250")
        await keys("ctrl+s")

        # Step 3: a threshold's reasoning (the first one: accuracy).
        await next_step("thresholds")
        await keys("r")
        await type_text(pilot, "Below 90% agents stop trusting the drafts")
        await keys("ctrl+s")

        # Step 4: choose a deployment pattern (the first: shadow mode).
        await next_step("rollout")
        await keys("space")

        # Step 5: an alert owner (the first alert).
        await next_step("monitoring")
        await keys("o")
        await type_text(pilot, "Lena Schultz")
        await keys("ctrl+s")

        # Step 6: a rollback tested today (to the rollback options: two tabs), with
        # what the rehearsal did (today and the editor are prefilled).
        await next_step("incident")
        await keys("tab", "tab")
        await keys("t")
        await keys("enter", "enter")
        await type_text(pilot, "flag off in staging")
        await keys("ctrl+s")

        # Step 7: an oversight measure in place.
        await next_step("oversight")
        await keys("space")

        # Step 8: a checklist tick.
        await next_step("checklist")
        await keys("space")

        # Step 9: a decision.
        await next_step("decisions")
        await keys("a")
        await type_text(pilot, "Start in shadow mode")
        await pilot.press("tab", "tab")
        await type_text(pilot, "Two weeks of shadow mode before any draft reaches a customer")
        await pilot.press("tab")
        await type_text(pilot, "Customer-facing and medium risk")
        await keys("ctrl+s")

        # Step 10: the report, written beside the project (the folder it proposes).
        await next_step("export")
        await keys("w")
        result = str(app.screen.query_one("#export-result-text", Static).render())

    report = tmp_path / "new-readiness.html"
    assert str(report) in result

    with open_store(new_path) as store:
        data = store.load()
        today = dt.date.today()
        assert data.workshop.attendees == ["Maria Okafor", "Dev Patel", "Lena Schultz"]
        assert (data.workshop.editor, data.workshop.step) == ("Dev Patel", "report")
        assert data.project.system == "Drafts replies to support tickets"
        assert data.project.use == "Agents edit every draft before sending"
        assert data.project.owner == "Maria Okafor"
        assert data.dataset.planned_size == 250
        accuracy = next(t for t in data.thresholds if t.metric == "accuracy")
        assert accuracy.reasoning == "Below 90% agents stop trusting the drafts"
        assert [p.id for p in data.rollout.patterns if p.chosen] == ["shadow"]
        assert data.monitoring.alerts[0].owner == "Lena Schultz"
        assert data.incident_response.rollback_options[0].last_tested == today
        assert data.oversight.measures[0].status == "in_place"
        assert data.checklist[0].status == "done"
        (decision,) = data.decisions
        assert decision.title == "Start in shadow mode"
        assert decision.owner == "Dev Patel"
        (question,) = data.parking_lot
        assert (question.step, question.raised_by) == ("system", "Dev Patel")

        # Every edit after the editor was chosen is attributed to them.
        history = store.history(limit=500)
        chosen_at = max(e.id for e in history if e.entity == "workshop" and e.field == "editor")
        after = [e for e in history if e.id > chosen_at]
        assert after and {e.by for e in after} == {"Dev Patel"}
        touched = {(e.entity, e.field) for e in after}
        for expected in (
            ("project", "system"),
            ("dataset", "planned_size"),
            ("threshold", "reasoning"),
            ("pattern", "chosen"),
            ("alert", "owner"),
            ("rollback", "last_tested"),
            ("measure", "status"),
            ("item", "status"),
            ("decision", "*"),
            ("question", "*"),
            ("workshop", "step"),
        ):
            assert expected in touched, expected
        before = [e for e in history if e.id <= chosen_at and e.entity == "workshop"]
        assert {e.by for e in before} == {"facilitator"}

    html = report.read_text(encoding="utf-8")
    for text in (
        "Drafts replies to support tickets",
        "Below 90% agents stop trusting the drafts",
        "Start in shadow mode",
        "Who signs off the security review?",
        "Lena Schultz",
        "Dev Patel",
    ):
        assert text in html, text


async def test_a_question_resolved_in_the_workshop_can_become_a_decision(
    new_path: Path, make_app
) -> None:
    with open_store(new_path) as store:
        operations.park_question(store, "Do we keep a human on every refusal?", "Cy")
    app = make_app(new_path, editor="Cy")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_workshop(pilot)
        await pilot.press("r")
        await pilot.pause()
        await type_text(pilot, "Yes, for the first three months")
        await pilot.press("tab", "enter", "down", "enter")  # Then: make it a decision
        await pilot.pause()
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, FormDialog)
        assert dialog.title_text == "Decision from question 1"
        await pilot.press("ctrl+s")
        await settle(pilot)
    with open_store(new_path) as store:
        data = store.load()
        (decision,) = data.decisions
        (question,) = data.parking_lot
        assert question.resolved and question.decision == decision.id
        assert "Do we keep a human on every refusal?" in decision.context
        assert question.answer == "Yes, for the first three months"
