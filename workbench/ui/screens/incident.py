"""Incident response: severity levels, the playbook, rollback options, on-call and escalation.

Five sections, one under the other (on-call and escalation side by side on a
wide screen). Each has its own keys, shown in the footer when it has the focus;
tab moves between them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Label, Static

from workbench import operations
from workbench.errors import describe_validation_error
from workbench.models import (
    EscalationStep,
    OnCall,
    PlaybookPhase,
    RollbackOption,
    SeverityLevel,
)
from workbench.operations.incident import REHEARSAL_EXAMPLE, role_taken
from workbench.reports.wording import rollback_tested as rollback_tested_words
from workbench.ui.dialogs.form import FormDialog, FormField, Problem, Values
from workbench.ui.screens.base import AreaScreen
from workbench.ui.session import Snapshot
from workbench.ui.text import Text
from workbench.ui.widgets.section import Section
from workbench.ui.widgets.tables import FittedTable, fit, plain, room
from workbench.units import duration, parse_minutes

WIDE_TABLE = 90
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_tested_date(text: str, today: dt.date) -> dt.date | None:
    """YYYY-MM-DD, not in the future; empty means never tested. Raises ValueError."""
    raw = text.strip()
    if not raw:
        return None
    if not DATE_PATTERN.match(raw):
        raise ValueError(f"write the date as YYYY-MM-DD, not {raw!r}")
    try:
        date = dt.date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{raw} is not a date in the calendar") from None
    if date > today:
        raise ValueError(f"{raw} is in the future: it cannot have been tested yet")
    return date


def tested_cell(option: RollbackOption) -> Text:
    """The date of the last rehearsal: red if never, a warning if nothing says what."""
    if option.last_tested is None:
        return Text("never", style="bold red")
    return Text(option.last_tested.isoformat(), style="" if option.tested else "bold yellow")


def note_cell(option: RollbackOption, width: int) -> Text:
    if option.test_note:
        return fit(option.test_note, width)
    if option.last_tested is not None:
        return Text("not recorded: does not count", style="bold yellow")
    return Text("—", style="dim")


def steps_from_text(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class SeveritySection(Section):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "screen.response_time", "Response time", id="incident-severity-time"),
    ]


class PlaybookSection(Section):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "screen.edit_steps", "Edit steps", id="incident-phase-steps"),
    ]


class RollbackSection(Section):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "screen.record_test", "Record test", id="incident-rollback-tested"),
        Binding("e", "screen.edit_test", "Edit test record", id="incident-rollback-edit"),
    ]


class OnCallSection(Section):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "screen.on_call_person", "Person", id="incident-oncall-person"),
        Binding("a", "screen.add_role", "Add role", id="incident-oncall-add"),
        Binding("x", "screen.remove_role", "Remove role", id="incident-oncall-remove"),
    ]


class EscalationSection(Section):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "screen.add_escalation", "Add step", id="incident-escalation-add"),
        Binding("x", "screen.remove_escalation", "Remove step", id="incident-escalation-remove"),
    ]


class IncidentScreen(AreaScreen):
    MODE = "incident"
    HEADING = "Incident response"

    DEFAULT_CSS = """
    IncidentScreen #incident-body { height: 1fr; }
    IncidentScreen RecordTable { max-height: 12; }
    IncidentScreen .detail { height: auto; padding: 0 1; color: $text-muted; }
    IncidentScreen #people { height: auto; }
    IncidentScreen #people > .incident-section { width: 1fr; }
    IncidentScreen #on-call-section { margin-right: 2; }
    IncidentScreen.-narrow #people { layout: vertical; }
    IncidentScreen.-narrow #on-call-section { margin-right: 0; }
    """

    def compose_main(self) -> ComposeResult:
        with VerticalScroll(id="incident-body"):
            with SeveritySection(classes="incident-section", id="severity-section"):
                yield Label("Severity levels", classes="section-title")
                yield FittedTable([], id="severity")
                yield Static("", id="severity-detail", classes="detail")
            with PlaybookSection(classes="incident-section", id="playbook-section"):
                yield Label("Playbook", classes="section-title")
                yield FittedTable([("Phase", 14), ("Window", 18), ("Steps", None)], id="playbook")
                yield Static("", id="phase-detail", classes="detail")
            with RollbackSection(classes="incident-section", id="rollback-section"):
                yield Label("Rollback options", classes="section-title")
                yield FittedTable([], id="rollback")
                yield Static("", id="rollback-detail", classes="detail")
            with Horizontal(id="people"):
                with OnCallSection(classes="incident-section", id="on-call-section"):
                    yield Label("On call", classes="section-title")
                    yield FittedTable([("Role", 20), ("Person", None)], id="on-call")
                with EscalationSection(classes="incident-section", id="escalation-section"):
                    yield Label("Escalation path", classes="section-title")
                    yield FittedTable(
                        [("Step", 4), ("Contact", None), ("When", None)], id="escalation"
                    )

    def on_mount(self) -> None:
        # AreaScreen.on_mount runs too: Textual calls the handler of every class in the MRO.
        self.query_one("#incident-body").can_focus = False
        self.query_one("#severity", FittedTable).focus()

    def redraw(self) -> None:
        """Draw again at the new width (called by a FittedTable that was resized)."""
        if self.snapshot is not None:
            self.show(self.snapshot)

    # ---------------------------------------------------------------- drawing

    def select_record(self, key: str) -> None:
        """A row of one of the tables: ``rollback:feature-flag``, ``on-call:<role>``,
        ``escalation:2``, ``severity:critical`` or ``playbook:immediate``."""
        table_id, _, row = key.partition(":")
        for table in self.query(f"#{table_id}").results(FittedTable):
            table.select_key(row)
            table.focus()

    def show(self, snapshot: Snapshot) -> None:
        incident = snapshot.data.incident_response

        table = self.query_one("#severity", FittedTable)
        wide = table.size.width >= WIDE_TABLE
        if wide:
            table.use_columns(
                [("Level", 9), ("Respond in", 10), ("Definition", None), ("Example", None)]
            )
            half = room(table, 9 + 10, 4) // 2
        else:
            table.use_columns([("Level", 9), ("Respond in", 10), ("Definition", None)])
            half = room(table, 9 + 10, 3)
        rows = []
        for level in incident.severity_levels:
            cells = [
                plain(level.title, "bold"),
                Text(duration(level.response_minutes)),
                fit(level.definition, half),
            ]
            if wide:
                cells.append(fit(level.example, half))
            rows.append((level.id, cells))
        table.load(rows)

        table = self.query_one("#playbook", FittedTable)
        wide = table.size.width >= WIDE_TABLE
        width = room(table, 14 + 18, 3)
        rows = []
        for phase in incident.playbook:
            steps = Text(f"{len(phase.steps)} step{'s' if len(phase.steps) != 1 else ''}")
            if wide and phase.steps:
                steps += Text(": ") + plain("; ".join(phase.steps))
            rows.append(
                (
                    phase.id,
                    [fit(plain(phase.title, "bold"), 14), fit(phase.window, 18), fit(steps, width)],
                )
            )
        table.load(rows)

        table = self.query_one("#rollback", FittedTable)
        wide = table.size.width >= WIDE_TABLE
        # the option, its speed on a wide screen, when, who, and what the rehearsal did
        by_width = 14 if wide else 12
        columns: list[tuple[str, int | None]]
        if wide:
            title_width = 26
            columns = [("Option", title_width), ("Speed", 8)]
        else:
            title_width = max(12, room(table, 10 + by_width, 4) // 2)
            columns = [("Option", title_width)]
        columns += [("Tested", 10), ("By", by_width), ("What was tested", None)]
        table.use_columns(columns)
        fixed = sum(w or 0 for _, w in columns)
        width = room(table, fixed, len(columns))
        rows = []
        for option in incident.rollback_options:
            cells = [fit(option.title, title_width)]
            if wide:
                cells.append(fit(option.speed, 8))
            cells += [
                tested_cell(option),
                fit(option.tested_by, by_width),
                note_cell(option, width),
            ]
            rows.append((option.id, cells))
        table.load(rows)

        table = self.query_one("#on-call", FittedTable)
        width = room(table, 20, 2)
        table.load(
            (
                o.role,
                [
                    fit(o.role, 20),
                    fit(o.person, width) if o.person else Text("nobody yet", style="bold red"),
                ],
            )
            for o in incident.on_call
        )

        table = self.query_one("#escalation", FittedTable)
        half = room(table, 4, 3) // 2
        table.load(
            (str(e.step), [Text(str(e.step)), fit(e.contact, half), fit(e.when, half)])
            for e in incident.escalation
        )
        self._show_details()

    def _show_details(self) -> None:
        if self.snapshot is None:
            return
        level = self._severity()
        detail = self.query_one("#severity-detail", Static)
        if level is None:
            detail.update("")
        else:
            detail.update(
                Text.assemble(
                    (level.title, "bold"),
                    f": respond within {duration(level.response_minutes)}. ",
                    level.definition,
                    ". Example: " if level.example else "",
                    level.example,
                )
            )
        phase = self._phase()
        detail = self.query_one("#phase-detail", Static)
        if phase is None:
            detail.update("")
        else:
            text = Text.assemble(
                (phase.title, "bold"), f" ({phase.window})\n" if phase.window else "\n"
            )
            for number, step in enumerate(phase.steps, 1):
                text.append(f" {number}. ")
                text.append(step + "\n")
            if not phase.steps:
                text.append(" no steps yet (e to write them)\n")
            detail.update(text)
        option = self._rollback()
        detail = self.query_one("#rollback-detail", Static)
        if option is None:
            detail.update("")
        else:
            detail.update(
                Text.assemble(
                    (option.title, "bold"),
                    f" · speed: {option.speed or '—'} · ",
                    "last tested " if option.last_tested else "",
                    rollback_tested_words(option),
                    "\n",
                    option.description,
                    "\nBest for: " if option.best_for else "",
                    option.best_for,
                )
            )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_details()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        actions = {
            "severity": self.action_response_time,
            "playbook": self.action_edit_steps,
            "rollback": self.action_edit_test,
            "on-call": self.action_on_call_person,
        }
        action = actions.get(event.data_table.id or "")
        if action is not None:
            action()

    # -------------------------------------------------------------- lookups

    def _selected(self, table_id: str, records: str, key: str) -> Any:
        """The record of ``incident_response.<records>`` under the cursor of a table."""
        current = self.query_one(f"#{table_id}", FittedTable).current_key
        found = getattr(self.snapshot.data.incident_response, records) if self.snapshot else []
        return next((r for r in found if str(getattr(r, key)) == current), None)

    def _severity(self) -> SeverityLevel | None:
        return self._selected("severity", "severity_levels", "id")

    def _phase(self) -> PlaybookPhase | None:
        return self._selected("playbook", "playbook", "id")

    def _rollback(self) -> RollbackOption | None:
        return self._selected("rollback", "rollback_options", "id")

    def _on_call(self) -> OnCall | None:
        return self._selected("on-call", "on_call", "role")

    def _escalation(self) -> EscalationStep | None:
        return self._selected("escalation", "escalation", "step")

    # ------------------------------------------------------------- severity

    def action_response_time(self) -> None:
        level = self._severity()
        if level is None:
            return

        def parse(values: Values) -> tuple[int | None, str | None]:
            try:
                minutes = parse_minutes(values["minutes"])
            except ValueError as error:
                return None, str(error)
            try:
                SeverityLevel.model_validate({**level.model_dump(), "response_minutes": minutes})
            except ValidationError as error:
                return None, describe_validation_error(error)
            return minutes, None

        def save(values: Values | None) -> None:
            if values is None:
                return
            minutes, _ = parse(values)
            if minutes is None or minutes == level.response_minutes:
                return
            self.edit(
                lambda store, by: operations.set_response_time(
                    store, by, level.id, minutes, seen=level
                ),
                f"{level.title}: respond within {duration(minutes)}",
            )

        self.app.push_screen(
            FormDialog(
                f"Response time: {level.title}",
                [
                    FormField(
                        "minutes",
                        "Respond within (minutes, or hours such as 4 h)",
                        str(level.response_minutes),
                    )
                ],
                lambda values: parse(values)[1],
            ),
            save,
        )

    # ------------------------------------------------------------- playbook

    def action_edit_steps(self) -> None:
        phase = self._phase()
        if phase is None:
            return

        def check(values: Values) -> str | None:
            steps = steps_from_text(values["steps"])
            if not steps:
                return "write at least one step, one per line"
            try:
                PlaybookPhase.model_validate({**phase.model_dump(), "steps": steps})
            except ValidationError as error:
                return describe_validation_error(error)
            return None

        def save(values: Values | None) -> None:
            if values is None:
                return
            steps = steps_from_text(values["steps"])
            if not steps or steps == phase.steps:
                return
            self.edit(
                lambda store, by: operations.set_playbook_steps(
                    store, by, phase.id, steps, seen=phase
                ),
                f"{phase.title}: {len(steps)} steps saved",
            )

        self.app.push_screen(
            FormDialog(
                f"Steps: {phase.title}" + (f" ({phase.window})" if phase.window else ""),
                [FormField("steps", "One step per line", "\n".join(phase.steps), "multiline")],
                check,
            ),
            save,
        )

    # ------------------------------------------------------------- rollback

    def action_record_test(self) -> None:
        """Record a rehearsal of the selected rollback: today, by whoever is editing."""
        option = self._rollback()
        if option is None or self.snapshot is None:
            return
        self._ask_test(option, dt.date.today().isoformat(), self.snapshot.editor, "")

    def action_edit_test(self) -> None:
        """Correct the recorded rehearsal, or empty its date: never tested."""
        option = self._rollback()
        if option is None:
            return
        date = option.last_tested.isoformat() if option.last_tested else ""
        self._ask_test(option, date, option.tested_by, option.test_note)

    def _ask_test(self, option: RollbackOption, date: str, who: str, note: str) -> None:
        def parse(values: Values) -> tuple[dict[str, Any] | None, Problem | None]:
            try:
                tested = parse_tested_date(values["date"], dt.date.today())
            except ValueError as error:
                return None, ("date", str(error))
            what = values["note"].strip()
            if tested is not None and not what:
                return None, ("note", f"say what the rehearsal did, e.g. {REHEARSAL_EXAMPLE!r}")
            record = {"date": tested, "who": values["who"].strip(), "note": what}
            try:
                RollbackOption.model_validate(
                    {**option.model_dump(), "tested_by": record["who"], "test_note": what}
                )
            except ValidationError as error:
                return None, describe_validation_error(error)
            return record, None

        def save(values: Values | None) -> None:
            if values is None:
                return
            record, _ = parse(values)
            if record is None:
                return
            tested, who, what = record["date"], record["who"], record["note"]
            if tested is None and option.last_tested is None and not option.test_note:
                return
            if (tested, who, what) == (option.last_tested, option.tested_by, option.test_note):
                return
            said = f"tested on {tested.isoformat()}" if tested else "marked as never tested"
            self.edit(
                lambda store, by: operations.set_rollback_tested(
                    store, by, option.id, tested, who, what, seen=option
                ),
                f"{option.title}: {said}",
            )

        self.app.push_screen(
            FormDialog(
                f"Rollback test: {option.title}",
                [
                    FormField("date", "Date (YYYY-MM-DD; empty: never tested)", date),
                    FormField("who", "Who ran it", who),
                    FormField(
                        "note", "What the rehearsal did", note, placeholder=REHEARSAL_EXAMPLE
                    ),
                ],
                lambda values: parse(values)[1],
            ),
            save,
        )

    # -------------------------------------------------------------- on call

    def action_on_call_person(self) -> None:
        role = self._on_call()
        if role is None:
            return
        self.edit_text(
            role,
            "person",
            "Who",
            lambda store, by, person: operations.set_on_call(
                store, by, role.role, person, seen=role
            ),
            title=f"On call: {role.role}",
            describe=lambda saved: f"{role.role}: {saved.person or 'nobody'}",
        )

    def action_add_role(self) -> None:
        if self.snapshot is None:
            return
        roles = self.snapshot.data.incident_response.on_call

        def parse(values: Values) -> tuple[OnCall | None, str | None]:
            role = values["role"].strip()
            if not role:
                return None, "name the role (for example: Model owner)"
            taken = role_taken(roles, role)
            if taken:
                return None, taken
            try:
                return OnCall(role=role, person=values["person"].strip()), None
            except ValidationError as error:
                return None, describe_validation_error(error)

        def save(values: Values | None) -> None:
            if values is None:
                return
            record, _ = parse(values)
            if record is None:
                return
            self.edit(
                lambda store, by: operations.add_on_call_role(
                    store, by, record.role, record.person
                ),
                f"on-call role {record.role} added",
            )

        self.app.push_screen(
            FormDialog(
                "Add an on-call role",
                [FormField("role", "Role"), FormField("person", "Who (can wait)")],
                lambda values: parse(values)[1],
            ),
            save,
        )

    # ----------------------------------------------------------- escalation

    def action_add_escalation(self) -> None:
        def parse(values: Values) -> tuple[EscalationStep | None, str | None]:
            contact = values["contact"].strip()
            if not contact:
                return None, "say who to contact"
            try:
                # The step number is taken when saving; 1 stands in for it here.
                return EscalationStep(step=1, contact=contact, when=values["when"].strip()), None
            except ValidationError as error:
                return None, describe_validation_error(error)

        def save(values: Values | None) -> None:
            if values is None:
                return
            record, _ = parse(values)
            if record is None:
                return
            self.edit(
                lambda store, by: operations.add_escalation_step(
                    store, by, record.contact, record.when
                ),
                lambda step: f"escalation step {step.step} added: {step.contact}",
            )

        self.app.push_screen(
            FormDialog(
                "Add an escalation step",
                [
                    FormField("contact", "Who to contact"),
                    FormField("when", "When (for example: critical, or not contained in 1 h)"),
                ],
                lambda values: parse(values)[1],
            ),
            save,
        )

    def action_remove_escalation(self) -> None:
        step = self._escalation()
        if step is None:
            return
        self.remove_after_asking(
            f"Remove escalation step {step.step} ({step.contact})?",
            lambda store, by: operations.remove_escalation_step(store, by, step.step),
            f"escalation step {step.step} removed",
        )

    def action_remove_role(self) -> None:
        role = self._on_call()
        if role is None:
            return
        self.remove_after_asking(
            f"Remove the on-call role {role.role}" + (f" ({role.person})?" if role.person else "?"),
            lambda store, by: operations.remove_on_call_role(store, by, role.role),
            f"on-call role {role.role} removed",
        )
