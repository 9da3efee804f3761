"""Oversight: review interface, reviewer training and fatigue measures, planned or in place.

One section per kind of measure, with how many are in place. Underneath, as
context, the guide's criteria for removing the human from the loop and the
project's approval-rate target.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Label, Static

from workbench import operations
from workbench.errors import describe_validation_error
from workbench.models import OVERSIGHT_KINDS, OversightKind, OversightMeasure
from workbench.ui.dialogs.form import FormDialog, FormField, Values
from workbench.ui.screens.base import AreaScreen
from workbench.ui.session import Snapshot
from workbench.ui.text import Text
from workbench.ui.widgets.section import Section
from workbench.ui.widgets.tables import FittedTable, fit, room
from workbench.units import percent

KIND_TITLES: dict[OversightKind, str] = {
    "review_interface": "Review interface",
    "reviewer_training": "Reviewer training",
    "fatigue": "Fatigue management",
}
KIND_HINTS: dict[OversightKind, str] = {
    "review_interface": "what reviewers need on screen",
    "reviewer_training": "what reviewers are trained on",
    "fatigue": "how review fatigue is kept down",
}
WIDE_TABLE = 90


def table_id(kind: OversightKind) -> str:
    return "measures-" + kind.replace("_", "-")


class MeasuresSection(Section):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "screen.toggle_measure", "In place", id="oversight-measure-toggle"),
        Binding("n", "screen.measure_notes", "Notes", id="oversight-measure-notes"),
        Binding("e", "screen.measure_text", "Edit text", id="oversight-measure-edit"),
        Binding("a", "screen.add_measure", "Add measure", id="oversight-measure-add"),
        Binding("x", "screen.remove_measure", "Remove", id="oversight-measure-remove"),
    ]

    def __init__(self, kind: OversightKind) -> None:
        super().__init__(classes="oversight-section", id=f"section-{kind.replace('_', '-')}")
        self.kind: OversightKind = kind


class OversightScreen(AreaScreen):
    MODE = "oversight"
    HEADING = "Human oversight"

    DEFAULT_CSS = """
    OversightScreen #oversight-body { height: 1fr; }
    OversightScreen RecordTable { max-height: 12; }
    OversightScreen .measure-detail { display: none; height: auto; padding: 0 1;
                                      color: $text-muted; }
    OversightScreen .oversight-section:focus-within > .measure-detail { display: block; }
    OversightScreen #remove-human { height: auto; margin-top: 1; padding: 0 1;
                                    border-left: thick $primary; background: $boost; }
    """

    def compose_main(self) -> ComposeResult:
        with VerticalScroll(id="oversight-body"):
            for kind in OVERSIGHT_KINDS:
                with MeasuresSection(kind):
                    yield Label(KIND_TITLES[kind], classes="section-title", id=f"title-{kind}")
                    yield FittedTable([], id=table_id(kind))
                    yield Static("", classes="measure-detail", id=f"detail-{kind}")
            yield Static("", id="remove-human")

    def on_mount(self) -> None:
        # AreaScreen.on_mount runs too: Textual calls the handler of every class in the MRO.
        self.query_one("#oversight-body").can_focus = False
        self.query_one(f"#{table_id(OVERSIGHT_KINDS[0])}", FittedTable).focus()

    def redraw(self) -> None:
        """Draw again at the new width (called by a FittedTable that was resized)."""
        if self.snapshot is not None:
            self.show(self.snapshot)

    # ---------------------------------------------------------------- drawing

    def show(self, snapshot: Snapshot) -> None:
        for kind in OVERSIGHT_KINDS:
            measures = [m for m in snapshot.data.oversight.measures if m.kind == kind]
            in_place = sum(m.status == "in_place" for m in measures)
            table = self.query_one(f"#{table_id(kind)}", FittedTable)
            wide = table.size.width >= WIDE_TABLE
            title = Text.assemble((KIND_TITLES[kind], "bold"), "  ·  ")
            title.append(
                f"{in_place} of {len(measures)} in place",
                style="bold red" if measures and not in_place else "",
            )
            if wide:
                title.append(f"  ·  {KIND_HINTS[kind]}", style="dim")
            self.query_one(f"#title-{kind}", Label).update(title)
            if wide:
                table.use_columns([("Status", 9), ("Measure", None), ("Notes", None)])
                measure_width = room(table, 9, 3) * 3 // 5
                notes_width = room(table, 9, 3) - measure_width
            else:
                table.use_columns([("Status", 9), ("Measure", None)])
                measure_width, notes_width = room(table, 9, 2), 0
            rows = []
            for m in measures:
                status = (
                    Text("in place", style="bold green")
                    if m.status == "in_place"
                    else Text("planned", style="dim")
                )
                cells = [status, fit(m.text, measure_width)]
                if wide:
                    cells.append(fit(m.notes, notes_width))
                rows.append((m.id, cells))
            if not rows:
                rows.append(("", [Text(""), Text("none yet: a adds one", style="dim")]))
            table.load(rows)
            self._show_detail(kind)
        self._show_remove_human(snapshot)

    def _show_detail(self, kind: OversightKind) -> None:
        measure = self._measure(kind)
        detail = self.query_one(f"#detail-{kind}", Static)
        if measure is None:
            detail.update("")
            return
        text = Text.assemble(
            (measure.text, "bold"),
            "  ·  ",
            "in place" if measure.status == "in_place" else "planned",
            "\nNotes: ",
            measure.notes or "— none (n to add)",
        )
        detail.update(text)

    def _show_remove_human(self, snapshot: Snapshot) -> None:
        guide = snapshot.template.pattern("human-in-the-loop")
        settings = snapshot.data.rollout.settings
        chosen = next(
            (p.chosen for p in snapshot.data.rollout.patterns if p.id == "human-in-the-loop"),
            False,
        )
        text = Text.assemble(("When can the human be taken out of the loop? ", "bold"))
        text.append("(from the guide)\n", style="dim")
        criteria = guide.remove_human_when if guide else []
        for line in criteria:
            text.append(f" • {line}\n")
        if not criteria:
            text.append(" The template gives no criteria.\n")
        text.append(
            f"Our approval-rate target: {percent(settings.hitl_approval_target)}"
            + (" · human-in-the-loop is one of our patterns" if chosen else "")
            + " (edit on the Rollout screen)"
        )
        if settings.hitl_notes:
            text.append("\nOur notes: ")
            text.append(settings.hitl_notes)
        self.query_one("#remove-human", Static).update(text)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        kind = self._kind_of(event.data_table.id)
        if kind is not None:
            self._show_detail(kind)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_measure_notes()

    # -------------------------------------------------------------- lookups

    @staticmethod
    def _kind_of(widget_id: str | None) -> OversightKind | None:
        return next((k for k in OVERSIGHT_KINDS if table_id(k) == widget_id), None)

    def _focused_kind(self) -> OversightKind | None:
        node = self.focused
        while node is not None and not isinstance(node, MeasuresSection):
            node = node.parent  # type: ignore[assignment]
        return node.kind if isinstance(node, MeasuresSection) else None

    def _measure(self, kind: OversightKind | None = None) -> OversightMeasure | None:
        kind = kind or self._focused_kind()
        if kind is None or self.snapshot is None:
            return None
        key = self.query_one(f"#{table_id(kind)}", FittedTable).current_key
        return next((m for m in self.snapshot.data.oversight.measures if m.id == key), None)

    # -------------------------------------------------------------- actions

    def action_toggle_measure(self) -> None:
        measure = self._measure()
        if measure is None:
            return
        status = "planned" if measure.status == "in_place" else "in_place"
        said = "in place" if status == "in_place" else "planned"
        self.edit(
            lambda store, by: operations.set_measure_status(
                store, by, measure.id, status, seen=measure
            ),
            f"{measure.text[:60]}: {said}",
        )

    def _edit_measure(self, field: str, label: str, multiline: bool) -> None:
        measure = self._measure()
        if measure is None:
            return
        self.edit_text(
            measure,
            field,
            label,
            lambda store, by, text: operations.edit_measure(
                store, by, measure.id, seen=measure, **{field: text}
            ),
            title=f"{label}: {measure.text}",
            describe=f"{measure.id} {field} saved",
            multiline=multiline,
            required="describe the measure" if field == "text" else "",
        )

    def action_measure_notes(self) -> None:
        self._edit_measure("notes", "Notes (who, by when, how)", multiline=True)

    def action_measure_text(self) -> None:
        self._edit_measure("text", "Measure", multiline=False)

    def action_remove_measure(self) -> None:
        measure = self._measure()
        if measure is None:
            return
        self.remove_after_asking(
            f"Remove the measure “{measure.text[:60]}”?",
            lambda store, by: operations.remove_measure(store, by, measure.id),
            f"measure {measure.id} removed",
        )

    def action_add_measure(self) -> None:
        kind = self._focused_kind()
        if kind is None:
            return

        def check(values: Values) -> str | None:
            text = values["text"].strip()
            if not text:
                return "describe the measure"
            try:
                OversightMeasure(id="new", kind=kind, text=text)
            except ValidationError as error:
                return describe_validation_error(error)
            return None

        def save(values: Values | None) -> None:
            if values is None or not values["text"].strip():
                return
            text = values["text"].strip()
            self.edit(
                lambda store, by: operations.add_measure(store, by, kind, text),
                lambda measure: f"added {KIND_TITLES[kind].lower()} measure {measure.id}",
                on_saved=lambda measure: self._focus_after_reload(measure.id),
            )

        self.app.push_screen(
            FormDialog(
                f"Add a {KIND_TITLES[kind].lower()} measure",
                [FormField("text", "Measure", "")],
                check,
            ),
            save,
        )

    def _focus_after_reload(self, key: str) -> None:
        self._pending_focus = key

    def select_record(self, key: str) -> None:
        measure = (
            next((m for m in self.snapshot.data.oversight.measures if m.id == key), None)
            if self.snapshot
            else None
        )
        if measure is not None:
            table = self.query_one(f"#{table_id(measure.kind)}", FittedTable)
            table.select_key(key)
            table.focus()
