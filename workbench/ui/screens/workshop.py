"""Workshop (guided mode): the agenda, where the team is, a timebox, who is here, open questions."""

from __future__ import annotations

import time
from typing import Any, ClassVar

from pydantic import ValidationError
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import DataTable, Label, Static

from workbench import operations
from workbench.agenda import AGENDA, Step, guidance, step_index
from workbench.errors import describe_validation_error
from workbench.models import RISKS, ParkedQuestion, ProjectInfo, Workshop
from workbench.operations import park_question
from workbench.ui.dialogs.answer import remove_parked_question, resolve_parked_question
from workbench.ui.dialogs.form import FormDialog, FormField, Values, wrap_help
from workbench.ui.places import PLACE_BY_MODE
from workbench.ui.screens.base import AreaScreen
from workbench.ui.screens.decisions import DecisionsScreen

# A FormDialog that keeps its error line and buttons on a short screen (see thresholds.py).
from workbench.ui.session import Snapshot
from workbench.ui.text import Text
from workbench.ui.widgets.tables import RecordTable, plain


def clock(seconds: float) -> str:
    """``754`` -> ``12:34``; rounded up, so a running timebox shows 0:00 only when it is up."""
    whole = int(-(-seconds // 1)) if seconds > 0 else int(-seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def names_from(text: str) -> list[str]:
    """One name a line; blank lines and repeats dropped, the order kept."""
    names: list[str] = []
    for line in text.splitlines():
        name = " ".join(line.split())
        if name and name not in names:
            names.append(name)
    return names


class ParkingLot(RecordTable):
    """The parked questions; the question column takes the width the others leave."""

    def on_resize(self, event: events.Resize) -> None:
        screen = self.screen
        if isinstance(screen, WorkshopScreen) and screen.snapshot is not None:
            screen.call_after_refresh(screen.show_parking, screen.snapshot)


class WorkshopScreen(AreaScreen):
    MODE = "workshop"
    HEADING = "Workshop"
    DEFAULT_CSS = """
    #ws-body { height: 1fr; }
    #ws-agenda {
        width: 38; height: 1fr; padding: 0 1 0 0; text-wrap: nowrap; text-overflow: ellipsis;
    }
    #ws-right { width: 1fr; height: 1fr; padding: 0 0 0 1; border-left: solid $panel; }
    #ws-where { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    #ws-timer { height: 1; color: $text-muted; text-wrap: nowrap; text-overflow: ellipsis; }
    #ws-timer.-running { color: $success; text-style: bold; }
    #ws-timer.-over { color: $error; text-style: bold; }
    #ws-guide { height: 1fr; }
    #ws-people { height: 1; margin-top: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    #ws-parking-title { height: 1; text-style: bold; color: $primary; }
    #ws-parking-box { height: 8; }
    #ws-parking { height: 1fr; }
    WorkshopScreen.-narrow #ws-agenda { width: 25; }
    WorkshopScreen.-narrow #ws-people { margin-top: 0; }
    WorkshopScreen.-narrow #ws-parking-box { height: 4; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next_step", "Next step", id="workshop-next-step"),
        Binding("p", "previous_step", "Previous", id="workshop-previous-step"),
        Binding("enter", "open_step", "Open step", priority=True, id="workshop-open-step"),
        Binding("t", "timer", "Timer", id="workshop-timer"),
        Binding("a", "attendees", "Who's here", id="workshop-attendees"),
        Binding("e", "editor", "Editor", id="workshop-editor"),
        Binding("q", "park", "Park question", id="workshop-park"),
        Binding("r", "resolve", "Resolve", id="workshop-resolve"),
        Binding("x", "remove_question", "Remove question", show=False, id="workshop-remove"),
        Binding("s", "session", "Start/end session", id="workshop-session"),
        Binding("d", "details", "Project details", show=False, id="workshop-details"),
        Binding("m", "timebox", "Timebox minutes", show=False, id="workshop-timebox"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.index = 0
        self._sent_step: str | None = None  # a step change saved but not read back yet
        self._minutes: dict[str, int] = {}  # timeboxes changed in this session
        self._remaining = float(AGENDA[0].minutes * 60)
        self._deadline: float | None = None
        self._timer: Timer | None = None
        self._parking_layout: tuple[bool, int] | None = None
        self._guide_step = ""

    @property
    def step(self) -> Step:
        return AGENDA[self.index]

    def compose_main(self) -> ComposeResult:
        with Horizontal(id="ws-body"):
            yield Static("", id="ws-agenda")
            with Vertical(id="ws-right"):
                yield Static("", id="ws-where")
                yield Static("", id="ws-timer")
                with VerticalScroll(id="ws-guide"):
                    yield Static("", id="ws-guide-text")
        yield Static("", id="ws-people")
        yield Label("Parking lot  (q: park a question · r: resolve)", id="ws-parking-title")
        with Vertical(id="ws-parking-box"):
            yield ParkingLot([("#", 3)], id="ws-parking")

    def on_mount(self) -> None:
        # AreaScreen.on_mount runs too: Textual calls the handler of every class in the MRO.
        self.query_one("#ws-parking", RecordTable).focus()
        self._show_timer()

    # ------------------------------------------------------------- drawing

    def show(self, snapshot: Snapshot) -> None:
        saved = snapshot.data.workshop.step
        if self._sent_step is None or saved == self._sent_step:
            self._sent_step = None
            index = step_index(saved)
            if index != self.index:
                self._go(index)
        self._show_step()
        self._show_people(snapshot)
        self.show_parking(snapshot)

    def _show_step(self) -> None:
        step = self.step
        agenda = Text(no_wrap=True, overflow="ellipsis")
        for number, item in enumerate(AGENDA, 1):
            title = item.short if self.has_class("-narrow") else item.title
            line = f"{number:>2} {title}".replace(" ", "\u00a0", 1)
            if item is step:
                agenda.append(f"▶{line}", style="bold reverse")
            elif number - 1 < self.index:
                agenda.append(f"✓{line}", style="dim")
            else:
                agenda.append(f"·{line}")
            agenda.append("\n" if number < len(AGENDA) else "")
        self.query_one("#ws-agenda", Static).update(agenda)
        where = Text(no_wrap=True, overflow="ellipsis")
        where.append(f"Step {self.index + 1} of {len(AGENDA)}", style="bold")
        where.append(f" · {step.title}")
        self.query_one("#ws-where", Static).update(where)
        self._show_guide()

    def _show_guide(self) -> None:
        step = self.step
        text = Text()
        text.append(step.goal + "\n", style="italic")
        if step.mode == self.MODE:
            text.append(
                "enter: edit the project's name, system, use, owner and risk\n", style="dim"
            )
        else:
            title = PLACE_BY_MODE[step.mode].title if step.mode in PLACE_BY_MODE else step.mode
            back = PLACE_BY_MODE[self.MODE].key
            text.append(
                f"enter: open {title} · come back with {back} · n: next step\n"
                if back
                else f"enter: open {title}\n",
                style="dim",
            )
        snapshot = self.snapshot
        if snapshot is not None and step.id == "system":
            info = snapshot.data.project
            text.append("\n")
            for label, value in (
                ("Project", info.name),
                ("System", info.system),
                ("Use", info.use),
                ("Owner", info.owner),
                ("Risk", info.risk),
            ):
                text.append(f"{label}: ", style="bold")
                text.append((value or "— (d to fill in)") + "\n")
        if snapshot is not None:
            points = guidance(step, snapshot.template, snapshot.data)
            if points:
                text.append("\nFrom the guide\n", style="bold")
            for point in points:
                text.append("• " + point + "\n")
        self.query_one("#ws-guide-text", Static).update(text)
        if self._guide_step != step.id:  # a new step starts at the top of its guidance
            self._guide_step = step.id
            self.query_one("#ws-guide", VerticalScroll).scroll_home(animate=False)

    def _show_people(self, snapshot: Snapshot) -> None:
        workshop = snapshot.data.workshop
        people = Text(no_wrap=True, overflow="ellipsis")
        if not workshop.attendees:
            people.append("Nobody listed yet: press a to enter who is present.", style="bold")
        else:
            people.append("Editing: ", style="bold")
            people.append(snapshot.editor)
            people.append(" · Present: ", style="bold")
            people.append(", ".join(workshop.attendees))
        running = operations.open_session(snapshot.data.sessions)
        if running is not None:
            people.append(f" · Session {running.id} since ", style="bold")
            people.append(running.started_at[11:16] + " UTC")
        elif snapshot.data.sessions:
            people.append(f" · {len(snapshot.data.sessions)} sessions held", style="dim")
        self.query_one("#ws-people", Static).update(people)

    def _fit_parking(self) -> tuple[bool, int]:
        table = self.query_one("#ws-parking", RecordTable)
        available = table.size.width or max(self.size.width - 24, 40)
        wide = available >= 70
        fixed = [("#", 3), ("Step", 10), ("By", 14)] if wide else [("#", 3), ("By", 10)]
        width = max(12, available - sum(w for _, w in fixed) - 2 * (len(fixed) + 1) - 2)
        if self._parking_layout != (wide, width):
            self._parking_layout = (wide, width)
            table.clear(columns=True)
            for label, w in [fixed[0], ("Question", width), *fixed[1:]]:
                table.add_column(label, width=w, key=label)
        return wide, width

    def show_parking(self, snapshot: Snapshot) -> None:
        wide, width = self._fit_parking()
        rows = []
        for q in snapshot.data.parking_lot:
            style = "dim strike" if q.resolved else ""
            question = plain(q.text, style)
            question.truncate(width, overflow="ellipsis")
            cells = [
                Text("✓" if q.resolved else str(q.id), style="dim" if q.resolved else ""),
                question,
                *([plain(q.step, style)] if wide else []),
                plain(q.raised_by, style),
            ]
            rows.append((str(q.id), cells))
        table = self.query_one("#ws-parking", RecordTable)
        table.load(rows)

    # ------------------------------------------------------------- the timebox

    def _minutes_for(self, step: Step) -> int:
        return self._minutes.get(step.id, step.minutes)

    def _go(self, index: int) -> None:
        """Move to a step: the timebox stops and resets to that step's length."""
        self.index = index
        self._stop_timer()
        self._remaining = float(self._minutes_for(self.step) * 60)
        self._show_timer()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._deadline is not None:
            self._remaining = self._deadline - time.monotonic()
            self._deadline = None

    def _left(self) -> float:
        if self._deadline is None:
            return self._remaining
        return self._deadline - time.monotonic()

    def _show_timer(self) -> None:
        left = self._left()
        running = self._deadline is not None
        label = self.query_one("#ws-timer", Static)
        label.set_class(running and left > 0, "-running")
        label.set_class(left <= 0, "-over")
        total = clock(self._minutes_for(self.step) * 60)
        if left <= 0:
            text = f"Time is up: {clock(left)} over the {total} timebox"
        elif running:
            text = f"▶ {clock(left)} left of {total} · t: pause"
        elif left < self._minutes_for(self.step) * 60:
            text = f"Timebox paused at {clock(left)} of {total} · t: resume"
        else:
            text = f"Timebox {total} · t: start · m: change"
        label.update(Text(text, no_wrap=True, overflow="ellipsis"))

    def _tick(self) -> None:
        self._show_timer()

    def action_timer(self) -> None:
        if self._deadline is not None:
            self._stop_timer()
        else:
            self._deadline = time.monotonic() + self._remaining
            self._timer = self.set_interval(1.0, self._tick)
        self._show_timer()

    def action_timebox(self) -> None:
        step = self.step

        def check(values: Values) -> str | None:
            try:
                minutes = int(values["minutes"])
            except ValueError:
                return "give a whole number of minutes"
            if not 1 <= minutes <= 240:
                return "a timebox is between 1 and 240 minutes"
            return None

        def save(values: Values | None) -> None:
            if values is not None:
                self._minutes[step.id] = int(values["minutes"])
                if self.step is step:
                    self._go(self.index)

        self.app.push_screen(
            FormDialog(
                f"Timebox for {step.title}",
                [FormField("minutes", "Minutes", str(self._minutes_for(step)))],
                check,
            ),
            save,
        )

    # ------------------------------------------------------------- moving

    def _move(self, delta: int) -> None:
        index = self.index + delta
        if not 0 <= index < len(AGENDA):
            self.app.bell()
            return
        self._go(index)
        step = self.step
        self._sent_step = step.id
        self._show_step()
        self.edit(
            lambda store, by: operations.go_to_step(store, by, step.id),
            f"workshop at step {index + 1}: {step.title}",
        )

    def action_next_step(self) -> None:
        self._move(1)

    def action_previous_step(self) -> None:
        self._move(-1)

    def action_open_step(self) -> None:
        step = self.step
        if step.mode == self.MODE:
            self.action_details()
        else:
            self.workbench.action_goto(step.mode)

    # ------------------------------------------------------------- people

    def action_attendees(self) -> None:
        current = self.snapshot.data.workshop if self.snapshot else Workshop()

        def check(values: Values) -> str | None:
            names = names_from(values["attendees"])
            if not names:
                return "enter at least one name, one a line"
            try:
                Workshop(attendees=names)
            except ValidationError as error:
                return describe_validation_error(error)
            return None

        def saved_names(values: Values | None) -> None:
            if values is None:
                return
            names = names_from(values["attendees"])
            editor = current.editor if current.editor in names else names[0]
            self._pick_editor(names, editor, attendees=names)

        self.app.push_screen(
            FormDialog(
                "Who is here?",
                [
                    FormField(
                        "attendees", "One name a line", "\n".join(current.attendees), "multiline"
                    )
                ],
                check,
                help_text=wrap_help(
                    "Next, choose who is at the keyboard: edits are recorded under that name."
                ),
            ),
            saved_names,
        )

    def action_editor(self) -> None:
        workshop = self.snapshot.data.workshop if self.snapshot else Workshop()
        if not workshop.attendees:
            self.workbench.show_status("Enter who is present first (a)", error=True)
            self.app.bell()
            return
        editor = self.snapshot.editor if self.snapshot else ""
        self._pick_editor(workshop.attendees, editor if editor in workshop.attendees else "")

    def _pick_editor(
        self, names: list[str], editor: str, attendees: list[str] | None = None
    ) -> None:
        """Ask who is at the keyboard; save it (with the attendees, when they were just entered)."""

        seen = self.snapshot.data.workshop if self.snapshot else None

        def save(values: Values | None) -> None:
            name = values["editor"] if values is not None else ""
            if attendees is None and not name:
                return
            summary = (
                f"{len(attendees)} present" if attendees is not None else "editor changed"
            ) + (f"; {name} is editing" if name else "")
            self.edit(
                lambda store, by: operations.record_presence(
                    store, by, seen=seen, attendees=attendees, editor=name or None
                ),
                summary,
                (lambda _result: self.workbench.session.set_editor(name)) if name else None,
            )

        def check(values: Values) -> str | None:
            return None if values["editor"] else "choose who is at the keyboard"

        self.app.push_screen(
            FormDialog(
                "Who is at the keyboard?",
                [
                    FormField(
                        "editor",
                        "Editor",
                        editor,
                        "select",
                        [(name, name) for name in names],
                    )
                ],
                check,
                help_text=wrap_help(
                    "Edits from now on are recorded in the history under this name."
                ),
            ),
            save,
        )

    def action_remove_question(self) -> None:
        question = self._question()
        if question is None:
            self.app.bell()
            return
        remove_parked_question(self, question)

    def action_session(self) -> None:
        """Start a workshop session (led by the editor, with the people present), or end
        the one under way, after asking."""
        if self.snapshot is None:
            return
        running = operations.open_session(self.snapshot.data.sessions)
        if running is None:
            self.edit(
                lambda store, by: operations.start_session(store, by),
                "Workshop session started: its changes can be reviewed later (History, since)",
            )
            return

        def end(values: Values | None) -> None:
            if values is None:
                return
            note = values["note"]
            self.edit(
                lambda store, by: operations.end_session(store, by, note=note),
                f"Workshop session {running.id} ended",
            )

        started = running.started_at[:16].replace("T", " ")
        self.app.push_screen(
            FormDialog(
                f"End workshop session {running.id} (started {started} UTC)?",
                [FormField("note", "What it settled (optional)", running.note)],
                help_text=wrap_help(
                    "The session keeps who was present. Next time, the Overview and the "
                    "History show what changed since it ended."
                ),
            ),
            end,
        )

    def action_details(self) -> None:
        if self.snapshot is None:
            return
        current = self.snapshot.data.project
        fields = [
            FormField("name", "Project name", current.name),
            FormField("system", "The AI system: what it does", current.system, "multiline"),
            FormField("use", "How it is used, and by whom", current.use, "multiline"),
            FormField("owner", "Owner", current.owner),
            FormField("risk", "Risk level", current.risk, "select", [(r, r) for r in RISKS]),
        ]

        def changes_from(values: Values) -> dict[str, Any]:
            new = {k: v.strip() for k, v in values.items()}
            return {k: v for k, v in new.items() if getattr(current, k) != v}

        def check(values: Values) -> str | None:
            if not values["name"].strip():
                return "the project needs a name"
            try:
                ProjectInfo.model_validate({**current.model_dump(), **changes_from(values)})
            except ValidationError as error:
                return describe_validation_error(error)
            return None

        def save(values: Values | None) -> None:
            if values is None:
                return
            changes = changes_from(values)
            if changes:
                self.edit(
                    lambda store, by: operations.edit_project(store, by, seen=current, **changes),
                    f"project {', '.join(changes)} updated",
                )

        self.app.push_screen(FormDialog("The AI system", fields, check), save)

    # ------------------------------------------------------------- parking lot

    def action_park(self) -> None:
        step = self.step

        def check(values: Values) -> str | None:
            if not values["text"].strip():
                return "write the question down"
            try:
                ParkedQuestion(id=1, text=values["text"])
            except ValidationError as error:
                return describe_validation_error(error)
            return None

        def save(values: Values | None) -> None:
            if values is None:
                return
            text = " ".join(values["text"].split())
            self.edit(
                lambda store, by: park_question(store, text, by, step=step.id),
                lambda q: f"parked question {q.id}",
            )

        self.app.push_screen(
            FormDialog(
                "Park a question for later",
                [FormField("text", "Question", "", "multiline")],
                check,
                help_text=wrap_help(
                    "Parked questions are listed in the report until they are resolved."
                ),
            ),
            save,
        )

    def _question(self) -> ParkedQuestion | None:
        key = self.query_one("#ws-parking", RecordTable).current_key
        if key is None or self.snapshot is None:
            return None
        return next((q for q in self.snapshot.data.parking_lot if str(q.id) == key), None)

    def action_resolve(self) -> None:
        """Resolve the highlighted question with its answer (as on the Decisions screen,
        where "make it a decision" continues); a resolved one is opened again."""
        question = self._question()
        if question is None:
            self.workbench.show_status("No question highlighted in the parking lot", error=True)
            self.app.bell()
            return
        resolve_parked_question(
            self, question, lambda answer: self._decide_on_the_decisions_screen(question, answer)
        )

    def _decide_on_the_decisions_screen(self, question: ParkedQuestion, answer: str) -> None:
        """The decision dialog, prefilled from the question, on the Decisions screen."""
        self.workbench.action_goto("decisions")

        def open_dialog() -> None:
            screen = self.app.screen
            if isinstance(screen, DecisionsScreen):
                screen.decide_from_question(question, answer)

        self.app.call_after_refresh(open_dialog)

    def select_record(self, key: str) -> None:
        table = self.query_one("#ws-parking", RecordTable)
        table.select_key(key)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
