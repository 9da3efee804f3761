"""Rollout: the deployment patterns, the stage table with the current stage, and the settings.

Three sections, one under the other: the four patterns (with the guide's text for
the highlighted one), the gradual-rollout stages, and the shadow-mode,
human-in-the-loop and feature-flag settings. Each section has its own keys; the
footer shows the keys of the section that has the focus (tab moves between them).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Label, Static

from workbench import operations
from workbench.errors import describe_validation_error
from workbench.models import STAGE_STATUSES, Pattern, RolloutSettings, RolloutStage
from workbench.operations.rollout import traffic_problem, week_taken
from workbench.ui.dialogs.form import FormDialog, FormField, Problem, Values
from workbench.ui.screens.base import AreaScreen
from workbench.ui.session import Snapshot, with_saved
from workbench.ui.text import Text
from workbench.ui.widgets.section import Section
from workbench.ui.widgets.tables import FittedTable, RecordTable, fit, plain, room
from workbench.units import parse_percent, parse_whole, percent

STATUS_STYLES = {
    "pending": "dim",
    "active": "bold reverse",
    "passed": "bold green",
    "failed": "bold red",
}

# The settings rows: field, label in the table, label in the dialog, dialog kind.
SETTINGS: tuple[tuple[str, str, str, Literal["text", "multiline"]], ...] = (
    ("shadow_weeks", "Shadow mode: weeks", "Weeks in shadow mode (0 for none)", "text"),
    (
        "shadow_comparison",
        "Shadow mode: comparison",
        "How are the AI's outputs compared with people's?",
        "multiline",
    ),
    (
        "hitl_approval_target",
        "Human-in-the-loop: target",
        "Approval rate above which the human can be removed (%)",
        "text",
    ),
    ("hitl_notes", "Human-in-the-loop: notes", "Notes on human-in-the-loop", "multiline"),
    (
        "flag_tool",
        "Feature flag tool",
        "Feature flag tool (LaunchDarkly, Split, Flagsmith…)",
        "text",
    ),
)
SETTING_LABEL_WIDTH = 26


def parse_week(text: str) -> int:
    """A rollout week as typed: a whole number from 1 to 520. Raises ValueError."""
    week = parse_whole(text, "the week")
    if not 1 <= week <= 520:
        raise ValueError("a week is a number from 1 to 520")
    return week


class PatternsSection(Section):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "screen.toggle_pattern", "Chosen", id="rollout-pattern-toggle"),
        Binding("n", "screen.pattern_notes", "Notes", id="rollout-pattern-notes"),
    ]


class StagesSection(Section):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "screen.cycle_status", "Next status", id="rollout-stage-cycle"),
        Binding("s", "screen.set_status", "Set status", id="rollout-stage-status"),
        Binding("e", "screen.edit_stage", "Edit", id="rollout-stage-edit"),
        Binding("a", "screen.add_stage", "Add", id="rollout-stage-add"),
        Binding("m", "screen.move_stage", "Move week", id="rollout-stage-move"),
        Binding("x", "screen.remove_stage", "Remove", id="rollout-stage-remove"),
    ]


class SettingsSection(Section):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "screen.edit_setting", "Edit setting", id="rollout-setting-edit"),
    ]


class RolloutScreen(AreaScreen):
    MODE = "rollout"
    HEADING = "Rollout"

    DEFAULT_CSS = """
    RolloutScreen #rollout-body { height: 1fr; }
    RolloutScreen #patterns-row { height: auto; }
    RolloutScreen #patterns { width: 36; max-height: 12; }
    RolloutScreen #pattern-detail { width: 1fr; height: auto; padding: 0 1;
                                    border-left: solid $panel; }
    RolloutScreen #current-stage { height: auto; padding: 0 1; background: $boost; }
    RolloutScreen #current-stage.-none { color: $text-muted; }
    RolloutScreen #stages { max-height: 14; }
    RolloutScreen #settings { max-height: 9; }
    RolloutScreen #setting-detail { height: auto; padding: 0 1; color: $text-muted; }
    RolloutScreen.-narrow #patterns-row { layout: vertical; }
    RolloutScreen.-narrow #pattern-detail { border-left: none; border-top: solid $panel; }
    """

    def compose_main(self) -> ComposeResult:
        with VerticalScroll(id="rollout-body"):
            with PatternsSection(classes="rollout-section", id="patterns-section"):
                yield Label(
                    "Deployment patterns: which ones we use",
                    classes="section-title",
                )
                with Horizontal(id="patterns-row"):
                    yield FittedTable([("Chosen", 6), ("Pattern", 20)], id="patterns")
                    yield Static("", id="pattern-detail")
            with StagesSection(classes="rollout-section", id="stages-section"):
                yield Label("Gradual rollout: the stages", classes="section-title")
                yield Static("", id="current-stage")
                yield FittedTable(
                    [
                        ("", 1),
                        ("Week", 4),
                        ("Traffic", 7),
                        ("Status", 7),
                        ("Criterion to proceed", None),
                    ],
                    id="stages",
                )
            with SettingsSection(classes="rollout-section", id="settings-section"):
                yield Label(
                    "Shadow mode, human-in-the-loop, feature flags",
                    classes="section-title",
                )
                yield FittedTable(
                    [("Setting", SETTING_LABEL_WIDTH), ("Value", None)], id="settings"
                )
                yield Static("", id="setting-detail")

    def on_mount(self) -> None:
        # AreaScreen.on_mount runs too: Textual calls the handler of every class in the MRO.
        self.query_one("#rollout-body").can_focus = False
        for table in self.query(RecordTable):
            # The app stylesheet gives every DataTable `height: 1fr`, which a screen's
            # DEFAULT_CSS cannot override; stacked in a scroll, each table sizes to its rows.
            table.styles.height = "auto"
        self.query_one("#patterns", RecordTable).focus()

    # ---------------------------------------------------------------- drawing

    def show(self, snapshot: Snapshot) -> None:
        rollout = snapshot.data.rollout
        self.query_one("#patterns", RecordTable).load(
            (
                p.id,
                [
                    Text("[x]", style="bold green") if p.chosen else Text("[ ]"),
                    plain(p.title, "bold" if p.chosen else ""),
                ],
            )
            for p in rollout.patterns
        )
        self._show_pattern_detail()

        active = [s for s in rollout.stages if s.status == "active"]
        current = self.query_one("#current-stage", Static)
        current.set_class(not active, "-none")
        if active:
            stage = active[0]
            line = Text.assemble(
                ("Current stage: ", "bold"),
                f"week {stage.week} · {percent(stage.traffic)} of traffic · to proceed: ",
                stage.criterion or "no criterion written yet",
            )
            if len(active) > 1:
                others = ", ".join(str(s.week) for s in active[1:])
                line.append(f"  (also marked active: week {others})", style="bold")
            current.update(line)
        else:
            pending = [s for s in rollout.stages if s.status == "pending"]
            if not rollout.stages:
                current.update(Text("No stages yet: press a to add the first one."))
            elif pending:
                current.update(
                    Text(
                        f"No stage is active. Next: week {pending[0].week} "
                        f"({percent(pending[0].traffic)}); space on it makes it active."
                    )
                )
            else:
                current.update(Text("No stage is active: every stage has passed or failed."))
        current_week = active[0].week if active else None
        stages = self.query_one("#stages", RecordTable)
        width = room(stages, 1 + 4 + 7 + 7, 5)
        rows = []
        for s in rollout.stages:
            is_current = s.week == current_week
            row_style = "bold" if is_current else ""
            rows.append(
                (
                    str(s.week),
                    [
                        Text("▶" if is_current else "", style="bold"),
                        Text(str(s.week), style=row_style),
                        Text(percent(s.traffic), style=row_style),
                        Text(s.status, style=STATUS_STYLES[s.status]),
                        fit(plain(s.criterion, row_style), width),
                    ],
                )
            )
        stages.load(rows)

        table = self.query_one("#settings", RecordTable)
        width = room(table, SETTING_LABEL_WIDTH, 2)
        table.load(
            (field, [label, fit(self._setting_text(rollout.settings, field), width)])
            for field, label, _, _ in SETTINGS
        )
        self._show_setting_detail()

    def redraw(self) -> None:
        """Draw again at the new width (called by a FittedTable that was resized)."""
        if self.snapshot is not None:
            self.show(self.snapshot)

    def _show_setting_detail(self) -> None:
        if self.snapshot is None:
            return
        field = self.query_one("#settings", RecordTable).current_key
        row = next((r for r in SETTINGS if r[0] == field), None)
        detail = self.query_one("#setting-detail", Static)
        if row is None:
            detail.update("")
            return
        detail.update(
            Text.assemble(
                (row[1] + ": ", "bold"),
                self._setting_text(self.snapshot.data.rollout.settings, row[0]),
            )
        )

    @staticmethod
    def _setting_text(settings: RolloutSettings, field: str) -> Text:
        value = getattr(settings, field)
        if field == "shadow_weeks":
            return Text("no shadow period" if value == 0 else f"{value} week(s)")
        if field == "hitl_approval_target":
            return Text(f"remove the human above {percent(value)} approvals")
        if not value:
            return Text("— not written yet", style="dim")
        return plain(value)

    def _show_pattern_detail(self) -> None:
        detail = self.query_one("#pattern-detail", Static)
        pattern = self._pattern()
        if pattern is None or self.snapshot is None:
            detail.update("No pattern selected.")
            return
        guide = self.snapshot.template.pattern(pattern.id)
        text = Text()
        text.append(pattern.title, style="bold")
        text.append(
            "  · chosen\n" if pattern.chosen else "  · not chosen\n",
            style="bold green" if pattern.chosen else "dim",
        )
        text.append((guide.summary if guide and guide.summary else pattern.summary) + "\n")

        def bullets(title: str, lines: list[str]) -> None:
            if lines:
                text.append(f"\n{title}\n", style="bold")
                for line in lines:
                    text.append(f" • {line}\n")

        if guide is not None:
            bullets("How it works", guide.how_it_works)
            bullets("Best for", guide.best_for)
            if guide.duration:
                text.append("\nDuration: ", style="bold")
                text.append(guide.duration + "\n")
            bullets("Consider removing the human when", guide.remove_human_when)
            bullets("Benefits", guide.benefits)
        text.append("\nOur notes: ", style="bold")
        text.append(pattern.notes or "— none yet (n to write them)")
        detail.update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "patterns":
            self._show_pattern_detail()
        elif event.data_table.id == "settings":
            self._show_setting_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        actions = {
            "patterns": self.action_pattern_notes,
            "stages": self.action_edit_stage,
            "settings": self.action_edit_setting,
        }
        action = actions.get(event.data_table.id or "")
        if action is not None:
            action()

    # -------------------------------------------------------------- lookups

    def _pattern(self) -> Pattern | None:
        key = self.query_one("#patterns", RecordTable).current_key
        if self.snapshot is None or key is None:
            return None
        return next((p for p in self.snapshot.data.rollout.patterns if p.id == key), None)

    def _stage(self) -> RolloutStage | None:
        key = self.query_one("#stages", RecordTable).current_key
        if self.snapshot is None or key is None:
            return None
        return next((s for s in self.snapshot.data.rollout.stages if str(s.week) == key), None)

    # -------------------------------------------------------------- patterns

    def action_toggle_pattern(self) -> None:
        pattern = self._pattern()
        if pattern is None:
            return
        chosen = not pattern.chosen
        said = "chosen" if chosen else "no longer chosen"
        self.edit(
            lambda store, by: operations.choose_pattern(
                store, by, pattern.id, chosen, seen=pattern
            ),
            f"{pattern.title} is {said}",
        )

    def action_pattern_notes(self) -> None:
        pattern = self._pattern()
        if pattern is None:
            return
        self.edit_text(
            pattern,
            "notes",
            "How we will use this pattern",
            lambda store, by, text: operations.edit_pattern(
                store, by, pattern.id, seen=pattern, notes=text
            ),
            title=f"Notes: {pattern.title}",
            describe=f"notes on {pattern.title} saved",
            multiline=True,
        )

    # ---------------------------------------------------------------- stages

    def action_cycle_status(self) -> None:
        stage = self._stage()
        if stage is None:
            return
        status = STAGE_STATUSES[(STAGE_STATUSES.index(stage.status) + 1) % len(STAGE_STATUSES)]
        self._save_status(stage, status)

    def _save_status(self, stage: RolloutStage, status: str) -> None:
        if status == stage.status:
            return
        self.edit(
            lambda store, by: operations.set_stage_status(
                store, by, stage.week, status, seen=stage
            ),
            f"week {stage.week} is {status}",
        )

    def action_set_status(self) -> None:
        stage = self._stage()
        if stage is None:
            return

        def save(values: Values | None) -> None:
            if values is not None and values["status"]:
                self._save_status(stage, values["status"])

        self.app.push_screen(
            FormDialog(
                f"Status of week {stage.week} ({percent(stage.traffic)})",
                [
                    FormField(
                        "status",
                        "Status",
                        stage.status,
                        "select",
                        [(s, s) for s in STAGE_STATUSES],
                    )
                ],
                help_text="pending: not started · active: running now · "
                "passed: met its criterion · failed: did not",
            ),
            save,
        )

    def _stage_form_check(
        self, values: Values, base: dict[str, Any]
    ) -> tuple[RolloutStage | None, Problem | None]:
        """Validate a stage form with the core model; (stage, None) or (None, why not)."""
        data = dict(base)
        try:
            data["traffic"] = parse_percent(values["traffic"])
        except ValueError as error:
            return None, ("traffic", str(error))
        if not 0 < data["traffic"] <= 1:
            return None, ("traffic", "the traffic share must be above 0% and at most 100%")
        data["criterion"] = values["criterion"].strip()
        try:
            stage = RolloutStage.model_validate(data)
        except ValidationError as error:
            return None, describe_validation_error(error)
        stages = self.snapshot.data.rollout.stages if self.snapshot else []
        problem = traffic_problem(stages, stage.week, stage.traffic)
        return (None, ("traffic", problem)) if problem else (stage, None)

    def action_edit_stage(self) -> None:
        stage = self._stage()
        if stage is None:
            return
        base = stage.model_dump()

        def check(values: Values) -> Problem | None:
            return self._stage_form_check(values, base)[1]

        def save(values: Values | None) -> None:
            if values is None:
                return
            updated, _ = self._stage_form_check(values, base)
            if updated is None:
                return
            changes = {
                f: getattr(updated, f)
                for f in ("traffic", "criterion")
                if getattr(updated, f) != getattr(stage, f)
            }
            if not changes:
                return
            self.edit(
                lambda store, by: operations.edit_stage(
                    store, by, stage.week, seen=stage, **changes
                ),
                f"week {stage.week} saved",
            )

        self.app.push_screen(
            FormDialog(
                f"Week {stage.week}",
                [
                    FormField("traffic", "Traffic share (%)", f"{round(stage.traffic * 100, 4):g}"),
                    FormField("criterion", "Criterion to proceed", stage.criterion),
                ],
                check,
            ),
            save,
        )

    def _stages(self) -> list[RolloutStage]:
        return list(self.snapshot.data.rollout.stages) if self.snapshot else []

    def action_add_stage(self) -> None:
        """A new stage in any free week: prefilled with the week after the last, and a
        week between two others inserts it there."""
        stages = self._stages()
        week = max((s.week for s in stages), default=0) + 1

        def parse(values: Values) -> tuple[RolloutStage | None, Problem | None]:
            try:
                chosen = parse_week(values["week"])
            except ValueError as error:
                return None, ("week", str(error))
            taken = week_taken(stages, chosen)
            if taken:
                return None, ("week", taken)
            return self._stage_form_check(values, {"week": chosen, "status": "pending"})

        def save(values: Values | None) -> None:
            if values is None:
                return
            stage, _ = parse(values)
            if stage is None:
                return
            self.edit(
                lambda store, by: operations.add_stage(
                    store, by, week=stage.week, traffic=stage.traffic, criterion=stage.criterion
                ),
                lambda record: f"week {record.week} added",
                on_saved=lambda record: self._select_saved(record),
            )

        self.app.push_screen(
            FormDialog(
                "Add a stage to the rollout",
                [
                    FormField("week", "Week (a free one: 3 goes between 2 and 4)", str(week)),
                    FormField("traffic", "Traffic share (%)", ""),
                    FormField("criterion", "Criterion to proceed", ""),
                ],
                lambda values: parse(values)[1],
            ),
            save,
        )

    def action_move_stage(self) -> None:
        """Give the selected stage another week (one change: ctrl+z puts it back)."""
        stage = self._stage()
        if stage is None:
            return
        others = [s for s in self._stages() if s.week != stage.week]

        def parse(values: Values) -> tuple[int | None, Problem | None]:
            try:
                week = parse_week(values["week"])
            except ValueError as error:
                return None, ("week", str(error))
            problem = week_taken(others, week) or traffic_problem(others, week, stage.traffic)
            return (None, ("week", problem)) if problem else (week, None)

        def save(values: Values | None) -> None:
            if values is None:
                return
            to_week, _ = parse(values)
            if to_week is None or to_week == stage.week:
                return
            self.edit(
                lambda store, by: operations.move_stage(store, by, stage.week, to_week, seen=stage),
                lambda record: (
                    f"week {stage.week} moved to week {record.week} (ctrl+z puts it back)"
                ),
                on_saved=lambda record: self._select_saved(record, moved_from=stage.week),
            )

        self.app.push_screen(
            FormDialog(
                f"Move week {stage.week} ({percent(stage.traffic)}) to another week",
                [FormField("week", "To week", str(stage.week))],
                lambda values: parse(values)[1],
            ),
            save,
        )

    def show_saved(self, record: Any) -> None:
        """A stage saved is drawn at once, in week order (an insert lands between two)."""
        if isinstance(record, RolloutStage) and self.snapshot is not None:
            with_saved(self.snapshot, record)
            self.snapshot.data.rollout.stages.sort(key=lambda s: s.week)
            self.show(self.snapshot)
            return
        super().show_saved(record)

    def _select_saved(self, stage: RolloutStage, moved_from: int | None = None) -> None:
        """Keep the new or moved stage selected, now and after the project is read again."""
        if moved_from is not None and self.snapshot is not None:
            stages = self.snapshot.data.rollout.stages
            stages[:] = [s for s in stages if s.week != moved_from]
            self.show(self.snapshot)
        self.select_record(str(stage.week))
        self._focus_after_reload(str(stage.week))

    def action_remove_stage(self) -> None:
        stage = self._stage()
        if stage is None:
            return
        self.remove_after_asking(
            f"Remove week {stage.week} ({percent(stage.traffic)}) from the rollout?",
            lambda store, by: operations.remove_stage(store, by, stage.week),
            f"week {stage.week} removed",
        )

    def _focus_after_reload(self, key: str) -> None:
        self._pending_focus = key

    def select_record(self, key: str) -> None:
        table = self.query_one("#stages", RecordTable)
        if table.select_key(key):
            table.focus()

    # -------------------------------------------------------------- settings

    def action_edit_setting(self) -> None:
        if self.snapshot is None:
            return
        key = self.query_one("#settings", RecordTable).current_key
        row = next((r for r in SETTINGS if r[0] == key), None)
        if row is None:
            return
        field, label, question, kind = row
        current = self.snapshot.data.rollout.settings

        def parse(values: Values) -> tuple[Any, str | None]:
            raw = values[field]
            value: Any = raw.strip()
            try:
                if field == "shadow_weeks":
                    value = parse_whole(raw, "the number of weeks")
                elif field == "hitl_approval_target":
                    value = parse_percent(raw)
                    if not 0 <= value <= 1:
                        return None, "the approval-rate target must be between 0% and 100%"
            except ValueError as error:
                return None, str(error)
            try:
                RolloutSettings.model_validate({**current.model_dump(), field: value})
            except ValidationError as error:
                return None, describe_validation_error(error)
            return value, None

        def save(values: Values | None) -> None:
            if values is None:
                return
            value, problem = parse(values)
            if problem is not None or value == getattr(current, field):
                return
            self.edit(
                lambda store, by: operations.edit_rollout_settings(
                    store, by, seen=current, **{field: value}
                ),
                f"{label.lower()} saved",
            )

        if field == "hitl_approval_target":
            shown = f"{round(current.hitl_approval_target * 100, 4):g}"
        else:
            shown = str(getattr(current, field))
        self.app.push_screen(
            FormDialog(label, [FormField(field, question, shown, kind)], lambda v: parse(v)[1]),
            save,
        )
